// The JSON the HTTP sink POSTs, one document per flush (README "HTTP sink" documents it):
//   {"timestamp": 1795431836, "interval": 10, "series": [
//     {"name": "api.hits", "tags": {"env": "prod"}, "type": "counter", "fields": {"sum": 3, "count": 3, "rate": 0.3}},
//     {"name": "api.latency", "tags": {}, "type": "timer", "fields": {"count": 2, "sum": 42, "sum_sq": 1044, "mean": 21, …}},
//     …]}
// Names are as received (statsite's prefixes shape stream and Graphite keys only); a bare tag
// has the value "". A field whose value is not a finite number (a sum that overflowed, a stdev of
// inf) is left out — JSON has no inf or nan, and a null would read as a zero in many consumers.
// A flush of more than SERIES_PER_DOCUMENT series is cut into several documents with the same
// timestamp, so no request grows without bound.

import type { Bucket } from '../../aggregate/bucket.js';
import type { Timer } from '../../aggregate/timer.js';
import { SERIES_PER_SLICE } from '../../util/ingest-first-pacer.js';
import { splitSeriesKey } from '../../model/series-key.js';
import { tagPairs } from '../../model/series-key.js';

export const SERIES_PER_DOCUMENT = 10_000;

export type SeriesType = 'counter' | 'timer' | 'gauge' | 'set' | 'kv';

export interface JsonSeries {
  name: string;
  tags: Record<string, string>;
  type: SeriesType;
  fields: Record<string, unknown>;
}

export interface JsonDocument {
  /** Flush time, unix seconds. */
  timestamp: number;
  /** Flush interval, seconds: rates are per second over it. */
  interval: number;
  series: JsonSeries[];
}

/** `p50`, `p95`, `p99`, `p99_9` for quantiles 0.5 … 0.999. */
export function quantileField(q: number): string {
  return 'p' + String(Number((q * 100).toPrecision(12))).replace('.', '_');
}

function timerFields(t: Timer, interval: number, quantiles: readonly number[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    count: t.count, sum: t.sum, sum_sq: t.sumSquares, mean: t.mean(), lower: t.min, upper: t.max, stdev: t.stdev(),
  };
  for (const q of quantiles) fields[quantileField(q)] = t.quantile(q);
  fields.rate = t.sum / interval;
  fields.sample_rate = t.count / interval;
  if (t.histogram !== null && t.bins !== null) {
    // bins[0] counts values below min, the last one values at or above max (statsite's bins).
    fields.histogram = { min: t.histogram.min, max: t.histogram.max, width: t.histogram.width, bins: [...t.bins] };
  }
  return fields;
}

/** Leaves out the fields that JSON cannot carry as numbers; tells `omit` about each. */
function finiteFields(fields: Record<string, unknown>, name: string, omit: (name: string, field: string) => void): Record<string, unknown> {
  for (const field in fields) {
    const value = fields[field];
    if (typeof value === 'number' && !Number.isFinite(value)) {
      delete fields[field];
      omit(name, field);
    }
  }
  return fields;
}

/**
 * Calls `emit` with each finished document (serialised) and its series count, and `omit` with each
 * field left out for not being a finite number; yields every SERIES_PER_SLICE series so the caller
 * can let the event loop run. An empty bucket emits nothing.
 */
export function* renderDocuments(
  bucket: Bucket,
  timestamp: number,
  interval: number,
  quantiles: readonly number[],
  emit: (json: string, series: number) => void,
  omit: (name: string, field: string) => void = () => undefined,
): Generator<void, void, void> {
  let series: JsonSeries[] = [];
  const add = (key: string, type: SeriesType, fields: Record<string, unknown>): boolean => {
    const { name, tags } = splitSeriesKey(key);
    series.push({ name, tags: Object.fromEntries(tagPairs(tags)), type, fields: finiteFields(fields, name, omit) });
    if (series.length === SERIES_PER_DOCUMENT) {
      emit(JSON.stringify({ timestamp, interval, series }), series.length);
      series = [];
    }
    return series.length % SERIES_PER_SLICE === 0;
  };
  for (const [key, c] of bucket.counters) {
    if (add(key, 'counter', { sum: c.sum, count: c.count, rate: c.sum / interval })) yield;
  }
  for (const [key, t] of bucket.timers) {
    if (add(key, 'timer', timerFields(t, interval, quantiles))) yield;
  }
  for (const [key, g] of bucket.gauges) {
    if (add(key, 'gauge', { value: g.value })) yield;
  }
  for (const [key, s] of bucket.sets) {
    if (add(key, 'set', { size: s.size() })) yield;
  }
  for (const [key, kv] of bucket.keyValues) {
    if (add(key, 'kv', { values: kv.values })) yield;
  }
  if (series.length > 0) emit(JSON.stringify({ timestamp, interval, series }), series.length);
}
