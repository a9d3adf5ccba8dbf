// Forwarded snapshots merge into the global instance's interval.

import { describe, expect, it } from 'vitest';
import { Bucket } from '../../../../src/aggregate/bucket.js';
import { createDefaultSketch } from '../../../../src/aggregate/sketch.js';
import { mergeSnapshot, SnapshotDecoder, type RefusedSeries, type Snapshot } from '../../../../src/sinks/forward/snapshot.js';
import { toSnapshot } from '../../../helpers/snapshot.js';

const newBucket = (setPrecision = 12) => new Bucket({ histograms: [], setPrecision, newSketch: createDefaultSketch, maxSeries: 0 });

/** Merges all of it at once (the endpoint pauses between slices; nothing here needs to). */
function merge(bucket: Bucket, snapshot: Snapshot): RefusedSeries[] {
  const refused: RefusedSeries[] = [];
  for (const _slice of mergeSnapshot(() => bucket, snapshot, (r) => refused.push(r)));
  return refused;
}

/** Bytes as they arrive, in pieces of `piece` bytes, decoded. */
function decode(text: string, piece = text.length) {
  const decoder = new SnapshotDecoder();
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += piece) decoder.push(bytes.subarray(i, i + piece));
  return decoder.end();
}

/** A version-1 document as an older sender sends it. */
const received = (doc: object) => decode(JSON.stringify({ ...doc, version: 1 }));

describe('merged gauges', () => {
  it('add partial buckets that saw only deltas, and let the newest absolute value win otherwise', () => {
    const a = newBucket();
    a.gauge('deltas', 2, true);
    a.gauge('set', 10, false);
    const b = newBucket();
    b.gauge('deltas', -5, true);
    b.gauge('set', 20, false);
    const merged = newBucket();
    merge(merged, toSnapshot(a, 'a', 1, 10));
    merge(merged, toSnapshot(b, 'b', 1, 10));
    expect(merged.gauges.get('deltas')).toMatchObject({ value: -3, deltasOnly: true });
    // b wrote later (or at the same millisecond): its value wins.
    expect(merged.gauges.get('set')!.value).toBe(20);
    expect(toSnapshot(merged, 'm', 1, 10).gauges).toMatchObject({ deltas: [-3, expect.any(Number), 1], set: [20, expect.any(Number)] });
  });

  it('adds deltas to a gauge set elsewhere', () => {
    const merged = newBucket();
    merged.gauge('g', 100, false);
    merge(merged, { ...toSnapshot(newBucket(), 'x', 1, 10), gauges: { g: [7, Date.now(), 1] } });
    expect(merged.gauges.get('g')).toMatchObject({ value: 107, deltasOnly: false });
  });

  it('leaves out a malformed third gauge element, and keeps the rest', () => {
    const doc = { ...toSnapshot(newBucket(), 'x', 1, 10), gauges: { g: [1, 2, 3], ok: [4, 5] } };
    const { snapshot, refused } = received(doc);
    expect(refused).toEqual([{ table: 'gauges', key: 'g', reason: expect.stringMatching(/not \[value, updatedAt\]/) }]);
    expect(Object.keys(snapshot.gauges)).toEqual(['ok']);
  });
});

describe('a hostile or broken snapshot', () => {
  const timer = (over: Record<string, unknown>) => ({
    count: 1, samples: 1, sum: 5, sumSquares: 25, min: 5, max: 5, exactPoints: 1, points: [5, 1], bins: null, ...over,
  });
  const frame = () => toSnapshot(newBucket(), 'x', 1, 10);

  it('refuses counts that ask for more work than the body carries', () => {
    const { snapshot, refused } = received({ ...frame(), timers: { huge: timer({ exactPoints: 1e9 }), odd: timer({ points: [1] }) } });
    expect(refused.map((r) => r.key).sort()).toEqual(['huge', 'odd']);
    expect(snapshot.timers).toEqual({});
  });

  it('keeps the valid series of an interval when one value cannot be represented', () => {
    // 1e200 squared is Infinity: JSON carries it as null.
    const big = timer({ sum: 1e200, sumSquares: Infinity, min: 1e200, max: 1e200 });
    const doc = { ...frame(), counters: { c: [3, 1] }, timers: { big } };
    const { snapshot, refused } = received(doc);
    expect(refused).toEqual([{ table: 'timers', key: 'big', reason: expect.stringMatching(/finite/) }]);
    const bucket = newBucket();
    expect(merge(bucket, snapshot)).toEqual([]);
    expect(bucket.counters.get('c')!.sum).toBe(3);
  });

  it('refuses sets that are not hash pairs or registers of a real precision', () => {
    const sets = { a: { hashes: [1] }, b: { precision: 40, registers: '' }, c: { hashes: [-1, 2] }, ok: { hashes: [1, 2] } };
    const doc = { ...frame(), sets };
    const { snapshot, refused } = received(doc);
    expect(refused.map((r) => r.key).sort()).toEqual(['a', 'b', 'c']);
    expect(Object.keys(snapshot.sets)).toEqual(['ok']);
  });

  it('counts a set of another precision as refused at merge, not as a failed interval', () => {
    const other = newBucket(10);
    for (let i = 0; i < 200; i++) other.set('s', `m${i}`);
    other.counter('c', 1, 1);
    const bucket = newBucket(12);
    const refused = merge(bucket, received(toSnapshot(other, 'x', 1, 10)).snapshot);
    expect(refused).toEqual([{ table: 'sets', key: 's', reason: expect.stringMatching(/precision 10 cannot merge into precision 12/) }]);
    expect(bucket.counters.get('c')!.sum).toBe(1);
  });

  it('still throws on a wrong frame', () => {
    expect(() => received({ format: 'x' })).toThrow(/not a statsite-ts\/forward document/);
    expect(() => decode(JSON.stringify({ ...frame(), version: 3 }))).toThrow(/unsupported version 3/);
    expect(() => received({ ...frame(), timers: [] })).toThrow(/"timers" must be an object/);
    expect(() => decode('[1,2]\n["counters","c",[1,1]]\n')).toThrow(/not a statsite-ts\/forward document/);
    expect(() => decode('{"format":"statsite-ts/forward","version":2}\n')).toThrow(/header needs a source/);
  });
});

describe('version 2: a line per series', () => {
  const header = '{"format":"statsite-ts/forward","version":2,"source":"h","timestamp":1,"interval":10,"id":"h/1"}\n';

  it('decodes the same in pieces of any size as in one', () => {
    const bucket = newBucket();
    bucket.counter('c', 2, 1);
    bucket.gauge('g', 5, false);
    bucket.set('s', 'member');
    for (let i = 0; i < 50; i++) bucket.timer('t', i, 1);
    bucket.timer('tagged\nenv:prod', 1, 1);
    const whole = toSnapshot(bucket, 'h', 1, 10);
    const lines = [header, ...['counters', 'gauges', 'sets', 'timers'].flatMap((table) =>
      Object.entries(whole[table as 'counters']).map(([k, v]) => `${JSON.stringify([table, k, v])}\n`))].join('');
    for (const piece of [1, 2, 7, 64, lines.length]) {
      const { snapshot, refused } = decode(lines, piece);
      expect(refused).toEqual([]);
      expect({ ...snapshot, id: whole.id }).toEqual({ ...whole, source: 'h', id: whole.id });
    }
  });

  it('writes a timer past its exact samples as its centroids, which merge into the same quantiles', () => {
    const bucket = newBucket();
    for (let i = 0; i < 1000; i++) bucket.timer('busy', (i * 7919) % 1000, 1);
    const sent = toSnapshot(bucket, 'h', 1, 10).timers.busy;
    expect(Array.isArray(sent.points)).toBe(true);
    expect(sent.points.length).toBeGreaterThan(10);
    expect(sent).toMatchObject({ count: 1000, exactPoints: 0 });
    const merged = newBucket();
    merge(merged, toSnapshot(bucket, 'h', 1, 10));
    for (const q of [0.5, 0.9, 0.99]) expect(merged.timers.get('busy')!.quantile(q)).toBeCloseTo(bucket.timers.get('busy')!.quantile(q), 6);
  });

  it('keeps every valid line and lists the rest, __proto__ keys included', () => {
    const text = header + [
      '["counters","__proto__",[1,1]]', 'not json', '["nope","k",1]', '["counters","c",[1,1]]', '["counters","c",[2,1]]',
      '["timers","t",{"count":1}]', '["gauges","g",[3,4]]',
    ].join('\n'); // and no newline after the last line
    const { snapshot, refused } = decode(text, 5);
    expect(Object.keys(snapshot.counters).sort()).toEqual(['__proto__', 'c']);
    expect(snapshot.counters.c).toEqual([1, 1]);
    expect(snapshot.gauges.g).toEqual([3, 4]);
    expect(({} as Record<string, unknown>).sum).toBeUndefined();
    expect(refused.map((r) => r.reason)).toEqual([
      'a line that is not JSON', 'a line that is not [table, key, state]', 'sent twice in one snapshot', 'count or samples missing',
    ]);
    const merged = newBucket();
    expect(merge(merged, snapshot)).toEqual([]);
    expect(merged.counters.get('__proto__')!.sum).toBe(1);
  });
});
