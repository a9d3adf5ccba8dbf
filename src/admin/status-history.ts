// What the status page draws over time: one point per flush for the last hour, in a ring of
// fixed size (no growth, no allocation per point), taken from the same counts /stats shows.
// Each point holds what happened during its interval (differences of the cumulative counts), so
// a rate is a point's value over its `seconds`.

import type { ServerStats } from './server-stats.js';

/** How far back the page looks. */
export const HISTORY_MS = 3_600_000;
/** One point per flush for an hour at the shortest flush interval (1 s). */
const CAPACITY = 3600;

/** The columns of a point: the count each is the per-interval difference of (or a level, for the last two). */
const COUNTED = {
  udpLines: 'lines.udp',
  tcpLines: 'lines.tcp',
  stdinLines: 'lines.stdin',
  udpDatagrams: 'datagrams.udp',
  rejectedLines: 'parse_errors.total',
  udpKernelDrops: 'udp.kernel_drops',
  droppedSamples: 'series_limit.dropped_samples',
} as const;
const LEVELS = { flushMs: 'flush.duration_ms' } as const;

type Column = keyof typeof COUNTED | keyof typeof LEVELS | 'series';
const COLUMNS = [...Object.keys(COUNTED), ...Object.keys(LEVELS), 'series'] as Column[];

/** The points as columns, oldest first: `at` (unix ms of each flush) and `seconds` (the interval it covers). */
export type HistoryColumns = { at: number[]; seconds: number[] } & Record<Column, number[]>;

export class StatusHistory {
  private readonly at = new Float64Array(CAPACITY);
  private readonly seconds = new Float64Array(CAPACITY);
  private readonly values = new Map<Column, Float64Array>(COLUMNS.map((c) => [c, new Float64Array(CAPACITY)]));
  /** The next slot to write, and how many slots hold a point. */
  private next = 0;
  private size = 0;
  private previous: { at: number; counts: Record<string, number> } | null = null;

  /** Adds the point of the interval that ends `now`; the first call only sets where counting starts. */
  record(now: number, stats: ServerStats, seriesInLastFlush: number): void {
    const before = this.previous;
    this.previous = { at: now, counts: stats.counts };
    if (before === null) return;
    const slot = this.next;
    this.at[slot] = now;
    this.seconds[slot] = (now - before.at) / 1000;
    for (const [column, count] of Object.entries(COUNTED) as Array<[Column, string]>) {
      this.values.get(column)![slot] = Math.max(0, (stats.counts[count] ?? 0) - (before.counts[count] ?? 0));
    }
    for (const [column, level] of Object.entries(LEVELS) as Array<[Column, string]>) {
      this.values.get(column)![slot] = stats.levels[level] ?? 0;
    }
    this.values.get('series')![slot] = seriesInLastFlush;
    this.next = (slot + 1) % CAPACITY;
    this.size = Math.min(this.size + 1, CAPACITY);
  }

  /** The points after `since` (unix ms) and within the last hour of `now`, as columns. */
  columns(now: number, since = 0): HistoryColumns {
    const from = Math.max(since, now - HISTORY_MS);
    const out = { at: [], seconds: [], ...Object.fromEntries(COLUMNS.map((c) => [c, []])) } as unknown as HistoryColumns;
    for (let i = 0; i < this.size; i++) {
      const slot = (this.next - this.size + i + CAPACITY) % CAPACITY;
      if (this.at[slot] <= from) continue;
      out.at.push(this.at[slot]);
      out.seconds.push(this.seconds[slot]);
      for (const column of COLUMNS) out[column].push(this.values.get(column)![slot]);
    }
    return out;
  }
}
