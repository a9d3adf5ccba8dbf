// The streaming quantile sketch behind one small interface, so another sketch can be measured
// and swapped without touching the timer. Default: the compact MergingDigest (merging-digest.ts),
// an order of magnitude smaller and faster to fold than the `tdigest` package at the same rank
// error; that package stays available as TDigestSketch, the measured alternative. Figures:
// bench/README.md (memory, accuracy), docs/performance.md.

import type TDigestPackage from 'tdigest';
import { lazyPackage } from '../util/lazy-package.js';
import { MergingDigest } from './merging-digest.js';

export interface Sketch {
  /** Folds in `n` ascending values from `sorted`. */
  addSorted(sorted: Float64Array, n: number): void;
  /** Merges another sketch of the same kind (for partial buckets from several workers). */
  merge(other: Sketch): void;
  /** The sketch as weighted points (mean, weight, mean, weight, …), to ship to another process: a copy. */
  centroids(): Float64Array;
  /** Folds in weighted points from centroids(), starting at index `from` of `pairs`. */
  addCentroids(pairs: ArrayLike<number>, from?: number): void;
  /** The estimated value at rank q·count, q in [0, 1]. */
  quantile(q: number): number;
  readonly count: number;
}

/** t-digest compression: the largest share of all samples one centroid may hold (~rank error). */
const DELTA = 0.01;

/** Loaded with the first TDigestSketch: the default sketch does not need it. */
const tdigest = lazyPackage<typeof TDigestPackage>('tdigest');

export class TDigestSketch implements Sketch {
  private readonly digest = new (tdigest().TDigest)(DELTA, 25, 1.1);

  get count(): number {
    return this.digest.n;
  }

  addSorted(sorted: Float64Array, n: number): void {
    // Pushing samples one by one is slow in this package. A sorted batch is first cut into runs no larger
    // than the t-digest size bound at their rank (4·n·δ·q(1−q)), so the digest sees a few centroids
    // per batch instead of every sample: singletons at the tails, small runs in the middle.
    let i = 0;
    while (i < n) {
      const q = (i + 0.5) / n;
      const limit = Math.max(1, Math.floor(4 * n * DELTA * q * (1 - q)));
      const runEnd = Math.min(n, i + limit);
      let sum = 0;
      for (let j = i; j < runEnd; j++) sum += sorted[j];
      this.digest.push_centroid({ mean: sum / (runEnd - i), n: runEnd - i });
      i = runEnd;
    }
  }

  merge(other: Sketch): void {
    this.addCentroids(other.centroids());
  }

  centroids(): Float64Array {
    const all = this.digest.toArray();
    const pairs = new Float64Array(2 * all.length);
    for (let i = 0; i < all.length; i++) {
      pairs[2 * i] = all[i].mean;
      pairs[2 * i + 1] = all[i].n;
    }
    return pairs;
  }

  addCentroids(pairs: ArrayLike<number>, from = 0): void {
    for (let i = from; i + 1 < pairs.length; i += 2) this.digest.push_centroid({ mean: pairs[i], n: pairs[i + 1] });
  }

  quantile(q: number): number {
    return this.digest.percentile(q) ?? NaN;
  }
}

export type SketchFactory = () => Sketch;
export const createDefaultSketch: SketchFactory = () => new MergingDigest();
