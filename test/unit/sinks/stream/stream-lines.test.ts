import { describe, expect, it } from 'vitest';
import { Bucket } from '../../../../src/aggregate/bucket.js';
import { createDefaultSketch } from '../../../../src/aggregate/sketch.js';
import { defaultConfig } from '../../../../src/config/defaults.js';
import { POINTS_PER_SLICE } from '../../../../src/naming/points.js';
import { renderSlabs } from '../../../../src/naming/render-slabs.js';
import { streamLineBuffers } from '../../../../src/sinks/stream/stream-lines.js';

describe('streamLineBuffers', () => {
  it('hands its lines on in slices small enough to keep a pipe fed (a quarter of the usual)', async () => {
    const bucket = new Bucket({ histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 });
    const timers = 10_000;
    for (let i = 0; i < timers; i++) bucket.timer(`t${i}`, i, 1);
    const lineCounts: number[] = [];
    for await (const buffer of streamLineBuffers(bucket, defaultConfig().naming, 1)) {
      let lines = 0;
      for (let at = buffer.indexOf(10); at !== -1; at = buffer.indexOf(10, at + 1)) lines++;
      lineCounts.push(lines);
      renderSlabs.giveBack(buffer);
    }
    expect(lineCounts.reduce((a, b) => a + b, 0)).toBe(timers * 13);
    // A slice ends after the timer that reaches its quarter: 12 lines more at most.
    for (const lines of lineCounts) expect(lines).toBeLessThan(POINTS_PER_SLICE / 4 + 13);
    expect(lineCounts.length).toBeGreaterThanOrEqual(Math.floor((timers * 13) / (POINTS_PER_SLICE / 4 + 12)));
  });
});
