import { describe, expect, it } from 'vitest';
import { Bucket } from '../../../src/aggregate/bucket.js';
import { createDefaultSketch } from '../../../src/aggregate/sketch.js';
import { defaultConfig } from '../../../src/config/defaults.js';
import { STREAM_KEYS } from '../../../src/naming/key-style.js';
import { POINTS_PER_SLICE, renderPoints, type PointWriter } from '../../../src/naming/points.js';

/** Counts points, and which series each belongs to (its stem). */
class Counting implements PointWriter {
  points = 0;
  readonly stems: string[] = [];
  private stem = '';
  field(): number {
    return 0;
  }
  series(prefix: string, name: string): void {
    this.stem = prefix + name;
  }
  point(): void {
    this.points++;
    if (this.stems.at(-1) !== this.stem) this.stems.push(this.stem);
  }
}

function bucketOf(counters: number, timers: number): Bucket {
  const bucket = new Bucket({ histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 });
  for (let i = 0; i < counters; i++) bucket.counter(`c${i}`, 1, 1);
  for (let i = 0; i < timers; i++) bucket.timer(`t${i}`, i, 1);
  return bucket;
}

/** The points written in each slice, and the stems of the series each slice ended with. */
function slices(bucket: Bucket, pointsPerSlice?: number): { sizes: number[]; lastStems: string[] } {
  const out = new Counting();
  const sizes: number[] = [];
  const lastStems: string[] = [];
  let before = 0;
  for (const _ of renderPoints(bucket, defaultConfig().naming, STREAM_KEYS, out, '', pointsPerSlice)) {
    sizes.push(out.points - before);
    lastStems.push(out.stems.at(-1) ?? '');
    before = out.points;
  }
  sizes.push(out.points - before);
  return { sizes, lastStems };
}

describe('renderPoints slices', () => {
  it('end after the series that reaches the slice’s points, whatever the types: a slice takes about as long', () => {
    // 100 counters of 1 point, then 50 timers of 13 (the default timer fields and quantiles).
    const { sizes, lastStems } = slices(bucketOf(100, 50), 40);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(100 + 50 * 13);
    // Every slice but the last has 40 points, or up to a timer's 12 more: a series is never split.
    for (const size of sizes.slice(0, -1)) {
      expect(size).toBeGreaterThanOrEqual(40);
      expect(size).toBeLessThan(40 + 13);
    }
    expect(sizes.length).toBeGreaterThanOrEqual(Math.floor(750 / 52));
    // A slice ends between series: the next slice starts with another one.
    expect(new Set(lastStems).size).toBe(lastStems.length);
  });

  it('of counters hold POINTS_PER_SLICE counters by default', () => {
    const { sizes } = slices(bucketOf(2 * POINTS_PER_SLICE + 5, 0));
    expect(sizes).toEqual([POINTS_PER_SLICE, POINTS_PER_SLICE, 5]);
  });
});
