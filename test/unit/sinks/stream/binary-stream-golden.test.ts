// statsite's binary stream, byte for byte: the golden interval (test/helpers/golden-bucket.ts) as
// records built here from statsite's documented layout (its README, "Binary Sink Protocol"):
//   u64 timestamp | u8 metric type | u8 value type | u16 key length (NUL included) | f64 value | key NUL [| u32 count]
// little-endian and packed, with the values worked out from the golden lines by statsite's formulas.

import { describe, expect, it } from 'vitest';
import type { NamingConfig } from '../../../../src/naming/naming-config.js';
import { binaryStreamBuffers, SLAB_BYTES } from '../../../../src/sinks/stream/binary-stream.js';
import { goldenBucket, goldenNaming, GOLDEN_INTERVAL, GOLDEN_TIMESTAMP } from '../../../helpers/golden-bucket.js';

// Metric types and value types as statsite's README lists them.
const KV = 0x1, COUNTER = 0x2, TIMER = 0x3, SET = 0x4, GAUGE = 0x5;
const NO_TYPE = 0x0, SUM = 0x1, SUM_SQ = 0x2, MEAN = 0x3, COUNT = 0x4, STDDEV = 0x5, MIN = 0x6, MAX = 0x7;
const HIST_FLOOR = 0x8, HIST_BIN = 0x9, HIST_CEIL = 0xa, RATE = 0xb, SAMPLE_RATE = 0xc;
const P50 = 0x80 | 50, P95 = 0x80 | 95, P99 = 0x80 | 99;

function record(type: number, valueType: number, key: string, value: number, count?: number): Buffer {
  const keyBytes = Buffer.from(key + '\0', 'utf8');
  const header = Buffer.alloc(20);
  header.writeBigUInt64LE(BigInt(GOLDEN_TIMESTAMP), 0);
  header.writeUInt8(type, 8);
  header.writeUInt8(valueType, 9);
  header.writeUInt16LE(keyBytes.length, 10);
  header.writeDoubleLE(value, 12);
  const parts = [header, keyBytes];
  if (count !== undefined) {
    const c = Buffer.alloc(4);
    c.writeUInt32LE(count, 0);
    parts.push(c);
  }
  return Buffer.concat(parts);
}

/** statsite's timer_stddev: sqrt((n·Σx² − (Σx)²) / (n·(n−1))). */
const stddev = (n: number, sum: number, sumSq: number) => Math.sqrt((n * sumSq - sum * sum) / (n * (n - 1)));

async function render(naming: NamingConfig, lines?: readonly string[], slabBytes?: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of binaryStreamBuffers(goldenBucket(lines), naming, GOLDEN_TIMESTAMP, undefined, slabBytes)) {
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** The golden interval's records; `p(type)` gives a key's prefix. */
type Prefix = (type: 'kv' | 'counts' | 'timers' | 'gauges' | 'sets') => string;

function goldenRecords(p: Prefix, counterCount: (sum: number, count: number) => number): Buffer {
  const i = GOLDEN_INTERVAL;
  const latency = p('timers') + 'api.latency';
  const query = p('timers') + 'db.query';
  const hitsSum = 1 / 0.3 + 2;
  return Buffer.concat([
    // kv: every value, newest first
    record(KV, NO_TYPE, p('kv') + 'deploy.version', 43),
    record(KV, NO_TYPE, p('kv') + 'deploy.version', 42),
    // counters: count (legacy: the sample count, trunc(1/0.3) + 1 = 4), then sum / interval
    record(COUNTER, COUNT, p('counts') + 'api.hits', counterCount(hitsSum, 4)),
    record(COUNTER, RATE, p('counts') + 'api.hits', hitsSum / i),
    record(COUNTER, COUNT, p('counts') + 'api.errors;canary=true;env=prod', counterCount(1, 1)),
    record(COUNTER, RATE, p('counts') + 'api.errors;canary=true;env=prod', 1 / i),
    // timers: 12 30 30 55 120
    record(TIMER, SUM, latency, 247),
    record(TIMER, SUM_SQ, latency, 12 ** 2 + 2 * 30 ** 2 + 55 ** 2 + 120 ** 2),
    record(TIMER, MEAN, latency, 247 / 5),
    record(TIMER, MIN, latency, 12),
    record(TIMER, MAX, latency, 120),
    record(TIMER, COUNT, latency, 5),
    record(TIMER, STDDEV, latency, stddev(5, 247, 19369)),
    record(TIMER, RATE, latency, 247 / i),
    record(TIMER, SAMPLE_RATE, latency, 5 / i),
    record(TIMER, P50, latency, 30),
    record(TIMER, P95, latency, 120),
    record(TIMER, P99, latency, 120),
    // its histogram, 0…100 by 25: below 0, [0,25) [25,50) [50,75) [75,100), 100 and above
    record(TIMER, HIST_FLOOR, latency, 0, 0),
    record(TIMER, HIST_BIN, latency, 0, 1),
    record(TIMER, HIST_BIN, latency, 25, 2),
    record(TIMER, HIST_BIN, latency, 50, 1),
    record(TIMER, HIST_BIN, latency, 75, 0),
    record(TIMER, HIST_CEIL, latency, 100, 1),
    // 4 and 8 at @0.5: count Σ 1/rate = 4 over two raw samples
    record(TIMER, SUM, query, 12),
    record(TIMER, SUM_SQ, query, 80),
    record(TIMER, MEAN, query, 6),
    record(TIMER, MIN, query, 4),
    record(TIMER, MAX, query, 8),
    record(TIMER, COUNT, query, 4),
    record(TIMER, STDDEV, query, stddev(2, 12, 80)),
    record(TIMER, RATE, query, 12 / i),
    record(TIMER, SAMPLE_RATE, query, 4 / i),
    record(TIMER, P50, query, 4),
    record(TIMER, P95, query, 8),
    record(TIMER, P99, query, 8),
    // gauges, then sets (the size as SUM)
    record(GAUGE, NO_TYPE, p('gauges') + 'queue.depth', 5),
    record(GAUGE, NO_TYPE, p('gauges') + 'workers.busy', 3),
    record(SET, SUM, p('sets') + 'users', 2),
  ]);
}

describe('binary stream', () => {
  it('writes the golden interval as these records, byte for byte: keys without prefixes by default', async () => {
    const bytes = await render(goldenNaming());
    expect(bytes.toString('hex')).toBe(goldenRecords(() => '', (_sum, count) => count).toString('hex'));
  });

  it('writes every timer field and counter record whatever timers_include and extended_counters say, as statsite does', async () => {
    const naming = goldenNaming({ timersInclude: new Set(['count']), extendedCounters: false });
    expect((await render(naming)).equals(goldenRecords(() => '', (_sum, count) => count))).toBe(true);
  });

  it('gives the counter COUNT record the sum without legacy_extended_counters', async () => {
    const naming = goldenNaming({ legacyExtendedCounters: false });
    expect((await render(naming)).equals(goldenRecords(() => '', (sum) => sum))).toBe(true);
  });

  it('puts the global and type prefixes before each key with prefix_binary_stream (types only with use_type_prefix)', async () => {
    const typed = goldenNaming({ prefixBinaryStream: true, globalPrefix: 'host1.' });
    const prefixes = { kv: 'kv.', counts: 'counts.', timers: 'timers.', gauges: 'gauges.', sets: 'sets.' };
    expect((await render(typed)).equals(goldenRecords((t) => 'host1.' + prefixes[t], (_sum, count) => count))).toBe(true);

    const untyped = goldenNaming({ prefixBinaryStream: true, globalPrefix: 'host1.', useTypePrefix: false });
    expect((await render(untyped)).equals(goldenRecords(() => 'host1.', (_sum, count) => count))).toBe(true);

    // The global prefix alone does not reach the binary stream, as in statsite.
    expect((await render(goldenNaming({ globalPrefix: 'host1.' }))).equals(goldenRecords(() => '', (_s, count) => count))).toBe(true);
  });

  it('codes each quantile as 0x80 | trunc(q·100), as statsite does (0.999 is 99, 0.29 is 28)', async () => {
    const naming = goldenNaming({ quantiles: [0.29, 0.5, 0.999] });
    const bytes = await render(naming, ['t:5|ms']);
    const fixed = [SUM, SUM_SQ, MEAN, MIN, MAX, COUNT, STDDEV, RATE, SAMPLE_RATE];
    const values = [5, 25, 5, 5, 5, 1, 0, 0.5, 0.1];
    const expected = Buffer.concat([
      ...fixed.map((type, k) => record(TIMER, type, 't', values[k])),
      record(TIMER, 0x80 | 28, 't', 5),
      record(TIMER, 0x80 | 50, 't', 5),
      record(TIMER, 0x80 | 99, 't', 5),
    ]);
    expect(bytes.toString('hex')).toBe(expected.toString('hex'));
  });

  it('writes keys as UTF-8 with the key length in bytes, and large flushes across slabs without a torn record', async () => {
    const small = await render(goldenNaming(), ['größe:1|g']);
    expect(small.equals(record(GAUGE, NO_TYPE, 'größe', 1))).toBe(true);

    const lines = Array.from({ length: 30_000 }, (_, n) => `series.number.${n}:${n}|g`);
    const big = await render(goldenNaming(), lines);
    const expected = Buffer.concat(lines.map((_, n) => record(GAUGE, NO_TYPE, `series.number.${n}`, n)));
    expect(big.length).toBe(expected.length);
    expect(big.equals(expected)).toBe(true);
  });

  it('keeps every histogram count right after its record across slab boundaries', async () => {
    // Key lengths vary so that records end at every offset of a slab's end.
    const values = Array.from({ length: 300 }, (_, n) => (n * 7) % 130);
    const lines = values.map((v, n) => `api.${'x'.repeat(n % 37)}${n}:${v}|ms`);
    const expected = Buffer.concat(values.flatMap((v, n) => {
      const key = `api.${'x'.repeat(n % 37)}${n}`;
      const fields: Array<[number, number]> = [
        [SUM, v], [SUM_SQ, v * v], [MEAN, v], [MIN, v], [MAX, v], [COUNT, 1], [STDDEV, 0], [RATE, v / GOLDEN_INTERVAL],
        [SAMPLE_RATE, 1 / GOLDEN_INTERVAL], [P50, v], [P95, v], [P99, v],
      ];
      // GOLDEN_HISTOGRAM: 0…100 by 25, so bin i of 0..3 holds [25i, 25i + 25), and 100 and above is the ceiling.
      const bin = v >= 100 ? -1 : Math.floor(v / 25);
      return [
        ...fields.map(([type, value]) => record(TIMER, type, key, value)),
        record(TIMER, HIST_FLOOR, key, 0, 0),
        ...[0, 1, 2, 3].map((i) => record(TIMER, HIST_BIN, key, 25 * i, bin === i ? 1 : 0)),
        record(TIMER, HIST_CEIL, key, 100, bin === -1 ? 1 : 0),
      ];
    }));
    for (const slabBytes of [SLAB_BYTES, 64, 97, 100, 131, 1000]) {
      const bytes = await render(goldenNaming(), lines, slabBytes);
      expect({ slabBytes, equal: bytes.equals(expected) }).toEqual({ slabBytes, equal: true });
    }
  });
});
