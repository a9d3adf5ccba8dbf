// Each sink as an operator asks about it in an incident: up, degraded or down, and since when;
// what it sent and dropped in the last interval. Down is what fails /ready (the last flush failed,
// or the destination cannot take anything now); degraded is delivering but losing or falling
// behind: drops, skipped or timed-out flushes in the last interval, or a queue that has not run
// empty for more than two intervals.

import type { SinkStatus } from '../flush/flusher.js';
import type { SinkCounters } from '../sinks/sink.js';

export type SinkState = 'up' | 'degraded' | 'down';

/** What the server knows of one sink right now. */
export interface SinkView {
  status: SinkStatus;
  counters: SinkCounters | null;
  /** Why it cannot deliver now (Sink.problem), or null. */
  problem: string | null;
}

export interface SinkReport {
  name: string;
  destination: string;
  state: SinkState;
  /** Unix ms: when it entered this state (as seen at a flush or a status request). */
  since: number;
  /** Why it is down or degraded; null when up. */
  reason: string | null;
  lastInterval: IntervalCounts;
  counters: SinkCounters | null;
  lastSuccessAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  lastDurationMs: number | null;
  delivering: number;
  skippedFlushes: number;
  timeouts: number;
}

/** A sink's lines or series sent and dropped, and its flushes skipped and timed out, in one interval. */
export interface IntervalCounts {
  sent: number;
  dropped: number;
  skipped: number;
  timeouts: number;
}

interface Tracked {
  state: SinkState;
  since: number;
  totals: IntervalCounts;
  lastInterval: IntervalCounts;
}

function totalsOf(view: SinkView): IntervalCounts {
  return {
    sent: view.counters?.sentLines ?? 0,
    dropped: view.counters?.droppedLines ?? 0,
    skipped: view.status.skippedFlushes,
    timeouts: view.status.timeouts,
  };
}

const NOTHING: IntervalCounts = { sent: 0, dropped: 0, skipped: 0, timeouts: 0 };

export class SinkStates {
  private tracked = new Map<string, Tracked>();

  constructor(private readonly startedAt: number) {}

  /** At each flush: what each sink did during the interval that ended. */
  endInterval(views: readonly SinkView[], now: number, intervalMs: number): void {
    const next = new Map<string, Tracked>();
    for (const view of views) {
      const totals = totalsOf(view);
      const known = this.tracked.get(view.status.name);
      const before = known?.totals ?? totals;
      const lastInterval = {
        sent: Math.max(0, totals.sent - before.sent),
        dropped: Math.max(0, totals.dropped - before.dropped),
        skipped: totals.skipped - before.skipped,
        timeouts: totals.timeouts - before.timeouts,
      };
      next.set(view.status.name, { state: known?.state ?? 'up', since: known?.since ?? this.startedAt, totals, lastInterval });
    }
    // Sinks a reload removed are forgotten.
    this.tracked = next;
    this.report(views, now, intervalMs);
  }

  report(views: readonly SinkView[], now: number, intervalMs: number): SinkReport[] {
    return views.map((view) => {
      const { status, counters } = view;
      let tracked = this.tracked.get(status.name);
      if (tracked === undefined) {
        tracked = { state: 'up', since: this.startedAt, totals: totalsOf(view), lastInterval: NOTHING };
        this.tracked.set(status.name, tracked);
      }
      const { state, reason } = stateOf(view, tracked.lastInterval, now, intervalMs);
      if (state !== tracked.state) {
        tracked.state = state;
        tracked.since = now;
      }
      return {
        name: status.name,
        destination: status.destination,
        state,
        since: tracked.since,
        reason,
        lastInterval: tracked.lastInterval,
        counters,
        lastSuccessAt: status.lastSuccessAt,
        lastError: status.lastError,
        lastErrorAt: status.lastErrorAt,
        lastDurationMs: status.lastDurationMs,
        delivering: status.delivering,
        skippedFlushes: status.skippedFlushes,
        timeouts: status.timeouts,
      };
    });
  }
}

function stateOf(view: SinkView, last: IntervalCounts, now: number, intervalMs: number): { state: SinkState; reason: string | null } {
  const { status, counters, problem } = view;
  if (status.lastErrorAt !== null && (status.lastSuccessAt ?? 0) < status.lastErrorAt) return { state: 'down', reason: status.lastError };
  if (problem !== null) return { state: 'down', reason: problem };
  const behind: string[] = [];
  if (last.dropped > 0) behind.push(`dropped ${last.dropped} in the last interval`);
  if (last.skipped > 0) behind.push(`skipped ${last.skipped} flushes in the last interval`);
  if (last.timeouts > 0) behind.push(`${last.timeouts} flushes timed out in the last interval`);
  const queuedSince = counters?.queuedSince ?? null;
  if (queuedSince !== null && now - queuedSince > 2 * intervalMs) {
    behind.push(`its queue has not run empty for ${Math.round((now - queuedSince) / 1000)} s`);
  }
  return behind.length === 0 ? { state: 'up', reason: null } : { state: 'degraded', reason: behind.join('; ') };
}
