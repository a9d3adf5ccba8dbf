// Turns a finished bucket into (key, value text) points in statsite's order and spelling:
// kv, counters, timers, gauges, sets. Line-based sinks add their own separators and timestamp.

import type { Bucket } from '../aggregate/bucket.js';
import type { Timer } from '../aggregate/timer.js';
import { splitSeriesKey } from '../model/series-key.js';
import { formatFixed } from './c-format.js';
import type { KeyStyle } from './key-style.js';
import { finalPrefixes, type NamingConfig } from './naming-config.js';

/**
 * Points rendered between two pauses for ingest (about 2.5 ms of work: 2000 timers of 13 points,
 * or 26k counters). Counted in points, not series, so that a slice takes about as long, and holds
 * about as many bytes, whatever the metric types.
 */
export const POINTS_PER_SLICE = 26_000;

/** How a point's value is printed: C's `%.6f`, or a count (`%PRIu64`), as statsite prints them. */
export type ValueFormat = 'fixed' | 'count';

export interface PointWriter {
  /**
   * The points that follow, until the next call, have keys `prefix + name + field + tags`, each
   * part spelled for the output already. Given in parts so that no key string is built per series.
   */
  series(prefix: string, name: string, tags: string): void;
  point(field: string, value: number, format: ValueFormat): void;
}

/** Writes the points of one series at a time: `prefix + name + field + tags`, spelled by the style. */
class SeriesPoints {
  private prefix = '';
  private name = '';
  /** style.path() leaves `prefix + name` as it is, so fields it also leaves alone need no call per value. */
  private headIsClean = false;
  private tail = '';
  /** The writer's series is this one's clean head (not the whole path of one unclean point). */
  private writerHasHead = false;
  /** Points written so far, and the count at which the current slice is full. */
  private written = 0;
  private sliceEnd: number;
  /** The last prefix checked by isCleanPrefix, and its answer. */
  private checkedPrefix: string | null = null;
  private prefixIsClean = false;
  /** Per field suffix (`.sum`, `.p95`, …): whether style.path() leaves it unchanged after a clean head. */
  private readonly cleanFields = new Map<string, boolean>();

  constructor(
    private readonly style: KeyStyle,
    private readonly out: PointWriter,
    private readonly pointsPerSlice: number,
  ) {
    this.sliceEnd = pointsPerSlice;
  }

  /** After a series: whether the slice has its points (then the next one starts). */
  sliceIsFull(): boolean {
    if (this.written < this.sliceEnd) return false;
    this.sliceEnd = this.written + this.pointsPerSlice;
    return true;
  }

  series(prefix: string, key: string): this {
    const { name, tags } = splitSeriesKey(key);
    this.prefix = prefix;
    this.name = name;
    this.headIsClean = this.style.verbatim === true || (name !== '' && this.isCleanPrefix(prefix) && this.style.path(name) === name);
    this.tail = tags === '' ? '' : this.style.tags(tags);
    this.writerHasHead = this.headIsClean;
    if (this.headIsClean) this.out.series(prefix, name, this.tail);
    return this;
  }

  fixed(field: string, value: number): void {
    this.point(field, value, 'fixed');
  }

  count(field: string, value: number): void {
    this.point(field, value, 'count');
  }

  private point(field: string, value: number, format: ValueFormat): void {
    this.written++;
    if (this.headIsClean && (this.style.verbatim === true || this.isCleanField(field))) {
      if (!this.writerHasHead) {
        this.out.series(this.prefix, this.name, this.tail);
        this.writerHasHead = true;
      }
      this.out.point(field, value, format);
    } else {
      this.out.series('', this.style.path(this.prefix + this.name + field), this.tail);
      this.writerHasHead = false;
      this.out.point('', value, format);
    }
  }

  /**
   * Whether style.path() leaves `prefix` followed by any name it leaves alone unchanged (the
   * KeyStyle contract). Checked once per prefix: the name alone is then checked per series,
   * not the prefixed path, a string that would be built flat for it.
   */
  private isCleanPrefix(prefix: string): boolean {
    if (prefix !== this.checkedPrefix) {
      this.checkedPrefix = prefix;
      this.prefixIsClean = this.style.path(prefix + 'x') === prefix + 'x';
    }
    return this.prefixIsClean;
  }

  private isCleanField(field: string): boolean {
    let clean = this.cleanFields.get(field);
    if (clean === undefined) this.cleanFields.set(field, (clean = this.style.path('x' + field) === 'x' + field));
    return clean;
  }
}

/**
 * Writes every point of `bucket` to `out`, keys prefixed by `outputPrefix` (e.g. Graphite's
 * `statsite.`) and spelled by `style`; yields after the series that reaches each `pointsPerSlice` points.
 */
export function* renderPoints(
  bucket: Bucket,
  naming: NamingConfig,
  style: KeyStyle,
  out: PointWriter,
  outputPrefix = '',
  pointsPerSlice = POINTS_PER_SLICE,
): Generator<void, void, void> {
  const prefix = finalPrefixes(naming, outputPrefix);
  const points = new SeriesPoints(style, out, pointsPerSlice);
  const interval = naming.flushInterval;

  for (const [key, kv] of bucket.keyValues) {
    points.series(prefix.kv, key);
    for (let i = kv.values.length - 1; i >= 0; i--) points.fixed('', kv.values[i]);
    if (points.sliceIsFull()) yield;
  }

  for (const [key, counter] of bucket.counters) {
    points.series(prefix.counts, key);
    if (naming.extendedCounters) {
      if (naming.legacyExtendedCounters) points.count('.count', counter.count);
      else points.fixed('.count', counter.sum);
      points.fixed('.rate', counter.sum / interval);
    } else {
      points.fixed('', counter.sum);
    }
    if (points.sliceIsFull()) yield;
  }

  const layout = timerLayout(naming);
  for (const [key, timer] of bucket.timers) {
    writeTimer(points.series(prefix.timers, key), timer, layout);
    if (points.sliceIsFull()) yield;
  }

  for (const [key, gauge] of bucket.gauges) {
    points.series(prefix.gauges, key).fixed('', gauge.value);
    if (points.sliceIsFull()) yield;
  }

  for (const [key, set] of bucket.sets) {
    points.series(prefix.sets, key).count('', set.size());
    if (points.sliceIsFull()) yield;
  }
}

/** What writeTimer prints, read from the config once per flush rather than per series. */
interface TimerLayout {
  sum: boolean;
  sumSq: boolean;
  mean: boolean;
  lower: boolean;
  upper: boolean;
  count: boolean;
  stdev: boolean;
  median: boolean;
  rate: boolean;
  sampleRate: boolean;
  quantiles: readonly number[];
  /** `quantileFields[i]` is the key suffix of `quantiles[i]` (`.p95`). */
  quantileFields: readonly string[];
  flushInterval: number;
}

function timerLayout(naming: NamingConfig): TimerLayout {
  const include = naming.timersInclude;
  return {
    sum: include.has('sum'),
    sumSq: include.has('sum_sq'),
    mean: include.has('mean'),
    lower: include.has('lower'),
    upper: include.has('upper'),
    count: include.has('count'),
    stdev: include.has('stdev'),
    median: include.has('median'),
    rate: include.has('rate'),
    sampleRate: include.has('sample_rate'),
    quantiles: naming.quantiles,
    quantileFields: naming.quantiles.map((q) => '.p' + formatFixed(q * 100, 0)),
    flushInterval: naming.flushInterval,
  };
}

function writeTimer(points: SeriesPoints, timer: Timer, layout: TimerLayout): void {
  if (layout.sum) points.fixed('.sum', timer.sum);
  if (layout.sumSq) points.fixed('.sum_sq', timer.sumSquares);
  if (layout.mean) points.fixed('.mean', timer.mean());
  if (layout.lower) points.fixed('.lower', timer.min);
  if (layout.upper) points.fixed('.upper', timer.max);
  if (layout.count) points.count('.count', timer.count);
  if (layout.stdev) points.fixed('.stdev', timer.stdev());
  const quantiles = layout.quantiles;
  for (let i = 0; i < quantiles.length; i++) {
    const value = timer.quantile(quantiles[i]);
    if (quantiles[i] === 0.5 && layout.median) points.fixed('.median', value);
    // statsite prints every configured quantile, whatever timers_include says.
    points.fixed(layout.quantileFields[i], value);
  }
  if (layout.rate) points.fixed('.rate', timer.sum / layout.flushInterval);
  if (layout.sampleRate) points.fixed('.sample_rate', timer.count / layout.flushInterval);

  const h = timer.histogram;
  const bins = timer.bins;
  if (h !== null && bins !== null) {
    points.count('.histogram.bin_<' + formatFixed(h.min, 2), bins[0]);
    for (let i = 0; i < bins.length - 2; i++) {
      points.count('.histogram.bin_' + formatFixed(h.min + h.width * i, 2), bins[i + 1]);
    }
    points.count('.histogram.bin_>' + formatFixed(h.max, 2), bins[bins.length - 1]);
  }
}
