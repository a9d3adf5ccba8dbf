// statsite's binary stream (`binary_stream = yes`; statsite's README, "Binary Sink Protocol", and
// conn_handler.c's stream_formatter_bin, which this follows field for field). Per value one record:
//
//   TIMESTAMP u64 | METRIC TYPE u8 | VALUE TYPE u8 | KEY LENGTH u16 | VALUE f64 | KEY, NUL | [COUNT u32]
//
// little-endian, packed; the key length counts the NUL; COUNT follows histogram records only. The
// key is the series name (with its tags as the text stream spells them) — with statsite's global
// and type prefixes only under `prefix_binary_stream`. The records of each type, in statsite's
// order (kv, counters, timers, gauges, sets):
//   kv      type 1, value type 0, one record per value, newest first
//   counter type 2: COUNT (the sample count, or the sum without legacy_extended_counters), RATE
//   timer   type 3: SUM SUM_SQ MEAN MIN MAX COUNT STDDEV RATE SAMPLE_RATE, then per quantile
//           0x80 | trunc(q·100); with a histogram HIST_FLOOR (min) and each HIST_BIN (its lower
//           bound), then HIST_CEIL (max), each with its COUNT
//   gauge   type 5, value type 0;  set  type 4, SUM = its size
// timers_include and extended_counters do not apply, as in statsite. Between slices of series it
// pauses for ingest, like the text stream.

import type { Bucket } from '../../aggregate/bucket.js';
import type { Timer } from '../../aggregate/timer.js';
import { splitSeriesKey } from '../../model/series-key.js';
import { STREAM_KEYS } from '../../naming/key-style.js';
import { finalPrefixes, type NamingConfig } from '../../naming/naming-config.js';
import { IngestFirstPacer, SERIES_PER_SLICE } from '../../util/ingest-first-pacer.js';

export const BINARY_TYPE = { kv: 0x1, counter: 0x2, timer: 0x3, set: 0x4, gauge: 0x5 } as const;

export const BINARY_VALUE = {
  none: 0x0, sum: 0x1, sumSq: 0x2, mean: 0x3, count: 0x4, stddev: 0x5, min: 0x6, max: 0x7,
  histFloor: 0x8, histBin: 0x9, histCeil: 0xa, rate: 0xb, sampleRate: 0xc, percentile: 0x80,
} as const;

/** Timestamp, types, key length, value. */
export const RECORD_HEADER_BYTES = 20;
/** The key length is 16 bits and counts the NUL. */
const MAX_KEY_BYTES = 0xffff - 1;
export const SLAB_BYTES = 1 << 20;

/** Records written straight into a slab; a series' key is encoded once for all its records. */
class BinaryRecords {
  private slab: Buffer;
  private start = 0;
  private used = 0;
  private key = Buffer.allocUnsafe(1024);
  private keyLength = 0;
  private readonly stamp = Buffer.alloc(8);
  /** Series not written because their key is longer than the 16-bit key length can say. */
  skippedSeries = 0;

  constructor(
    timestamp: number,
    private readonly slabBytes: number,
  ) {
    this.slab = Buffer.allocUnsafe(slabBytes);
    this.stamp.writeUInt32LE(timestamp % 2 ** 32, 0);
    this.stamp.writeUInt32LE(Math.floor(timestamp / 2 ** 32), 4);
  }

  get pending(): boolean {
    return this.used > this.start;
  }

  /** The key of the records that follow; false (and counted) when it cannot be written. */
  series(prefix: string, seriesKey: string): boolean {
    const { name, tags } = splitSeriesKey(seriesKey);
    const text = prefix + name + (tags === '' ? '' : STREAM_KEYS.tags(tags));
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_KEY_BYTES) {
      this.skippedSeries++;
      return false;
    }
    if (bytes + 1 > this.key.length) this.key = Buffer.allocUnsafe(2 * (bytes + 1));
    this.key.write(text, 0);
    this.key[bytes] = 0;
    this.keyLength = bytes + 1;
    return true;
  }

  record(type: number, valueType: number, value: number): void {
    this.room(RECORD_HEADER_BYTES + this.keyLength);
    const slab = this.slab;
    let at = this.used;
    at += this.stamp.copy(slab, at);
    slab[at++] = type;
    slab[at++] = valueType;
    at = slab.writeUInt16LE(this.keyLength, at);
    at = slab.writeDoubleLE(value, at);
    at += this.key.copy(slab, at, 0, this.keyLength);
    this.used = at;
  }

  /** A histogram record: the record, then its count. */
  bin(valueType: number, bound: number, count: number): void {
    this.record(BINARY_TYPE.timer, valueType, bound);
    this.room(4);
    this.used = this.slab.writeUInt32LE(count, this.used);
  }

  /** The records written since the last take, as a view; the writer never writes into them again. */
  take(): Buffer {
    const taken = this.slab.subarray(this.start, this.used);
    this.start = this.used;
    return taken;
  }

  private room(bytes: number): void {
    if (this.used + bytes <= this.slab.length) return;
    // The records not taken yet move along: a histogram's count must follow its record.
    const pending = this.used - this.start;
    const next = Buffer.allocUnsafe(Math.max(this.slabBytes, 2 * (pending + bytes)));
    this.slab.copy(next, 0, this.start, this.used);
    this.slab = next;
    this.start = 0;
    this.used = pending;
  }
}

/**
 * `onSkipped`: how many series had keys too long for the format (only called when some had).
 * `slabBytes`: the size records are written in (tests make it small, to cross slabs often).
 */
export async function* binaryStreamBuffers(
  bucket: Bucket,
  naming: NamingConfig,
  timestamp: number,
  onSkipped?: (series: number) => void,
  slabBytes = SLAB_BYTES,
): AsyncGenerator<Buffer> {
  const out = new BinaryRecords(timestamp, slabBytes);
  const pacer = new IngestFirstPacer();
  for (const _slice of renderRecords(bucket, naming, out)) {
    if (out.pending) yield out.take();
    await pacer.pause();
  }
  if (out.pending) yield out.take();
  if (out.skippedSeries > 0) onSkipped?.(out.skippedSeries);
}

function* renderRecords(bucket: Bucket, naming: NamingConfig, out: BinaryRecords): Generator<void, void, void> {
  const none = { counts: '', timers: '', gauges: '', sets: '', kv: '' };
  const prefix = naming.prefixBinaryStream ? finalPrefixes(naming) : none;
  const interval = naming.flushInterval;
  let rendered = 0;

  for (const [key, kv] of bucket.keyValues) {
    if (out.series(prefix.kv, key)) {
      for (let i = kv.values.length - 1; i >= 0; i--) out.record(BINARY_TYPE.kv, BINARY_VALUE.none, kv.values[i]);
    }
    if (++rendered % SERIES_PER_SLICE === 0) yield;
  }

  for (const [key, counter] of bucket.counters) {
    if (out.series(prefix.counts, key)) {
      out.record(BINARY_TYPE.counter, BINARY_VALUE.count, naming.legacyExtendedCounters ? counter.count : counter.sum);
      out.record(BINARY_TYPE.counter, BINARY_VALUE.rate, counter.sum / interval);
    }
    if (++rendered % SERIES_PER_SLICE === 0) yield;
  }

  const quantileTypes = naming.quantiles.map((q) => BINARY_VALUE.percentile | Math.trunc(q * 100));
  for (const [key, timer] of bucket.timers) {
    if (out.series(prefix.timers, key)) writeTimer(out, timer, naming, quantileTypes);
    if (++rendered % SERIES_PER_SLICE === 0) yield;
  }

  for (const [key, gauge] of bucket.gauges) {
    if (out.series(prefix.gauges, key)) out.record(BINARY_TYPE.gauge, BINARY_VALUE.none, gauge.value);
    if (++rendered % SERIES_PER_SLICE === 0) yield;
  }

  for (const [key, set] of bucket.sets) {
    if (out.series(prefix.sets, key)) out.record(BINARY_TYPE.set, BINARY_VALUE.sum, set.size());
    if (++rendered % SERIES_PER_SLICE === 0) yield;
  }
}

function writeTimer(out: BinaryRecords, timer: Timer, naming: NamingConfig, quantileTypes: readonly number[]): void {
  const t = BINARY_TYPE.timer;
  const interval = naming.flushInterval;
  out.record(t, BINARY_VALUE.sum, timer.sum);
  out.record(t, BINARY_VALUE.sumSq, timer.sumSquares);
  out.record(t, BINARY_VALUE.mean, timer.mean());
  out.record(t, BINARY_VALUE.min, timer.min);
  out.record(t, BINARY_VALUE.max, timer.max);
  out.record(t, BINARY_VALUE.count, timer.count);
  out.record(t, BINARY_VALUE.stddev, timer.stdev());
  out.record(t, BINARY_VALUE.rate, timer.sum / interval);
  out.record(t, BINARY_VALUE.sampleRate, timer.count / interval);
  const quantiles = naming.quantiles;
  for (let i = 0; i < quantiles.length; i++) out.record(t, quantileTypes[i], timer.quantile(quantiles[i]));

  const h = timer.histogram;
  const bins = timer.bins;
  if (h !== null && bins !== null) {
    out.bin(BINARY_VALUE.histFloor, h.min, bins[0]);
    for (let i = 0; i < bins.length - 2; i++) out.bin(BINARY_VALUE.histBin, h.min + h.width * i, bins[i + 1]);
    out.bin(BINARY_VALUE.histCeil, h.max, bins[bins.length - 1]);
  }
}
