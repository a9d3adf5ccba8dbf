// Forwarded snapshots merge into the global instance's interval.

import { describe, expect, it } from 'vitest';
import { Bucket } from '../../../../src/aggregate/bucket.js';
import { createDefaultSketch } from '../../../../src/aggregate/sketch.js';
import { mergeSnapshot, parseSnapshot, toSnapshot } from '../../../../src/sinks/forward/snapshot.js';

const newBucket = () => new Bucket({ histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 });

describe('merged gauges', () => {
  it('add partial buckets that saw only deltas, and let the newest absolute value win otherwise', () => {
    const a = newBucket();
    a.gauge('deltas', 2, true);
    a.gauge('set', 10, false);
    const b = newBucket();
    b.gauge('deltas', -5, true);
    b.gauge('set', 20, false);
    const merged = newBucket();
    mergeSnapshot(merged, toSnapshot(a, 'a', 1, 10));
    mergeSnapshot(merged, toSnapshot(b, 'b', 1, 10));
    expect(merged.gauges.get('deltas')).toMatchObject({ value: -3, deltasOnly: true });
    // b wrote later (or at the same millisecond): its value wins.
    expect(merged.gauges.get('set')!.value).toBe(20);
    expect(toSnapshot(merged, 'm', 1, 10).gauges).toMatchObject({ deltas: [-3, expect.any(Number), 1], set: [20, expect.any(Number)] });
  });

  it('adds deltas to a gauge set elsewhere', () => {
    const merged = newBucket();
    merged.gauge('g', 100, false);
    mergeSnapshot(merged, { ...toSnapshot(newBucket(), 'x', 1, 10), gauges: { g: [7, Date.now(), 1] } });
    expect(merged.gauges.get('g')).toMatchObject({ value: 107, deltasOnly: false });
  });

  it('refuses a malformed third gauge element', () => {
    const doc = { ...toSnapshot(newBucket(), 'x', 1, 10), gauges: { g: [1, 2, 3] } };
    expect(() => parseSnapshot(JSON.parse(JSON.stringify(doc)))).toThrow(/gauge "g" is malformed/);
  });
});
