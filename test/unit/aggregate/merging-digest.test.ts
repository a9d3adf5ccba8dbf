import { describe, expect, it } from 'vitest';
import { seeded } from '../../helpers/random.js';
import { COMPRESSION, MergingDigest } from '../../../src/aggregate/merging-digest.js';
import { TDigestSketch } from '../../../src/aggregate/sketch.js';


function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

const N = 200_000;
const SHAPES: Record<string, (r: () => number, i: number) => number> = {
  lognormal: (r) => 20 * Math.exp(gaussian(r)),
  bimodal: (r) => (r() < 0.8 ? 5 + gaussian(r) : 300 + 40 * gaussian(r)),
  uniform: (r) => r() * 1000,
  sorted: (_, i) => i / 10,
  'reverse-sorted': (_, i) => (N - i) / 10,
  negative: (r) => -50 + 10 * gaussian(r),
};

function samplesOf(shape: string, seed = 42): Float64Array {
  const r = seeded(seed);
  return Float64Array.from({ length: N }, (_, i) => SHAPES[shape](r, i));
}

/** A digest fed as the timer feeds it: batches of `batch` samples in arrival order, each sorted. */
function digestOf(samples: Float64Array, batch = 128, digest = new MergingDigest()): MergingDigest {
  for (let i = 0; i < samples.length; i += batch) {
    const chunk = samples.slice(i, i + batch).sort();
    digest.addSorted(chunk, chunk.length);
  }
  return digest;
}

/** |share of samples ≤ estimate − q|, samples sorted. */
function rankError(sorted: Float64Array, estimate: number, q: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= estimate) lo = mid + 1;
    else hi = mid;
  }
  return Math.abs(lo / sorted.length - q);
}

/** Issue 6 allows 0.5% at p99; the digest is meant to stay well inside it. */
const MAX_RANK_ERROR = 0.002;

function expectAccurate(digest: MergingDigest, samples: Float64Array): void {
  const sorted = samples.slice().sort();
  for (const q of [0.5, 0.95, 0.99]) {
    expect(rankError(sorted, digest.quantile(q), q), `p${q * 100}`).toBeLessThan(MAX_RANK_ERROR);
  }
  expect(digest.quantile(0)).toBe(sorted[0]);
  expect(digest.quantile(1)).toBe(sorted[sorted.length - 1]);
}

describe('MergingDigest', () => {
  for (const shape of Object.keys(SHAPES)) {
    it(`keeps p50/p95/p99 rank error small and the extremes exact (${shape})`, () => {
      const samples = samplesOf(shape);
      const digest = digestOf(samples);
      expectAccurate(digest, samples);
      expect(digest.count).toBe(N);
      // Compact: never more than δ + 1 centroids, however many samples.
      expect(digest.centroids().length / 2).toBeLessThanOrEqual(COMPRESSION + 1);
    });
  }

  it('takes one large sorted batch as well as many small ones', () => {
    const samples = samplesOf('lognormal');
    expectAccurate(digestOf(samples, N), samples);
  });

  it('merges digests of parts into the quantiles of the whole', () => {
    // Each part sees a different range of values, in random order: the union needs all of them.
    const samples = samplesOf('bimodal').sort();
    const r = seeded(7);
    const parts = [0, 1, 2, 3].map((p) => {
      const range = samples.slice((p * N) / 4, ((p + 1) * N) / 4);
      for (let i = range.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [range[i], range[j]] = [range[j], range[i]];
      }
      return digestOf(range);
    });
    const merged = new MergingDigest();
    for (const part of parts) merged.merge(part);
    expect(merged.count).toBe(N);
    expectAccurate(merged, samples);
  });

  it('merges a sketch of another kind through its centroids', () => {
    const samples = samplesOf('uniform');
    const other = new TDigestSketch();
    other.addSorted(samples.slice(0, N / 2).sort(), N / 2);
    const digest = digestOf(samples.slice(N / 2));
    digest.merge(other);
    expect(digest.count).toBe(N);
    const sorted = samples.slice().sort();
    for (const q of [0.5, 0.95, 0.99]) expect(rankError(sorted, digest.quantile(q), q)).toBeLessThan(MAX_RANK_ERROR);
  });

  it('round-trips through centroids() and addCentroids() unchanged', () => {
    const digest = digestOf(samplesOf('lognormal'));
    const pairs = digest.centroids();
    const copy = new MergingDigest();
    copy.addCentroids(pairs);
    // Compressing compressed centroids again merges nothing: the copy is the same digest.
    expect(copy.centroids()).toEqual(pairs);
    expect(copy.count).toBe(N);
    for (const q of [0.5, 0.95, 0.99]) expect(copy.quantile(q)).toBe(digest.quantile(q));
    // Without the sender's extremes, the outermost means bound the copy.
    expect([copy.quantile(0), copy.quantile(1)]).toEqual([pairs[0], pairs[pairs.length - 2]]);
  });

  it('preserves every weight through batches, merges and forwarding', () => {
    const a = digestOf(samplesOf('uniform', 1).subarray(0, 12_345));
    const b = digestOf(samplesOf('uniform', 2).subarray(0, 777), 50);
    a.merge(b);
    const forwarded = new MergingDigest();
    forwarded.addCentroids(a.centroids());
    forwarded.addCentroids([1, 1, 2, 3]);
    const pairs = forwarded.centroids();
    let weights = 0;
    for (let i = 1; i < pairs.length; i += 2) weights += pairs[i];
    expect([a.count, forwarded.count, weights]).toEqual([13_122, 13_126, 13_126]);
  });

  it('takes centroids sorted or not, in any array, from any offset, to the same digest', () => {
    const pairs = digestOf(samplesOf('lognormal')).centroids();
    const reference = new MergingDigest();
    reference.addCentroids(pairs);
    // Shuffled pairs, and pairs behind a prefix of a Float64Array (as a worker's packed part).
    const shuffled: number[] = [];
    for (let i = pairs.length - 2; i >= 0; i -= 2) shuffled.push(pairs[i], pairs[i + 1]);
    const packed = Float64Array.from([9, 9, 9, ...pairs, 123]).subarray(0, 3 + pairs.length);
    for (const [input, from] of [[shuffled, 0], [packed, 3]] as const) {
      const copy = new MergingDigest();
      copy.addCentroids(input, from);
      expect(copy.centroids()).toEqual(reference.centroids());
      expect(copy.count).toBe(N);
    }
  });

  it('ignores points that cannot be centroids', () => {
    const digest = new MergingDigest();
    digest.addCentroids([5, 2, 7, 0, NaN, 1, 9, -1, 3, Infinity, 4]);
    expect(Array.from(digest.centroids())).toEqual([5, 2]);
    expect(digest.count).toBe(2);
  });

  it('answers tiny inputs with the samples themselves', () => {
    expect(new MergingDigest().quantile(0.5)).toBeNaN();
    for (const sorted of [[4], [-3, 7], [-2.5, 0, 1e6]]) {
      const digest = new MergingDigest();
      digest.addSorted(Float64Array.from(sorted), sorted.length);
      expect(digest.count).toBe(sorted.length);
      for (const q of [0, 0.1, 0.25, 0.5, 0.75, 0.99, 1]) {
        // Each sample covers the ranks [i, i + 1): q·n falls in sample floor(q·n).
        expect(digest.quantile(q), `q=${q} of ${sorted}`).toBe(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
      }
    }
  });

  it('returns the value itself when all samples are equal', () => {
    const digest = digestOf(new Float64Array(50_000).fill(0.1));
    for (const q of [0, 0.01, 0.5, 0.99, 1]) expect(digest.quantile(q)).toBe(0.1);
    expect(digest.count).toBe(50_000);
  });

  it('interpolates monotonically between centroids', () => {
    const digest = digestOf(samplesOf('bimodal'));
    let previous = -Infinity;
    for (let q = 0; q <= 1; q += 0.001) {
      const value = digest.quantile(q);
      expect(value).toBeGreaterThanOrEqual(previous);
      previous = value;
    }
  });
});
