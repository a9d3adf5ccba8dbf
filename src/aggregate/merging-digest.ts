// A compact merging t-digest (Dunning & Ertl, "Computing extremely accurate quantiles using
// t-digests", 2019: the MergingDigest with the k_1 scale function). The centroids live in one
// array of doubles, (mean, weight) pairs sorted by mean: 16 bytes per centroid and no object per
// centroid, where the `tdigest` package spends ~165 bytes on each. Adding a sorted batch is one
// linear merge with the centroids followed by one compressing pass. The timer's exact-sample
// array is the input buffer (it hands over sorted batches), so the digest keeps none of its own.
//
// A plain array in V8's heap, not a Float64Array, whose memory comes from malloc: a big interval
// of busy timers' digests, freed, stayed resident in a fragmented brk heap (bench/README.md).
//
// k_1: k(q) = δ/(2π)·asin(2q − 1). A centroid may span at most one unit of k, so centroids are
// small at both tails (~(π/δ)²·n samples at the extremes) and widest at the median (π/δ of the
// samples). Two neighbours always span more than one unit and k runs over δ/2, so there are at
// most δ + 1 centroids; in practice about 0.6·δ.

import { zeros } from './number-columns.js';
import type { Sketch } from './sketch.js';

/** δ: about 60 centroids per digest, for a rank error well under 0.1% (bench/README.md, accuracy). */
export const COMPRESSION = 100;

// One merge runs at a time (single thread), so all digests share the scratch space for it.
let scratch = new Float64Array(2048);

export class MergingDigest implements Sketch {
  /** mean, weight, mean, weight, … sorted by mean: one array, not an object per centroid. */
  private points = zeros(0);
  private size = 0;
  private total = 0;
  // The exact extremes: a quantile near a tail interpolates towards them, not past a centroid mean.
  private min = Infinity;
  private max = -Infinity;
  // cos and sin of 2π/δ, the step in asin(2q − 1) that one unit of k allows (see weightLimit).
  private readonly cosStep: number;
  private readonly sinStep: number;

  constructor(compression = COMPRESSION) {
    this.cosStep = Math.cos((2 * Math.PI) / compression);
    this.sinStep = Math.sin((2 * Math.PI) / compression);
  }

  get count(): number {
    return this.total;
  }

  addSorted(sorted: Float64Array, n: number): void {
    if (n === 0) return;
    this.min = Math.min(this.min, sorted[0]);
    this.max = Math.max(this.max, sorted[n - 1]);
    this.mergeSorted(sorted, n, false, n);
  }

  merge(other: Sketch): void {
    if (!(other instanceof MergingDigest)) {
      this.addCentroids(other.centroids());
      return;
    }
    if (other.size === 0) return;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    this.mergeSorted(other.centroids(), other.size, true, other.total);
  }

  centroids(): Float64Array {
    const copy = new Float64Array(2 * this.size);
    for (let i = 0; i < copy.length; i++) copy[i] = this.points[i];
    return copy;
  }

  addCentroids(pairs: ArrayLike<number>, from = 0): void {
    // Points from another process. A digest's own centroids (the usual case) are valid and sorted
    // and merge as they are; anything else is cleaned and sorted first.
    let total = 0;
    let sorted = true;
    for (let i = from; i + 1 < pairs.length; i += 2) {
      const weight = pairs[i + 1];
      if (!Number.isFinite(pairs[i]) || !(weight > 0) || !Number.isFinite(weight)) return this.addCleaned(pairs, from);
      if (i > from && pairs[i] < pairs[i - 2]) sorted = false;
      total += weight;
    }
    const n = (pairs.length - from) >> 1;
    if (n <= 0) return;
    if (!sorted) return this.addCleaned(pairs, from);
    const input =
      pairs instanceof Float64Array ? pairs.subarray(from, from + 2 * n) : Float64Array.from({ length: 2 * n }, (_, j) => pairs[from + j]);
    this.addSortedPairs(input, n, total);
  }

  /** addCentroids for points that need it: skips what could not be a centroid, sorts the rest by mean. */
  private addCleaned(pairs: ArrayLike<number>, from: number): void {
    const order: number[] = [];
    for (let i = from; i + 1 < pairs.length; i += 2) {
      if (Number.isFinite(pairs[i]) && pairs[i + 1] > 0 && Number.isFinite(pairs[i + 1])) order.push(i);
    }
    if (order.length === 0) return;
    order.sort((a, b) => pairs[a] - pairs[b]);
    const sorted = new Float64Array(2 * order.length);
    let total = 0;
    for (let j = 0; j < order.length; j++) {
      sorted[2 * j] = pairs[order[j]];
      sorted[2 * j + 1] = pairs[order[j] + 1];
      total += sorted[2 * j + 1];
    }
    this.addSortedPairs(sorted, order.length, total);
  }

  private addSortedPairs(sorted: Float64Array, n: number, total: number): void {
    // The senders' extremes are unknown; their outermost means are the best bounds there are.
    this.min = Math.min(this.min, sorted[0]);
    this.max = Math.max(this.max, sorted[2 * n - 2]);
    this.mergeSorted(sorted, n, true, total);
  }

  quantile(q: number): number {
    const n = this.size;
    if (n === 0) return NaN;
    const { points: p, total, min, max } = this;
    // Centroid i covers ranks [W_<i, W_<i + w_i) with its mean taken to sit at the middle; the
    // smallest sample (rank [0, 1)) is min and the largest is max.
    const index = q * total;
    if (index < 1) return min;
    if (index >= total - 1) return max;
    const first = p[1] / 2;
    if (index < first) return min + ((index - 1) / (first - 1)) * (p[0] - min);
    const last = p[2 * n - 1] / 2;
    if (index > total - last) return max - ((total - index - 1) / (last - 1)) * (max - p[2 * n - 2]);

    // Between the middles of two neighbours, interpolate linearly, except that a single sample
    // is a point: the half rank next to it belongs to its value, not to a slope.
    let below = first;
    for (let i = 0; i + 2 < 2 * n; i += 2) {
      const gap = (p[i + 1] + p[i + 3]) / 2;
      if (below + gap > index) {
        let left = index - below;
        let right = below + gap - index;
        if (p[i + 1] === 1) {
          if (left < 0.5) return p[i];
          left -= 0.5;
        }
        if (p[i + 3] === 1) {
          if (right <= 0.5) return p[i + 2];
          right -= 0.5;
        }
        // As a step from the left mean (not a weighted sum), so equal means give back that mean.
        return p[i] + ((p[i + 2] - p[i]) * left) / (left + right);
      }
      below += gap;
    }
    return p[2 * n - 2];
  }

  /**
   * Merges `n` inputs sorted by value — samples of weight 1, or (mean, weight) pairs when `pairs`,
   * `weight` in all — with the centroids, then compresses them in one greedy pass: a point joins
   * the current centroid while the centroid stays within one unit of k.
   */
  private mergeSorted(input: Float64Array, n: number, pairs: boolean, weight: number): void {
    const m = this.size + n;
    if (scratch.length < 2 * m) scratch = new Float64Array(Math.max(2 * m, 2 * scratch.length));
    const s = scratch;
    const own = this.points;
    for (let i = 0, j = 0, k = 0; k < 2 * m; k += 2) {
      if (j === n || (i < 2 * this.size && own[i] <= (pairs ? input[2 * j] : input[j]))) {
        s[k] = own[i];
        s[k + 1] = own[i + 1];
        i += 2;
      } else {
        s[k] = pairs ? input[2 * j] : input[j];
        s[k + 1] = pairs ? input[2 * j + 1] : 1;
        j++;
      }
    }
    this.total += weight;

    // Compress in place: `out` never overtakes the read position `i`. (The reference
    // implementation alternates the direction of this pass; measured here, that changed nothing.)
    let out = 0;
    let done = 0; // weight of the finished centroids
    let limit = this.weightLimit(0);
    for (let i = 2; i < 2 * m; i += 2) {
      if (done + s[out + 1] + s[i + 1] <= limit) {
        s[out + 1] += s[i + 1];
        s[out] += ((s[i] - s[out]) * s[i + 1]) / s[out + 1];
      } else {
        done += s[out + 1];
        limit = this.weightLimit(done);
        out += 2;
        s[out] = s[i];
        s[out + 1] = s[i + 1];
      }
    }
    this.size = out / 2 + 1;
    // Grown to fit, shrunk when a quarter is unused: memory per series is what this digest is
    // for, but a new array on every merge would cost more than the merge (the size wobbles).
    if (this.points.length < 2 * this.size || this.points.length > (8 * this.size) / 3) {
      this.points = zeros(2 * this.size);
    }
    const points = this.points;
    for (let i = 0; i < 2 * this.size; i++) points[i] = s[i];
  }

  /** The largest cumulative weight the centroid starting after `done` may reach: k(q) + 1. */
  private weightLimit(done: number): number {
    // With a = asin(2q − 1), the next q is (1 + sin(a + step)) / 2, and since sin a = 2q − 1 and
    // cos a = 2·sqrt(q(1 − q)), sin(a + step) expands without trigonometry (asin and sin for
    // every centroid cost a quarter of the merge, measured). Past a = π/2 − step the centroid
    // may run to the end.
    const q = done / this.total;
    if (2 * q - 1 >= this.cosStep) return this.total;
    const sin = (2 * q - 1) * this.cosStep + 2 * Math.sqrt(q * (1 - q)) * this.sinStep;
    return (this.total * (1 + sin)) / 2;
  }
}
