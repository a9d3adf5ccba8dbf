// When the flush clock ticks: from start, or with aligned_flush on wall-clock multiples of the
// interval (so several servers flush at the same instants); a stalled loop skips ticks instead of
// bursting; a new interval or alignment applies from the next tick. Fake timers move Date.now()
// and setTimeout together, so each tick's time is exact.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FlushClock } from '../../../src/flush/flush-clock.js';

const INTERVAL = 10_000;
/** 3.7 s past a multiple of the interval: neither start nor ticks fall on one by chance. */
const START = 1_700_000_003_700;

let ticks: number[] = [];
let clock: FlushClock | null = null;

beforeEach(() => {
  vi.useFakeTimers({ now: START });
  ticks = [];
});

afterEach(() => {
  clock?.stop();
  clock = null;
  vi.useRealTimers();
});

/** A started clock that records the time of each tick and then runs `onTick`. */
function started(aligned: boolean, onTick: () => void = () => undefined): FlushClock {
  clock = new FlushClock(INTERVAL, aligned, () => {
    ticks.push(Date.now());
    onTick();
  });
  clock.start();
  return clock;
}

/** An onTick whose first run takes `ms` (a stalled event loop): the wall clock jumps. */
function stallingOnce(ms: number): () => void {
  let stalled = false;
  return () => {
    if (!stalled) vi.setSystemTime(Date.now() + ms);
    stalled = true;
  };
}

describe('FlushClock', () => {
  it('ticks every interval from start', () => {
    started(false);
    vi.advanceTimersByTime(3 * INTERVAL);
    expect(ticks).toEqual([START + INTERVAL, START + 2 * INTERVAL, START + 3 * INTERVAL]);
  });

  it('with aligned_flush, ticks on multiples of the interval, the first at the next one after start', () => {
    started(true);
    vi.advanceTimersByTime(3 * INTERVAL);
    expect(ticks).toEqual([1_700_000_010_000, 1_700_000_020_000, 1_700_000_030_000]);
  });

  it('after a tick delayed past the next ones, skips the missed ticks and keeps its phase', () => {
    started(false, stallingOnce(2.5 * INTERVAL));
    vi.advanceTimersByTime(INTERVAL); // the first tick, which ends 2.5 intervals later
    vi.advanceTimersByTime(INTERVAL); // up to START + 4 intervals
    expect(ticks).toEqual([START + INTERVAL, START + 4 * INTERVAL]);
  });

  it('aligned, after a delayed tick, goes on at the next multiple, not in a burst', () => {
    started(true, stallingOnce(2.5 * INTERVAL));
    vi.advanceTimersByTime(6_300); // the first tick, at …010_000, which ends at …035_000
    vi.advanceTimersByTime(5_000);
    expect(ticks).toEqual([1_700_000_010_000, 1_700_000_040_000]);
  });

  it('applies a new interval and alignment from the next tick on, without cutting the current one short', () => {
    const c = started(false);
    c.reschedule(5_000, true);
    vi.advanceTimersByTime(INTERVAL + 2 * 5_000);
    // The tick already aimed comes as planned; the next ones are on multiples of 5 s.
    expect(ticks).toEqual([START + INTERVAL, 1_700_000_015_000, 1_700_000_020_000]);
  });

  it('keeps ticking every interval when the wall clock steps back, and reports the step', () => {
    const steps: number[] = [];
    clock = new FlushClock(INTERVAL, false, () => ticks.push(Date.now()), (step) => steps.push(step));
    clock.start();
    vi.advanceTimersByTime(INTERVAL);
    vi.setSystemTime(Date.now() - 3_600_000); // NTP (or an operator) sets the clock back an hour
    vi.advanceTimersByTime(2 * INTERVAL);
    // Not an hour without flushes: the next ticks come an interval apart, on the new wall time.
    expect(ticks).toEqual([START + INTERVAL, START + 2 * INTERVAL - 3_600_000, START + 3 * INTERVAL - 3_600_000]);
    expect(steps).toEqual([-3_600_000]);
  });

  it('stamps a tick with its planned time only when it runs near it', () => {
    const planned: number[] = [];
    clock = new FlushClock(INTERVAL, false, (at) => planned.push(at - Date.now()));
    clock.start();
    vi.advanceTimersByTime(INTERVAL);
    vi.setSystemTime(Date.now() + 3_600_000); // the clock jumps ahead: the next tick is far off its plan
    vi.advanceTimersByTime(INTERVAL);
    expect(planned).toEqual([0, 0]);
  });

  it('stops ticking when stopped', () => {
    const c = started(true);
    vi.advanceTimersByTime(INTERVAL);
    c.stop();
    vi.advanceTimersByTime(5 * INTERVAL);
    expect(ticks).toEqual([1_700_000_010_000]);
  });
});
