import { describe, expect, it } from 'vitest';
import { seeded } from '../../helpers/random.js';
import { EXACT_SAMPLES, Timer } from '../../../src/aggregate/timer.js';
import { createDefaultSketch } from '../../../src/aggregate/sketch.js';


function rankOf(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo / sorted.length;
}

describe('Timer', () => {
  it('keeps exact statistics and nearest-rank quantiles for small series', () => {
    const t = new Timer(createDefaultSketch);
    for (let v = 100; v >= 1; v--) t.add(v, 1);
    expect([t.count, t.samples, t.sum, t.sumSquares, t.min, t.max]).toEqual([100, 100, 5050, 338350, 1, 100]);
    expect(t.mean()).toBe(50.5);
    expect(t.stdev()).toBeCloseTo(29.011492, 6);
    expect([t.quantile(0.5), t.quantile(0.95), t.quantile(0.99), t.quantile(0.25)]).toEqual([50, 95, 99, 25]);
  });

  it('counts sampled values as statsite: 1/rate per sample, truncated each time', () => {
    const t = new Timer(createDefaultSketch);
    t.add(1, 0.3);
    t.add(1, 0.3);
    expect(t.count).toBe(6);
    expect(t.samples).toBe(2);
    expect(t.mean()).toBe(1);
  });

  it('has stdev 0 for one sample', () => {
    const t = new Timer(createDefaultSketch);
    t.add(5, 1);
    expect(t.stdev()).toBe(0);
  });

  for (const [name, draw] of [
    ['lognormal', (r: () => number) => Math.exp(Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()))],
    ['bimodal', (r: () => number) => (r() < 0.7 ? 10 + r() * 5 : 200 + r() * 50)],
  ] as const) {
    it(`keeps quantile rank error small past the exact bound (${name})`, () => {
      const r = seeded(42);
      const t = new Timer(createDefaultSketch);
      const n = 200_000;
      const all = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        all[i] = draw(r);
        t.add(all[i], 1);
      }
      all.sort();
      expect(n).toBeGreaterThan(EXACT_SAMPLES);
      for (const q of [0.5, 0.95, 0.99]) {
        expect(Math.abs(rankOf(all, t.quantile(q)) - q)).toBeLessThan(0.005);
      }
      expect(t.quantile(0)).toBeGreaterThanOrEqual(all[0]);
      expect(t.quantile(1)).toBeLessThanOrEqual(all[n - 1]);
    });
  }

  it('merges partial timers into the statistics of all samples', () => {
    const a = new Timer(createDefaultSketch);
    const b = new Timer(createDefaultSketch);
    for (let i = 1; i <= 1000; i++) (i % 2 ? a : b).add(i, 1);
    a.mergeState(b.state());
    expect([a.samples, a.sum, a.min, a.max]).toEqual([1000, 500500, 1, 1000]);
    expect(Math.abs(a.quantile(0.5) - 500)).toBeLessThan(10);
  });

  // One sample is kept without an array; these cover the moves from that form to the others.
  it('answers a one-sample timer exactly, and keeps it when a second sample arrives', () => {
    const t = new Timer(createDefaultSketch);
    t.add(7, 1);
    expect([t.quantile(0.5), t.quantile(0.99), t.mean(), t.stdev()]).toEqual([7, 7, 7, 0]);
    expect(t.state()).toMatchObject({ samples: 1, exactPoints: 1, points: [7, 1] });
    t.add(3, 1);
    expect([t.quantile(0.5), t.quantile(1)]).toEqual([3, 7]);
  });

  it('hands over a timer with a sketch as centroids only, which merge to the same quantiles', () => {
    const big = new Timer(createDefaultSketch);
    for (let i = 0; i < 3 * EXACT_SAMPLES + 5; i++) big.add((i * 37) % 1000, 1);
    const state = big.state();
    // The exact samples left over are folded in: the receiver merges one sorted run, never each sample.
    expect(state.exactPoints).toBe(0);
    expect(state.points.length).toBeLessThan(2 * EXACT_SAMPLES);
    const merged = new Timer(createDefaultSketch);
    merged.mergeState(state);
    expect(merged.samples).toBe(big.samples);
    for (const q of [0.5, 0.9, 0.99]) expect(merged.quantile(q)).toBeCloseTo(big.quantile(q), 6);
  });

  it('merges one-sample timers into each other and into a timer with a sketch', () => {
    const single = new Timer(createDefaultSketch);
    single.add(42, 1);
    const other = new Timer(createDefaultSketch);
    other.add(5, 1);
    other.mergeState(single.state());
    expect([other.samples, other.quantile(0), other.quantile(1)]).toEqual([2, 5, 42]);

    // A one-sample timer that then takes centroids must fold its sample into the sketch too.
    const big = new Timer(createDefaultSketch);
    for (let i = 0; i < 10 * EXACT_SAMPLES; i++) big.add(100 + (i % 50), 1);
    const target = new Timer(createDefaultSketch);
    target.add(1, 1);
    target.mergeState(big.state());
    expect(target.samples).toBe(10 * EXACT_SAMPLES + 1);
    expect(target.quantile(0)).toBe(1);
    expect(target.quantile(0.5)).toBeGreaterThanOrEqual(100);
  });
});
