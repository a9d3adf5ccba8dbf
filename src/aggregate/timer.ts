// A timer (also `h` histograms and DogStatsD `d` distributions): exact sum, sum of squares,
// min, max and counts, plus quantiles. The samples of an interval stay exact in an array, which
// gives exact quantiles for the common small series; past EXACT_SAMPLES they are sorted and
// folded into a sketch in one batch, which bounds memory per series. The array is a plain one of
// doubles, in V8's heap, as the numbers' columns are (number-columns.ts says why not a typed array).

import { binIndex, type HistogramConfig } from './histogram.js';
import { NumberColumns, zeros } from './number-columns.js';
import type { Sketch, SketchFactory } from './sketch.js';

/**
 * Samples kept exact per series and interval before folding into the sketch: enough for statsite's
 * test vectors (up to 100) to come out exact, small enough that a busy timer stays a few KB.
 */
export const EXACT_SAMPLES = 128;
const INITIAL_CAPACITY = 8;
/** One sort at a time (the thread is single): every timer sorts its exact samples here, natively. */
const sortScratch = new Float64Array(EXACT_SAMPLES);

/** A timer's mergeable form: its exact statistics and weighted points. */
export interface TimerState {
  count: number;
  samples: number;
  sum: number;
  sumSquares: number;
  min: number;
  max: number;
  /** Some samples came as `h` or `d` (see Timer.unitless); absent for `ms` only. */
  unitless?: true;
  /** The first `exactPoints` pairs of `points` are single samples; the rest are sketch centroids. */
  exactPoints: number;
  /** mean, weight, mean, weight, … */
  points: ArrayLike<number>;
  bins: ArrayLike<number> | null;
}

/** A timer's numbers, a row of NumberColumns: where each is in its row. */
const COUNT = 0;
const SAMPLES = 1;
const SUM = 2;
const SUM_SQUARES = 3;
const MIN = 4;
const MAX = 5;
/** The one sample of a series that has only one (see `exact`). */
const SINGLE = 6;
/** Numbers in a timer's row; a bucket's NumberColumns for its timers have this width. */
export const TIMER_NUMBERS = 7;

export class Timer {
  /** The numbers, in the row at `at` of a bucket's columns (number-columns.ts says why not fields). */
  private readonly values: number[];
  private readonly at: number;
  /**
   * Some samples came as `h` or `d`, which carry no unit, rather than `ms`: statsd_exporter turns
   * only `ms` into seconds, and the Prometheus sink does the same.
   */
  unitless = false;
  /** Counts per bin of the histogram config, a plain array as `exact` is. */
  readonly bins: number[] | null;

  /**
   * The exact samples, allocated at the second one: most series get a single sample per
   * interval, and an array per series would add ~100 bytes and GC work (seconds when a
   * million new series are created and dropped). Until then the one sample is in the row.
   */
  private exact: number[] | null = null;
  private exactCount = 0;
  private sorted = true;
  private sketch: Sketch | null = null;

  /** `columns`: the bucket's, shared by its timers; by default a row of the timer's own. */
  constructor(
    private readonly newSketch: SketchFactory,
    readonly histogram: HistogramConfig | null = null,
    binCount = 0,
    columns = new NumberColumns(TIMER_NUMBERS, 1),
  ) {
    this.at = columns.claim();
    this.values = columns.array;
    this.values[this.at + MIN] = Infinity;
    this.values[this.at + MAX] = -Infinity;
    this.bins = histogram === null ? null : zeros(binCount);
  }

  /** statsite's count: Σ 1/sample_rate, truncated to an integer after every add. */
  get count(): number {
    return this.values[this.at + COUNT];
  }

  /** Samples actually received; mean and stdev divide by this. */
  get samples(): number {
    return this.values[this.at + SAMPLES];
  }

  get sum(): number {
    return this.values[this.at + SUM];
  }

  get sumSquares(): number {
    return this.values[this.at + SUM_SQUARES];
  }

  get min(): number {
    return this.values[this.at + MIN];
  }

  get max(): number {
    return this.values[this.at + MAX];
  }

  add(value: number, sampleRate: number, unitless = false): void {
    if (unitless) this.unitless = true;
    const v = this.values;
    const at = this.at;
    v[at + COUNT] = Math.trunc(v[at + COUNT] + 1 / sampleRate);
    v[at + SAMPLES]++;
    v[at + SUM] += value;
    v[at + SUM_SQUARES] += value * value;
    if (value < v[at + MIN]) v[at + MIN] = value;
    if (value > v[at + MAX]) v[at + MAX] = value;
    if (this.bins !== null) this.bins[binIndex(this.histogram!, this.bins.length, value)]++;

    this.addExact(value);
  }

  private addExact(value: number): void {
    if (this.exact === null && this.exactCount === 0) {
      this.values[this.at + SINGLE] = value;
      this.exactCount = 1;
      return;
    }
    let exact = this.exactArray();
    if (this.exactCount === exact.length) {
      if (this.exactCount >= EXACT_SAMPLES) this.foldIntoSketch();
      else exact = this.growExact();
    }
    const last = this.exactCount > 0 ? exact[this.exactCount - 1] : -Infinity;
    if (value < last) this.sorted = false;
    exact[this.exactCount++] = value;
  }

  /** The exact samples as an array, moving a lone sample (SINGLE in the row) into one first. */
  private exactArray(): number[] {
    if (this.exact === null) {
      this.exact = zeros(INITIAL_CAPACITY);
      this.exact[0] = this.values[this.at + SINGLE];
    }
    return this.exact;
  }

  mean(): number {
    return this.samples > 0 ? this.sum / this.samples : 0;
  }

  /** Sample standard deviation, 0 for a single sample (as statsite). */
  stdev(): number {
    const n = this.samples;
    const div = n * (n - 1);
    if (div === 0) return 0;
    const variance = (n * this.sumSquares - this.sum * this.sum) / div;
    return variance > 0 ? Math.sqrt(variance) : 0;
  }

  /** The value at rank q: nearest-rank on exact samples, else the sketch's estimate. */
  quantile(q: number): number {
    if (this.samples === 0) return 0;
    if (this.sketch === null) {
      if (this.exact === null) return this.values[this.at + SINGLE];
      this.sortExact();
      const rank = Math.min(this.exactCount - 1, Math.max(0, Math.ceil(q * this.exactCount) - 1));
      return this.exact[rank];
    }
    if (this.exactCount > 0) this.foldIntoSketch();
    return Math.min(this.max, Math.max(this.min, this.sketch.quantile(q)));
  }

  state(): TimerState {
    const points = this.points(); // first: it may fold the exact samples into the sketch
    return {
      count: this.count, samples: this.samples, sum: this.sum, sumSquares: this.sumSquares, min: this.min, max: this.max,
      ...(this.unitless ? { unitless: true as const } : {}),
      exactPoints: this.exactCount,
      points,
      bins: this.bins === null ? null : this.bins.slice(),
    };
  }

  /**
   * With a sketch, its centroids alone, the exact samples folded in first (as quantile() would):
   * the receiver merges one sorted run instead of taking each sample and folding again, and the
   * typed array goes as it is (no array of numbers built per timer). Else the exact samples.
   */
  private points(): ArrayLike<number> {
    if (this.sketch !== null) {
      if (this.exactCount > 0) this.foldIntoSketch();
      return this.sketch.centroids();
    }
    const points: number[] = [];
    for (let i = 0; i < this.exactCount; i++) points.push(this.exact === null ? this.values[this.at + SINGLE] : this.exact[i], 1);
    return points;
  }

  /** Another partial timer of the same series: statistics add, samples and centroids join. */
  mergeState(p: TimerState): void {
    const v = this.values;
    const at = this.at;
    v[at + COUNT] += p.count;
    v[at + SAMPLES] += p.samples;
    v[at + SUM] += p.sum;
    v[at + SUM_SQUARES] += p.sumSquares;
    v[at + MIN] = Math.min(v[at + MIN], p.min);
    v[at + MAX] = Math.max(v[at + MAX], p.max);
    if (p.unitless === true) this.unitless = true;
    if (this.bins !== null && p.bins !== null && p.bins.length === this.bins.length) {
      for (let i = 0; i < this.bins.length; i++) this.bins[i] += p.bins[i];
    }
    // Exact samples stay exact (small series keep exact quantiles); centroids go to the sketch.
    for (let i = 0; i < p.exactPoints; i++) this.addExact(p.points[2 * i]);
    if (p.points.length > 2 * p.exactPoints) {
      this.sketch ??= this.newSketch();
      this.sketch.addCentroids(p.points, 2 * p.exactPoints);
    }
  }

  /** The exact samples, ascending, at the start of sortScratch. */
  private sortedInScratch(): Float64Array {
    if (this.exact === null) sortScratch[0] = this.values[this.at + SINGLE];
    else for (let i = 0; i < this.exactCount; i++) sortScratch[i] = this.exact[i];
    if (!this.sorted) sortScratch.subarray(0, this.exactCount).sort();
    return sortScratch;
  }

  /** Only ever unsorted with two or more samples, which live in `exact`. */
  private sortExact(): void {
    if (this.sorted) return;
    const sorted = this.sortedInScratch();
    for (let i = 0; i < this.exactCount; i++) this.exact![i] = sorted[i];
    this.sorted = true;
  }

  private foldIntoSketch(): void {
    const sorted = this.sortedInScratch();
    this.sketch ??= this.newSketch();
    this.sketch.addSorted(sorted, this.exactCount);
    this.exactCount = 0;
    this.sorted = true;
  }

  private growExact(): number[] {
    const grown = zeros(Math.min(EXACT_SAMPLES, this.exact!.length * 2));
    for (let i = 0; i < this.exactCount; i++) grown[i] = this.exact![i];
    return (this.exact = grown);
  }
}
