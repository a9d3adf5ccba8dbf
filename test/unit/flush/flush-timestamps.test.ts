// Each flush gets a timestamp of its own, later than the one before: Graphite keeps only the last
// write per series and second, so two flushes stamped alike would lose the first one's data.

import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Aggregator } from '../../../src/aggregate/aggregator.js';
import { createDefaultSketch } from '../../../src/aggregate/sketch.js';
import { Flusher } from '../../../src/flush/flusher.js';
import type { Sink } from '../../../src/sinks/sink.js';

function stampedFlushes(): { flusher: Flusher; stamps: number[] } {
  const aggregator = new Aggregator({ histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0, keepGauges: false });
  const stamps: number[] = [];
  const sink: Sink = {
    name: 'stamps', destination: 'a test', flush: async (_bucket, ts) => void stamps.push(ts), close: async () => undefined,
  };
  return { flusher: new Flusher(aggregator, [sink], pino({ level: 'silent' })), stamps };
}

describe('flush timestamps', () => {
  it('come from the planned tick, so a tick that fires late keeps its own second', () => {
    const { flusher, stamps } = stampedFlushes();
    // Ticks planned at .990 of each second; the first one ran late, into the next second.
    flusher.flush(1_000_990);
    flusher.flush(1_001_990);
    flusher.flush(1_002_990);
    expect(stamps).toEqual([1000, 1001, 1002]);
  });

  it('always increase, even for two flushes within one second (a final flush right after a tick)', () => {
    const { flusher, stamps } = stampedFlushes();
    flusher.flush(2_000_100);
    flusher.flush(2_000_900);
    flusher.flush(2_000_950);
    expect(stamps).toEqual([2000, 2001, 2002]);
  });
});
