// Memory per series, measured in-process on the real aggregation code (dist/aggregate).
//
//   node --expose-gc bench/memory.mjs [COUNTER_SERIES] [TIMER_SERIES] [SAMPLES_PER_TIMER]
//
// Fills one Bucket with COUNTER_SERIES counters (one sample each), then a fresh one with
// TIMER_SERIES timers of SAMPLES_PER_TIMER samples each, and divides the growth of the heap plus
// off-heap memory (timers keep their samples in typed arrays, which live outside the JS heap) by
// the number of series. Keys are realistic names (`app.service.requests.k123456`, ~28 bytes), and
// are counted: the server holds them too. Prints one JSON object.

import { Bucket } from '../dist/aggregate/bucket.js';
import { createDefaultSketch } from '../dist/aggregate/sketch.js';
import { usedAfterGc as used } from './lib/heap-used.mjs';

const counterSeries = Number(process.argv[2] ?? 1_000_000);
const timerSeries = Number(process.argv[3] ?? 20_000);
const samplesPerTimer = Number(process.argv[4] ?? 1000);

function newBucket() {
  // maxSeries 0: no cardinality cap, so every series is kept.
  return new Bucket({ histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 });
}

function keyOf(i) {
  // Built from pieces, as the parser builds a key from bytes; flattened like a parsed string.
  return `app.service.requests.k${i}`;
}

function measure(series, fill) {
  const before = used();
  const started = process.hrtime.bigint();
  const bucket = fill(newBucket());
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const after = used();
  // Keep the bucket alive until after the measurement.
  if (bucket.size() !== series) throw new Error(`expected ${series} series, got ${bucket.size()}`);
  return { series, bytesPerSeries: Math.round((after - before) / series), fillSeconds: +seconds.toFixed(2) };
}

const counters = measure(counterSeries, (b) => {
  for (let i = 0; i < counterSeries; i++) b.counter(keyOf(i), 1, 1);
  return b;
});

// A cheap deterministic spread of sample values (xorshift), so the sketch sees varied data.
let seed = 0x2545f491;
function nextValue() {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return ((seed >>> 0) % 100_000) / 100;
}

const timers = measure(timerSeries, (b) => {
  // Series interleaved, as traffic arrives: every series gets its n-th sample before any its n+1-th.
  const keys = Array.from({ length: timerSeries }, (_, i) => keyOf(i));
  for (let s = 0; s < samplesPerTimer; s++) {
    for (let i = 0; i < timerSeries; i++) b.timer(keys[i], nextValue(), 1);
  }
  return b;
});

process.stdout.write(JSON.stringify({ counter: counters, timer: { ...timers, samplesPerSeries: samplesPerTimer } }) + '\n');
