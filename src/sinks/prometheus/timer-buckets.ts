// Histogram bucket counts for one interval's timer. The timer keeps aggregates plus its
// samples — exactly up to EXACT_SAMPLES per interval, then in a t-digest — and answers
// quantiles, so "how many samples are ≤ bound" is found by searching its quantiles for the
// bound. With exact samples the quantiles are nearest-rank and the count is exact; once the
// timer has folded samples into its sketch the count is an estimate within the sketch's rank
// error (about 0.1 % of the interval's samples).

import type { Timer } from '../../aggregate/timer.js';

/**
 * How many of the interval's samples are ≤ `bound`, comparing sample / `divisor` (the exposed
 * unit: dividing rounds correctly, so 70 ms / 1000 is exactly the double written as 0.07).
 */
export function samplesAtOrBelow(timer: Timer, bound: number, divisor = 1): number {
  const n = timer.samples;
  if (n === 0 || bound < timer.min / divisor) return 0;
  if (bound >= timer.max / divisor) return n;
  // The largest k with (k-th smallest sample) ≤ bound. quantile((k − ½)/n) is the k-th smallest
  // (its rank is ceil(k − ½) = k, safe from rounding); k = 1 is the minimum, already ≤ bound.
  let lo = 1;
  let hi = n - 1; // the maximum is above bound
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (timer.quantile((mid - 0.5) / n) / divisor <= bound) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
