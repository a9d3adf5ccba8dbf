// One flush interval's worth of series, one table per metric type. Ingest writes into the current
// bucket; at flush the aggregator swaps it out and the old one is only read from then on.

import type { SampleHandler } from '../model/sample-handler.js';
import { CounterTable, type CounterState } from './counter.js';
import { Gauge, type GaugeState } from './gauge.js';
import { binCount, findHistogram, type HistogramConfig } from './histogram.js';
import { KeyValues, type KeyValuesState } from './key-values.js';
import { SetMetric, type SetState } from './set.js';
import type { SketchFactory } from './sketch.js';
import { SeriesById } from './series-by-id.js';
import { SeriesLimit } from './series-limit.js';
import { NumberColumns } from './number-columns.js';
import { Timer, TIMER_NUMBERS, type TimerState } from './timer.js';
import { splitSeriesKey } from '../model/series-key.js';
import { NO_GENERATION } from '../model/sample-handler.js';

/** The bucket's tables, in the order partial buckets are packed and merged. */
export const TABLES = ['counters', 'gauges', 'sets', 'timers', 'keyValues'] as const;
export type Table = (typeof TABLES)[number];

/** Each table's series in its mergeable form. */
export interface StateOf {
  counters: CounterState;
  gauges: GaugeState;
  sets: SetState;
  timers: TimerState;
  keyValues: KeyValuesState;
}

/** What every metric type has besides its own add(): its state, and the merge of another's. */
interface Mergeable<S> {
  state(): S;
  mergeState(state: S): void;
}

export interface BucketSettings {
  histograms: readonly HistogramConfig[];
  /** HyperLogLog precision for sets past their exact size. */
  setPrecision: number;
  newSketch: SketchFactory;
  /** Most distinct series per interval, all types together; 0 = no limit. */
  maxSeries: number;
}

export class Bucket implements SampleHandler {
  // Series are only ever added to these tables, never removed or replaced: the SeriesById
  // indexes below hand out what they hold (the series' objects; for counters, row numbers).
  readonly counters = new CounterTable();
  readonly timers = new Map<string, Timer>();
  readonly gauges = new Map<string, Gauge>();
  readonly sets = new Map<string, SetMetric>();
  readonly keyValues = new Map<string, KeyValues>();
  readonly limit: SeriesLimit;
  private seriesCount = 0;
  private readonly counterIds = new SeriesById<number>();
  private readonly timerIds = new SeriesById<Timer>();
  /** The numbers of this bucket's timers (number-columns.ts). */
  private readonly timerNumbers = new NumberColumns(TIMER_NUMBERS);
  private readonly gaugeIds = new SeriesById<Gauge>();
  private readonly setIds = new SeriesById<SetMetric>();
  private readonly keyValueIds = new SeriesById<KeyValues>();

  constructor(private readonly settings: BucketSettings) {
    this.limit = new SeriesLimit(settings.maxSeries);
  }

  // Each sample method finds its series by interner id first (SeriesById), then by key; a new
  // series goes into its table, where every reader finds it, and is remembered under its id.

  counter(key: string, value: number, sampleRate: number, keyId = 0, keyGeneration = NO_GENERATION): void {
    let row = this.counterIds.get(keyId, keyGeneration);
    if (row === undefined) {
      row = this.counterRow(key);
      if (row < 0) return;
      this.counterIds.set(keyId, keyGeneration, row);
    }
    this.counters.add(row, value, sampleRate);
  }

  timer(key: string, value: number, sampleRate: number, keyId = 0, keyGeneration = NO_GENERATION, unitless = false): void {
    let t = this.timerIds.get(keyId, keyGeneration);
    if (t === undefined) {
      t = this.timers.get(key);
      if (t === undefined) {
        if (!this.admit(key)) return;
        this.timers.set(key, (t = this.newTimer(key)));
      }
      this.timerIds.set(keyId, keyGeneration, t);
    }
    t.add(value, sampleRate, unitless);
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
    g.add(value, isDelta, Date.now());
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

  // Partial aggregates from elsewhere (ingest workers, forwarded snapshots) go through each type's
  // state() and mergeState(), with the same series limit as samples.

  /** Every series of one table in its mergeable form. */
  *states<T extends Table>(table: T): Generator<[string, StateOf[T]]> {
    for (const [key, series] of this[table] as Iterable<[string, { state(): StateOf[T] }]>) yield [key, series.state()];
  }

  mergeState<T extends Table>(table: T, key: string, state: StateOf[T]): void {
    if (table === 'counters') {
      const row = this.counterRow(key);
      if (row >= 0) this.counters.merge(row, state as CounterState);
      return;
    }
    const map = this[table] as unknown as Map<string, Mergeable<StateOf[T]>>;
    let series = map.get(key);
    if (series === undefined) {
      if (!this.admit(key)) return;
      map.set(key, (series = this.newSeries(table, key)));
    }
    series.mergeState(state);
  }

  /** Series in the bucket, all types together. */
  size(): number {
    return this.seriesCount;
  }

  /** The row of `key` in the counters, added if new; -1 when the series limit keeps it out. */
  private counterRow(key: string): number {
    const row = this.counters.rowOf(key);
    if (row >= 0) return row;
    return this.admit(key) ? this.counters.addRow(key) : -1;
  }

  private newSeries<T extends Table>(table: T, key: string): Mergeable<StateOf[T]> {
    let series: Mergeable<StateOf[Table]>;
    switch (table) {
      case 'gauges': series = new Gauge(); break;
      case 'sets': series = new SetMetric(this.settings.setPrecision); break;
      case 'timers': series = this.newTimer(key); break;
      default: series = new KeyValues();
    }
    return series as Mergeable<StateOf[T]>;
  }

  /** Whether a new series may be created; counts the drop when not. */
  private admit(key: string): boolean {
    if (this.limit.allows(this.seriesCount)) {
      this.seriesCount++;
      this.limit.recordSeries(key);
      return true;
    }
    this.limit.recordDrop(key);
    return false;
  }

  private newTimer(key: string): Timer {
    // Histograms match on the metric name, not its tags. Most configs have none: skip the split.
    const histograms = this.settings.histograms;
    const histogram = histograms.length === 0 ? null : findHistogram(histograms, splitSeriesKey(key).name);
    return new Timer(this.settings.newSketch, histogram, histogram === null ? 0 : binCount(histogram), this.timerNumbers);
  }
}
