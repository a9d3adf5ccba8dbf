// A flush that comes late holds several intervals' data under one timestamp: it is logged with
// the real elapsed time and the folded intervals are counted, so a rate read from it can be told
// from a spike.

import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Aggregator } from '../../../src/aggregate/aggregator.js';
import { createDefaultSketch } from '../../../src/aggregate/sketch.js';
import { Flusher } from '../../../src/flush/flusher.js';

afterEach(() => vi.useRealTimers());

const settings = { histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0, keepGauges: false };

describe('a late flush', () => {
  it('counts the intervals it folds together and says so', () => {
    vi.useFakeTimers({ now: 1_000_000, toFake: ['Date', 'performance'] });
    const aggregator = new Aggregator(settings);
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    const flusher = new Flusher(aggregator, [], log);
    flusher.intervalMs = 1000;
    flusher.flush();
    vi.advanceTimersByTime(1_400); // on time, give or take: nothing to say
    flusher.flush();
    expect(flusher.lateIntervals).toBe(0);
    vi.advanceTimersByTime(9_500); // the loop was blocked for 9.5 s
    flusher.flush();
    expect(flusher.lateIntervals).toBe(9);
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0])).toMatchObject({ elapsedMs: 9500, intervals: 10, msg: expect.stringMatching(/flush came late/) });
  });

  it('is not what a step of the wall clock makes', () => {
    vi.useFakeTimers({ now: 1_000_000, toFake: ['Date', 'performance'] });
    const flusher = new Flusher(new Aggregator(settings), [], pino({ level: 'silent' }));
    flusher.intervalMs = 1000;
    flusher.flush();
    vi.setSystemTime(Date.now() + 3_600_000); // NTP jumps an hour ahead; a second passes
    vi.advanceTimersByTime(1000);
    flusher.flush();
    expect(flusher.lateIntervals).toBe(0);
  });
});
