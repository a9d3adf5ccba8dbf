// After a bucket far larger than the one filling now has been delivered, the flusher asks for a
// full collection (src/util/memory-release.ts); after ordinary intervals it does not.

import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';

const released = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../../src/util/memory-release.js', async (original) => ({
  ...(await original<typeof import('../../../src/util/memory-release.js')>()),
  releaseMemorySoon: () => void released.count++,
}));

const { Aggregator } = await import('../../../src/aggregate/aggregator.js');
const { createDefaultSketch } = await import('../../../src/aggregate/sketch.js');
const { Flusher } = await import('../../../src/flush/flusher.js');
const { RELEASE_MIN_SERIES, worthReleasing } = await import('../../../src/util/memory-release.js');

function flusherWith(delivered: () => Promise<void>) {
  const aggregator = new Aggregator({ histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0, keepGauges: false });
  const sink = { name: 'test', destination: 'test', flush: delivered, close: async () => undefined };
  return { aggregator, flusher: new Flusher(aggregator, [sink], pino({ level: 'silent' })) };
}

describe('memory back after a big interval', () => {
  it('decides by the size of the flushed bucket against the current one', () => {
    expect(worthReleasing(RELEASE_MIN_SERIES, 0)).toBe(true);
    expect(worthReleasing(RELEASE_MIN_SERIES - 1, 0)).toBe(false); // small intervals never pay for it
    expect(worthReleasing(1_000_000, 300_000)).toBe(false); // the next interval is as big: nothing to give back
  });

  it('asks for a collection once the big bucket is delivered, not before, and not after small ones', async () => {
    released.count = 0;
    let finish = (): void => undefined;
    const { aggregator, flusher } = flusherWith(() => new Promise<void>((resolve) => (finish = resolve)));
    let forgotten = 0;
    flusher.afterBigInterval = () => void forgotten++;
    for (let i = 0; i < RELEASE_MIN_SERIES; i++) aggregator.current().counter(`k${i}`, 1, 1);
    flusher.flush();
    await new Promise((resolve) => setImmediate(resolve));
    expect(released.count).toBe(0); // still being delivered
    finish();
    await vi.waitFor(() => expect(released.count).toBe(1));
    expect(forgotten).toBe(1); // the parser's keys of that interval go first

    aggregator.current().counter('small', 1, 1);
    flusher.flush();
    finish();
    await flusher.drain(1000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(released.count).toBe(1);
    expect(forgotten).toBe(1);
  });
});
