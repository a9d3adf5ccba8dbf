// One flush interval's worth of series, one table per metric type. Ingest writes into the current
// bucket; at flush the aggregator swaps it out and the old one is only read from then on.

import type { SampleHandler } from '../protocol/metric-type.js';
import { Counter } from './counter.js';
import { Gauge } from './gauge.js';
import { binCount, findHistogram, type HistogramConfig } from './histogram.js';
import { KeyValues } from './key-values.js';
import { SetMetric, type SetState } from './set.js';
import type { SketchFactory } from './sketch.js';
import { SeriesById } from './series-by-id.js';
import { SeriesLimit } from './series-limit.js';
import { Timer, type TimerParts } from './timer.js';
import { splitSeriesKey } from '../protocol/metric-type.js';
import { NO_GENERATION } from '../protocol/key-interner.js';

export interface BucketSettings {
  histograms: readonly HistogramConfig[];
  /** HyperLogLog precision for sets past their exact size. */
  setPrecision: number;
  newSketch: SketchFactory;
  /** Most distinct series per interval, all types together; 0 = no limit. */
  maxSeries: number;
}

export class Bucket implements SampleHandler {
  // Series are only ever added to these Maps, never removed or replaced: the SeriesById
  // indexes below hand out the objects they hold.
  readonly counters = new Map<string, Counter>();
  readonly timers = new Map<string, Timer>();
  readonly gauges = new Map<string, Gauge>();
  readonly sets = new Map<string, SetMetric>();
  readonly keyValues = new Map<string, KeyValues>();
  readonly limit: SeriesLimit;
  private seriesCount = 0;
  private readonly counterIds = new SeriesById<Counter>();
  private readonly timerIds = new SeriesById<Timer>();
  private readonly gaugeIds = new SeriesById<Gauge>();
  private readonly setIds = new SeriesById<SetMetric>();
  private readonly keyValueIds = new SeriesById<KeyValues>();

  constructor(private readonly settings: BucketSettings) {
    this.limit = new SeriesLimit(settings.maxSeries);
  }

  // Each sample method finds its series by interner id first (SeriesById), then by key; a new
  // series goes into the Map, where every reader finds it, and is remembered under its id.

  counter(key: string, value: number, sampleRate: number, keyId = 0, keyGeneration = NO_GENERATION): void {
    let c = this.counterIds.get(keyId, keyGeneration);
    if (c === undefined) {
      c = this.counters.get(key);
      if (c === undefined) {
        if (!this.admit(key)) return;
        this.counters.set(key, (c = new Counter()));
      }
      this.counterIds.set(keyId, keyGeneration, c);
    }
    c.add(value, sampleRate);
  }

  timer(key: string, value: number, sampleRate: number, keyId = 0, keyGeneration = NO_GENERATION): void {
    let t = this.timerIds.get(keyId, keyGeneration);
    if (t === undefined) {
      t = this.timers.get(key);
      if (t === undefined) {
        if (!this.admit(key)) return;
        this.timers.set(key, (t = this.newTimer(key)));
      }
      this.timerIds.set(keyId, keyGeneration, t);
    }
    t.add(value, sampleRate);
  }

  gauge(key: string, value: number, isDelta: boolean, keyId = 0, keyGeneration = NO_GENERATION): void {
    let g = this.gaugeIds.get(keyId, keyGeneration);
    if (g === undefined) {
      g = this.gauges.get(key);
      if (g === undefined) {
        if (!this.admit(key)) return;
        this.gauges.set(key, (g = new Gauge()));
      }
      this.gaugeIds.set(keyId, keyGeneration, g);
    }
    if (isDelta) g.addDelta(value, Date.now());
    else g.set(value, Date.now());
  }

  set(key: string, member: Uint8Array | string, keyId = 0, keyGeneration = NO_GENERATION): void {
    let s = this.setIds.get(keyId, keyGeneration);
    if (s === undefined) {
      s = this.sets.get(key);
      if (s === undefined) {
        if (!this.admit(key)) return;
        this.sets.set(key, (s = new SetMetric(this.settings.setPrecision)));
      }
      this.setIds.set(keyId, keyGeneration, s);
    }
    s.add(member);
  }

  kv(key: string, value: number, keyId = 0, keyGeneration = NO_GENERATION): void {
    let k = this.keyValueIds.get(keyId, keyGeneration);
    if (k === undefined) {
      k = this.keyValues.get(key);
      if (k === undefined) {
        if (!this.admit(key)) return;
        this.keyValues.set(key, (k = new KeyValues()));
      }
      this.keyValueIds.set(keyId, keyGeneration, k);
    }
    k.add(value);
  }

  // Merging partial aggregates from elsewhere (forwarded snapshots); same limits as samples.

  mergeCounter(key: string, sum: number, count: number): void {
    const c = this.mergeTarget(this.counters, key, () => new Counter());
    if (c === undefined) return;
    c.sum += sum;
    c.count += count;
  }

  mergeTimer(key: string, parts: TimerParts): void {
    this.mergeTarget(this.timers, key, () => this.newTimer(key))?.mergeParts(parts);
  }

  /** The newest absolute write wins, wherever it happened; deltas add (see Gauge.merge). */
  mergeGauge(key: string, value: number, updatedAt: number, deltasOnly: boolean): void {
    this.mergeTarget(this.gauges, key, () => new Gauge())?.merge(value, updatedAt, deltasOnly);
  }

  mergeSet(key: string, state: SetState): void {
    this.mergeTarget(this.sets, key, () => new SetMetric(this.settings.setPrecision))?.mergeState(state);
  }

  mergeKeyValues(key: string, values: readonly number[]): void {
    for (const v of values) this.kv(key, v);
  }

  /** Series in the bucket, all types together. */
  size(): number {
    return this.seriesCount;
  }

  /** The series to merge into, created (within the limit) when new. Off the hot path, so a closure is fine. */
  private mergeTarget<T>(map: Map<string, T>, key: string, create: () => T): T | undefined {
    let series = map.get(key);
    if (series === undefined && this.admit(key)) map.set(key, (series = create()));
    return series;
  }

  /** Whether a new series may be created; counts the drop when not. */
  private admit(key: string): boolean {
    if (this.limit.allows(this.seriesCount)) {
      this.seriesCount++;
      return true;
    }
    this.limit.recordDrop(key);
    return false;
  }

  private newTimer(key: string): Timer {
    // Histograms match on the metric name, not its tags. Most configs have none: skip the split.
    const histograms = this.settings.histograms;
    const histogram = histograms.length === 0 ? null : findHistogram(histograms, splitSeriesKey(key).name);
    return new Timer(this.settings.newSketch, histogram, histogram === null ? 0 : binCount(histogram));
  }
}
