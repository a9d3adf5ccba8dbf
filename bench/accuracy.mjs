// Quantile accuracy of the timer as the server computes it (dist/aggregate: exact samples folded
// into the default sketch in sorted batches), on 1M samples from two shapes, against the exact
// quantiles of the same samples.
//
//   node bench/accuracy.mjs [SAMPLES]
//
// Rank error of an estimate e for quantile q: |F(e) - q|, F the empirical CDF of the samples
// (the share of samples <= e). 0.005 = the estimate sits half a percent of the samples away.
// Prints one JSON object.

import { Timer } from '../dist/aggregate/timer.js';
import { createDefaultSketch } from '../dist/aggregate/sketch.js';

const N = Number(process.argv[2] ?? 1_000_000);
const QUANTILES = [0.5, 0.95, 0.99];

// Seeded uniform (mulberry32) and normal (Box-Muller), so every run sees the same samples.
function uniform(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function normal(rand) {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

const SHAPES = {
  // Latency-like: long right tail (median 20 ms, p99 around 200 ms).
  lognormal(rand) {
    const z = normal(rand);
    return () => 20 * Math.exp(z());
  },
  // Two modes: 80% fast around 5 ms (cache hits), 20% slow around 300 ms (misses).
  bimodal(rand) {
    const z = normal(rand);
    return () => (rand() < 0.8 ? Math.max(0, 5 + 1 * z()) : Math.max(0, 300 + 40 * z()));
  },
};

/** Share of sorted samples <= x (binary search). */
function cdf(sorted, x) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo / sorted.length;
}

const result = {};
for (const [name, make] of Object.entries(SHAPES)) {
  const next = make(uniform(name.length * 7919));
  const samples = new Float64Array(N);
  const timer = new Timer(createDefaultSketch);
  const started = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const v = next();
    samples[i] = v;
    timer.add(v, 1);
  }
  const addNs = Number(process.hrtime.bigint() - started) / N;
  samples.sort();
  result[name] = { samples: N, nsPerAdd: Math.round(addNs) };
  for (const q of QUANTILES) {
    const estimate = timer.quantile(q);
    const exact = samples[Math.min(N - 1, Math.ceil(q * N) - 1)];
    result[name][`p${q * 100}`] = {
      estimate: +estimate.toFixed(4),
      exact: +exact.toFixed(4),
      rankError: +Math.abs(cdf(samples, estimate) - q).toFixed(6),
    };
  }
}
process.stdout.write(JSON.stringify(result) + '\n');
