import { describe, expect, it } from 'vitest';
import { CounterTable } from '../../../src/aggregate/counter.js';
import { Aggregator } from '../../../src/aggregate/aggregator.js';
import { createDefaultSketch } from '../../../src/aggregate/sketch.js';

describe('CounterTable', () => {
  it("sums values and keeps statsite's truncated sample count", () => {
    const table = new CounterTable();
    const row = table.addRow('c');
    table.add(row, 1 * (1 / 0.3), 0.3);
    table.add(row, 1 * (1 / 0.3), 0.3);
    expect(table.get('c')!.count).toBe(6);
    expect(table.get('c')!.sum).toBeCloseTo(6.666667, 6);
  });

  it('keeps every row apart as its chunks grow (the first doubles, then chunks of 16384 rows)', () => {
    const table = new CounterTable();
    const rows = 40_000;
    for (let i = 0; i < rows; i++) expect(table.addRow(`k${i}`)).toBe(i);
    for (let i = 0; i < rows; i++) {
      table.add(table.rowOf(`k${i}`), i, 1);
      table.merge(i, [0.5, 2]);
    }
    expect(table.size).toBe(rows);
    expect(table.rowOf('absent')).toBe(-1);
    expect(table.has('k39999')).toBe(true);
    const seen = [...table].map(([key, c]) => [key, c.sum, c.count]);
    expect(seen.length).toBe(rows);
    seen.forEach(([key, sum, count], i) => expect([key, sum, count]).toEqual([`k${i}`, i + 0.5, 3]));
    expect(table.get('k16384')!.state()).toEqual([16384.5, 3]);
  });
});

describe('Aggregator', () => {
  const settings = { histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 };

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

describe('series limit', () => {
  it('drops samples of new series past max_series, keeps feeding existing ones, and names the prefixes', () => {
    const a = new Aggregator({ histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 3, keepGauges: false });
    a.counter('ok.one', 1, 1);
    a.timer('ok.two', 1, 1);
    a.gauge('ok.three', 1, false);
    for (let i = 0; i < 10; i++) a.counter(`req.id.${i}`, 1, 1);
    a.set('other', 'x');
    a.counter('ok.one', 1, 1);
    const bucket = a.swap();
    expect(bucket.size()).toBe(3);
    expect(bucket.counters.get('ok.one')!.sum).toBe(2);
    expect(bucket.limit.droppedSamples).toBe(11);
    expect(bucket.limit.topPrefixes()).toEqual([['req.id', 10], ['other', 1]]);
    expect(a.swap().limit.droppedSamples).toBe(0);
  });
});
