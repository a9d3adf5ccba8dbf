import { describe, expect, it } from 'vitest';
import { Counter } from '../../../src/aggregate/counter.js';
import { Aggregator } from '../../../src/aggregate/aggregator.js';
import { createDefaultSketch } from '../../../src/aggregate/sketch.js';

describe('Counter', () => {
  it("sums values and keeps statsite's truncated sample count", () => {
    const c = new Counter();
    c.add(1 * (1 / 0.3), 0.3);
    c.add(1 * (1 / 0.3), 0.3);
    expect(c.count).toBe(6);
    expect(c.sum).toBeCloseTo(6.666667, 6);
  });
});

describe('Aggregator', () => {
  const settings = { histograms: [], setPrecision: 12, newSketch: createDefaultSketch };

  it('starts every interval fresh, gauges included (statsite)', () => {
    const a = new Aggregator({ ...settings, keepGauges: false });
    a.gauge('g', 10, false);
    a.gauge('g', 1, true);
    a.counter('c', 1, 1);
    const first = a.swap();
    expect(first.gauges.get('g')!.value).toBe(11);
    a.gauge('g', 1, true);
    const second = a.swap();
    expect(second.gauges.get('g')!.value).toBe(1);
    expect(second.counters.size).toBe(0);
  });

  it('carries gauges across intervals when keep_gauges is set', () => {
    const a = new Aggregator({ ...settings, keepGauges: true });
    a.gauge('g', 10, false);
    a.swap();
    a.gauge('g', 1, true);
    expect(a.swap().gauges.get('g')!.value).toBe(11);
    expect(a.swap().gauges.get('g')!.value).toBe(11);
  });
});
