// Turns a finished bucket into (key, value text) points in statsite's order and spelling:
// kv, counters, timers, gauges, sets. Line-based sinks add their own separators and timestamp.

import type { Bucket } from '../aggregate/bucket.js';
import type { Timer } from '../aggregate/timer.js';
import { splitSeriesKey } from '../protocol/metric-type.js';
import { formatCount, formatFixed } from './c-format.js';
import type { KeyStyle } from './key-style.js';
import { finalPrefixes, type NamingConfig } from './naming-config.js';

export interface PointWriter {
  point(key: string, value: string): void;
}

/** Series rendered between two yields, so a big flush lets the event loop (and ingest) run. */
export const SERIES_PER_SLICE = 2000;

/** Builds `prefix + name + field + tags` for one series, spelled the way the output needs. */
class KeyBuilder {
  private head = '';
  /** style.path() leaves `head` as it is, so fields it also leaves alone need no call per value. */
  private headIsClean = false;
  private tail = '';
  /** Per field suffix (`.sum`, `.p95`, …): whether style.path() leaves it unchanged after a clean head. */
  private readonly cleanFields = new Map<string, boolean>();

  constructor(private readonly style: KeyStyle) {}

  series(prefix: string, key: string): this {
    const { name, tags } = splitSeriesKey(key);
    this.head = prefix + name;
    this.headIsClean = this.style.path(this.head) === this.head;
    this.tail = tags === '' ? '' : this.style.tags(tags);
    return this;
  }

  key(field = ''): string {
    const path = this.head + field;
    return (this.headIsClean && this.isCleanField(field) ? path : this.style.path(path)) + this.tail;
  }

  private isCleanField(field: string): boolean {
    let clean = this.cleanFields.get(field);
    if (clean === undefined) this.cleanFields.set(field, (clean = this.style.path('x' + field) === 'x' + field));
    return clean;
  }
}

/**
 * Writes every point of `bucket` to `out`, keys prefixed by `outputPrefix` (e.g. Graphite's
 * `statsite.`) and spelled by `style`; yields every SERIES_PER_SLICE series.
 */
export function* renderPoints(
  bucket: Bucket,
  naming: NamingConfig,
  style: KeyStyle,
  out: PointWriter,
  outputPrefix = '',
): Generator<void, void, void> {
  const prefix = finalPrefixes(naming, outputPrefix);
  const keys = new KeyBuilder(style);
  const interval = naming.flushInterval;
  let rendered = 0;

  for (const [key, kv] of bucket.keyValues) {
    keys.series(prefix.kv, key);
    for (let i = kv.values.length - 1; i >= 0; i--) out.point(keys.key(), formatFixed(kv.values[i]));
    if (++rendered % SERIES_PER_SLICE === 0) yield;
  }

  for (const [key, counter] of bucket.counters) {
    keys.series(prefix.counts, key);
    if (naming.extendedCounters) {
      out.point(
        keys.key('.count'),
        naming.legacyExtendedCounters ? formatCount(counter.count) : formatFixed(counter.sum),
      );
      out.point(keys.key('.rate'), formatFixed(counter.sum / interval));
    } else {
      out.point(keys.key(), formatFixed(counter.sum));
    }
    if (++rendered % SERIES_PER_SLICE === 0) yield;
  }

  const quantileFields = naming.quantiles.map((q) => '.p' + formatFixed(q * 100, 0));
  for (const [key, timer] of bucket.timers) {
    writeTimer(keys.series(prefix.timers, key), timer, naming, quantileFields, out);
    if (++rendered % SERIES_PER_SLICE === 0) yield;
  }

  for (const [key, gauge] of bucket.gauges) {
    out.point(keys.series(prefix.gauges, key).key(), formatFixed(gauge.value));
    if (++rendered % SERIES_PER_SLICE === 0) yield;
  }

  for (const [key, set] of bucket.sets) {
    out.point(keys.series(prefix.sets, key).key(), formatCount(set.size()));
    if (++rendered % SERIES_PER_SLICE === 0) yield;
  }
}

/** `quantileFields[i]` is the key suffix of `naming.quantiles[i]` (`.p95`), spelled once per flush. */
function writeTimer(keys: KeyBuilder, timer: Timer, naming: NamingConfig, quantileFields: readonly string[], out: PointWriter): void {
  const include = naming.timersInclude;
  if (include.has('sum')) out.point(keys.key('.sum'), formatFixed(timer.sum));
  if (include.has('sum_sq')) out.point(keys.key('.sum_sq'), formatFixed(timer.sumSquares));
  if (include.has('mean')) out.point(keys.key('.mean'), formatFixed(timer.mean()));
  if (include.has('lower')) out.point(keys.key('.lower'), formatFixed(timer.min));
  if (include.has('upper')) out.point(keys.key('.upper'), formatFixed(timer.max));
  if (include.has('count')) out.point(keys.key('.count'), formatCount(timer.count));
  if (include.has('stdev')) out.point(keys.key('.stdev'), formatFixed(timer.stdev()));
  const quantiles = naming.quantiles;
  for (let i = 0; i < quantiles.length; i++) {
    const value = formatFixed(timer.quantile(quantiles[i]));
    if (quantiles[i] === 0.5 && include.has('median')) out.point(keys.key('.median'), value);
    // statsite prints every configured quantile, whatever timers_include says.
    out.point(keys.key(quantileFields[i]), value);
  }
  if (include.has('rate')) out.point(keys.key('.rate'), formatFixed(timer.sum / naming.flushInterval));
  if (include.has('sample_rate')) out.point(keys.key('.sample_rate'), formatFixed(timer.count / naming.flushInterval));

  const h = timer.histogram;
  const bins = timer.bins;
  if (h !== null && bins !== null) {
    out.point(keys.key('.histogram.bin_<' + formatFixed(h.min, 2)), formatCount(bins[0]));
    for (let i = 0; i < bins.length - 2; i++) {
      out.point(keys.key('.histogram.bin_' + formatFixed(h.min + h.width * i, 2)), formatCount(bins[i + 1]));
    }
    out.point(keys.key('.histogram.bin_>' + formatFixed(h.max, 2)), formatCount(bins[bins.length - 1]));
  }
}
