// A bucket's timers keep their numbers in shared arrays (number-columns.ts): each must read and
// write only its own row, across the arrays the columns grow into, and a standalone timer (a
// Prometheus window's) has a row of its own.

import { describe, expect, it } from 'vitest';
import { Bucket } from '../../../src/aggregate/bucket.js';
import { NumberColumns } from '../../../src/aggregate/number-columns.js';
import { createDefaultSketch } from '../../../src/aggregate/sketch.js';
import { Timer } from '../../../src/aggregate/timer.js';

describe('NumberColumns', () => {
  it('hands out distinct rows, starting a larger array when one is full', () => {
    const columns = new NumberColumns(3, 2);
    const rows: { array: number[]; at: number }[] = [];
    for (let i = 0; i < 40_000; i++) {
      const at = columns.claim();
      rows.push({ array: columns.array, at });
      columns.array.fill(i, at, at + 3);
    }
    rows.forEach(({ array, at }, i) => expect(array.slice(at, at + 3)).toEqual([i, i, i]));
    const arrays = new Set(rows.map((r) => r.array));
    // 2, 4, 8, … rows an array, then at most 8192: far fewer arrays than rows.
    expect(arrays.size).toBeLessThan(20);
    expect(Math.max(...[...arrays].map((a) => a.length))).toBe(8192 * 3);
  });

  it('keeps the numbers in plain arrays, in V8’s heap, not in typed arrays’ malloc’d memory', () => {
    // A big interval's typed arrays, freed, stayed resident in the brk heap (number-columns.ts).
    const columns = new NumberColumns(7);
    for (let i = 0; i < 20_000; i++) columns.claim();
    expect(Array.isArray(columns.array)).toBe(true);
    expect(columns.array.every((n) => n === 0)).toBe(true);
  });
});

describe('timers sharing a bucket’s columns', () => {
  it('keep their own count, sum, min, max and quantiles, one sample or many', () => {
    const bucket = new Bucket({ histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 });
    const n = 20_000;
    for (let i = 0; i < n; i++) bucket.timer(`t${i}`, i, 1);
    for (let i = 0; i < n; i += 7) bucket.timer(`t${i}`, i + 0.5, 0.5);
    for (let i = 0; i < n; i++) {
      const t = bucket.timers.get(`t${i}`)!;
      const many = i % 7 === 0;
      expect([t.count, t.samples, t.sum, t.min, t.max]).toEqual(many ? [3, 2, 2 * i + 0.5, i, i + 0.5] : [1, 1, i, i, i]);
      expect(t.sumSquares).toBe(many ? i * i + (i + 0.5) ** 2 : i * i);
      expect(t.quantile(0.5)).toBe(i);
      expect(t.quantile(0.99)).toBe(many ? i + 0.5 : i);
    }
  });

  it('a timer made on its own starts empty and merges like one in a bucket', () => {
    const alone = new Timer(createDefaultSketch);
    expect([alone.count, alone.samples, alone.sum, alone.min, alone.max]).toEqual([0, 0, 0, Infinity, -Infinity]);
    const bucket = new Bucket({ histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 });
    bucket.timer('a', 5, 1);
    bucket.timer('a', 9, 1);
    alone.mergeState(bucket.timers.get('a')!.state());
    expect([alone.count, alone.samples, alone.sum, alone.sumSquares, alone.min, alone.max]).toEqual([2, 2, 14, 106, 5, 9]);
  });
});
