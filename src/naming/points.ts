// Turns a finished bucket into (key, value text) points in statsite's order and spelling:
// kv, counters, timers, gauges, sets. Line-based sinks add their own separators and timestamp.

import type { Bucket } from '../aggregate/bucket.js';
import type { HistogramConfig } from '../aggregate/histogram.js';
import type { Timer } from '../aggregate/timer.js';
import { splitSeriesKey } from '../model/series-key.js';
import { formatFixed } from './c-format.js';
import type { KeyStyle } from './key-style.js';
import { finalPrefixes, type NamingConfig, type TimerField } from './naming-config.js';

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
   * Registers a field, the key suffix after a series' name (`.sum`, `.p95`, or '' for none), once
   * per flush: points name it by the number returned, so no field's text is encoded per point.
   */
  field(text: string): number;
  /**
   * The points that follow, until the next call, have keys `prefix + name + field + tags`, each
   * part spelled for the output already. Given in parts so that no key string is built per series.
   */
  series(prefix: string, name: string, tags: string): void;
  point(field: number, value: number, format: ValueFormat): void;
}

/** A field as renderPoints uses it: the writer's number for it, and whether the style spells it as it is. */
interface Field {
  readonly id: number;
  readonly text: string;
  /** style.path() leaves it unchanged after a clean head. */
  readonly clean: boolean;
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
  /** The empty field: a point whose whole path the style spelled goes with it. */
  readonly noField: Field;

  constructor(
    private readonly style: KeyStyle,
    private readonly out: PointWriter,
    private readonly pointsPerSlice: number,
  ) {
    this.sliceEnd = pointsPerSlice;
    this.noField = this.field('');
  }

  field(text: string): Field {
    const clean = this.style.verbatim === true || this.style.path('x' + text) === 'x' + text;
    return { id: this.out.field(text), text, clean };
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

  fixed(field: Field, value: number): void {
    this.point(field, value, 'fixed');
  }

  count(field: Field, value: number): void {
    this.point(field, value, 'count');
  }

  private point(field: Field, value: number, format: ValueFormat): void {
    this.written++;
    if (this.headIsClean && field.clean) {
      if (!this.writerHasHead) {
        this.out.series(this.prefix, this.name, this.tail);
        this.writerHasHead = true;
      }
      this.out.point(field.id, value, format);
    } else {
      this.out.series('', this.style.path(this.prefix + this.name + field.text), this.tail);
      this.writerHasHead = false;
      this.out.point(this.noField.id, value, format);
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
  const none = points.noField;

  for (const [key, kv] of bucket.keyValues) {
    points.series(prefix.kv, key);
    for (let i = kv.values.length - 1; i >= 0; i--) points.fixed(none, kv.values[i]);
    if (points.sliceIsFull()) yield;
  }

  const count = points.field('.count');
  const rate = points.field('.rate');
  for (const [key, counter] of bucket.counters) {
    points.series(prefix.counts, key);
    if (naming.extendedCounters) {
      if (naming.legacyExtendedCounters) points.count(count, counter.count);
      else points.fixed(count, counter.sum);
      points.fixed(rate, counter.sum / interval);
    } else {
      points.fixed(none, counter.sum);
    }
    if (points.sliceIsFull()) yield;
  }

  const layout = new TimerLayout(naming, points);
  for (const [key, timer] of bucket.timers) {
    writeTimer(points.series(prefix.timers, key), timer, layout);
    if (points.sliceIsFull()) yield;
  }

  for (const [key, gauge] of bucket.gauges) {
    points.series(prefix.gauges, key).fixed(none, gauge.value);
    if (points.sliceIsFull()) yield;
  }

  for (const [key, set] of bucket.sets) {
    points.series(prefix.sets, key).count(none, set.size());
    if (points.sliceIsFull()) yield;
  }
}

/**
 * What writeTimer prints, read from the config once per flush rather than per series: a field, or
 * null where timers_include leaves it out.
 */
class TimerLayout {
  readonly sum: Field | null;
  readonly sumSq: Field | null;
  readonly mean: Field | null;
  readonly lower: Field | null;
  readonly upper: Field | null;
  readonly count: Field | null;
  readonly stdev: Field | null;
  readonly median: Field | null;
  readonly rate: Field | null;
  readonly sampleRate: Field | null;
  readonly quantiles: readonly number[];
  /** `quantileFields[i]` is the key suffix of `quantiles[i]` (`.p95`). */
  readonly quantileFields: readonly Field[];
  readonly flushInterval: number;
  /** Per histogram config: the fields of its bins, `<min`, each bin's lower bound, `>max`. */
  private readonly binFields = new Map<HistogramConfig, Field[]>();

  constructor(
    naming: NamingConfig,
    private readonly points: SeriesPoints,
  ) {
    const include = naming.timersInclude;
    const field = (name: TimerField, text: string) => (include.has(name) ? points.field(text) : null);
    this.sum = field('sum', '.sum');
    this.sumSq = field('sum_sq', '.sum_sq');
    this.mean = field('mean', '.mean');
    this.lower = field('lower', '.lower');
    this.upper = field('upper', '.upper');
    this.count = field('count', '.count');
    this.stdev = field('stdev', '.stdev');
    this.median = field('median', '.median');
    this.rate = field('rate', '.rate');
    this.sampleRate = field('sample_rate', '.sample_rate');
    this.quantiles = naming.quantiles;
    this.quantileFields = naming.quantiles.map((q) => points.field('.p' + formatFixed(q * 100, 0)));
    this.flushInterval = naming.flushInterval;
  }

  bins(h: HistogramConfig, binCount: number): Field[] {
    let fields = this.binFields.get(h);
    if (fields === undefined) {
      fields = [this.points.field('.histogram.bin_<' + formatFixed(h.min, 2))];
      for (let i = 0; i < binCount - 2; i++) fields.push(this.points.field('.histogram.bin_' + formatFixed(h.min + h.width * i, 2)));
      fields.push(this.points.field('.histogram.bin_>' + formatFixed(h.max, 2)));
      this.binFields.set(h, fields);
    }
    return fields;
  }
}

function writeTimer(points: SeriesPoints, timer: Timer, layout: TimerLayout): void {
  if (layout.sum !== null) points.fixed(layout.sum, timer.sum);
  if (layout.sumSq !== null) points.fixed(layout.sumSq, timer.sumSquares);
  if (layout.mean !== null) points.fixed(layout.mean, timer.mean());
  if (layout.lower !== null) points.fixed(layout.lower, timer.min);
  if (layout.upper !== null) points.fixed(layout.upper, timer.max);
  if (layout.count !== null) points.count(layout.count, timer.count);
  if (layout.stdev !== null) points.fixed(layout.stdev, timer.stdev());
  const quantiles = layout.quantiles;
  for (let i = 0; i < quantiles.length; i++) {
    const value = timer.quantile(quantiles[i]);
    if (quantiles[i] === 0.5 && layout.median !== null) points.fixed(layout.median, value);
    // statsite prints every configured quantile, whatever timers_include says.
    points.fixed(layout.quantileFields[i], value);
  }
  if (layout.rate !== null) points.fixed(layout.rate, timer.sum / layout.flushInterval);
  if (layout.sampleRate !== null) points.fixed(layout.sampleRate, timer.count / layout.flushInterval);

  const h = timer.histogram;
  const bins = timer.bins;
  if (h !== null && bins !== null) {
    const fields = layout.bins(h, bins.length);
    for (let i = 0; i < bins.length; i++) points.count(fields[i], bins[i]);
  }
}
