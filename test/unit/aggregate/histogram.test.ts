import { describe, expect, it } from 'vitest';
import { binCount, binIndex, findHistogram } from '../../../src/aggregate/histogram.js';
import { createDefaultSketch } from '../../../src/aggregate/sketch.js';
import { Timer } from '../../../src/aggregate/timer.js';

describe('histograms', () => {
  const api = { prefix: 'api', min: 0, max: 100, width: 25 };
  const fallback = { prefix: '', min: 0, max: 10, width: 5 };

  it('picks the longest matching plain prefix, the empty one as default', () => {
    expect(findHistogram([fallback, api], 'api.foo')).toBe(api);
    expect(findHistogram([fallback, api], 'apix')).toBe(api);
    expect(findHistogram([fallback, api], 'other')).toBe(fallback);
    expect(findHistogram([api], 'other')).toBeNull();
  });

  it('bins below min, per width step, and at or above max', () => {
    const bins = binCount(api);
    expect(bins).toBe(6);
    expect([-1, 0, 24.9, 25, 50, 99.99, 100, 1000].map((v) => binIndex(api, bins, v))).toEqual([0, 1, 1, 2, 3, 4, 5, 5]);
  });

  it('counts a partial top step in its own bin (statsite puts it in >max)', () => {
    const h = { prefix: '', min: 0, max: 10, width: 3 };
    const bins = binCount(h);
    expect(bins).toBe(6); // <0, 0, 3, 6, 9, >=10
    expect(binIndex(h, bins, 9.5)).toBe(4);
    expect(binIndex(h, bins, 10)).toBe(5);
  });

  it('a timer counts into plain-array bins, merged bins add, and its state carries a copy', () => {
    // Plain arrays, in V8's heap: a big interval's typed-array bins, freed, stayed resident (number-columns.ts).
    const t = new Timer(createDefaultSketch, api, binCount(api));
    for (const v of [-1, 0, 30, 30, 1000]) t.add(v, 1);
    expect(Array.isArray(t.bins)).toBe(true);
    expect(t.bins).toEqual([1, 1, 2, 0, 0, 1]);
    const state = t.state();
    const other = new Timer(createDefaultSketch, api, binCount(api));
    other.add(60, 1);
    other.mergeState(state);
    expect(other.bins).toEqual([1, 1, 2, 1, 0, 1]);
    expect(t.bins).toEqual([1, 1, 2, 0, 0, 1]);
  });
});
