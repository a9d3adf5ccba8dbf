import { describe, expect, it } from 'vitest';
import { SinkStates, type SinkView } from '../../../src/admin/sink-states.js';

type Counters = NonNullable<SinkView['counters']>;

function view(over: Partial<SinkView['status']> = {}, counters: Partial<Counters> = {}, problem: string | null = null): SinkView {
  return {
    status: {
      name: 'carbon', destination: 'graphite://c:2003', skippedFlushes: 0, timeouts: 0, lastSuccessAt: 1, lastError: null,
      lastErrorAt: null, lastDurationMs: 1, delivering: 0, ...over,
    },
    counters: { sentLines: 0, droppedLines: 0, bufferedLines: 0, queuedSince: null, spoolBytes: null, lastDeliveredAt: null, ...counters },
    problem,
  };
}

describe('SinkStates', () => {
  it('is up from the start, down while it cannot deliver, and says since when', () => {
    const states = new SinkStates(500);
    expect(states.report([view()], 1_000, 10_000)[0]).toMatchObject({ state: 'up', since: 500, reason: null });
    const down = states.report([view({}, {}, 'connect ECONNREFUSED')], 2_000, 10_000)[0];
    expect(down).toMatchObject({ state: 'down', since: 2_000, reason: 'connect ECONNREFUSED' });
    expect(states.report([view({}, {}, 'still')], 3_000, 10_000)[0].since).toBe(2_000);
    expect(states.report([view({ lastErrorAt: 5, lastError: 'stdout closed' })], 4_000, 10_000)[0])
      .toMatchObject({ state: 'down', since: 2_000, reason: 'stdout closed' });
    expect(states.report([view()], 5_000, 10_000)[0]).toMatchObject({ state: 'up', since: 5_000 });
  });

  it('counts what the last interval sent and dropped, and is degraded when it dropped or fell behind', () => {
    const states = new SinkStates(0);
    states.endInterval([view({}, { sentLines: 100 })], 10_000, 10_000);
    states.endInterval([view({}, { sentLines: 250, droppedLines: 3 })], 20_000, 10_000);
    const r = states.report([view({}, { sentLines: 250, droppedLines: 3 })], 21_000, 10_000)[0];
    expect(r.lastInterval).toEqual({ sent: 150, dropped: 3, skipped: 0, timeouts: 0 });
    expect(r).toMatchObject({ state: 'degraded', reason: 'dropped 3 in the last interval' });
    states.endInterval([view({}, { sentLines: 300, droppedLines: 3, queuedSince: 1_000 })], 30_000, 10_000);
    const behind = states.report([view({}, { queuedSince: 1_000 })], 31_000, 10_000)[0];
    expect(behind).toMatchObject({ state: 'degraded', reason: 'its queue has not run empty for 30 s' });
  });
});
