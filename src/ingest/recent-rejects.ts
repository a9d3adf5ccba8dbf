// The last few rejected lines, for the status page: what a broken client is sending, without
// grepping the logs. Sampled (at most one line per SAMPLE_MS), so a flood of bad lines costs
// next to nothing more than counting them.

import type { RejectReason } from '../protocol/rejects.js';

export interface RecentReject {
  /** Unix ms. */
  at: number;
  reason: RejectReason;
  /** The line as received, cut to a length worth showing; untrusted text. */
  line: string;
}

export const RECENT_REJECTS_KEPT = 10;
const SAMPLE_MS = 100;

export class RecentRejects {
  private readonly kept: RecentReject[] = [];
  private lastAt = 0;

  /** Keeps the line (`text()` decodes it only when it is kept). */
  note(reason: RejectReason, text: () => string): void {
    const now = Date.now();
    if (now - this.lastAt < SAMPLE_MS) return;
    this.lastAt = now;
    if (this.kept.length === RECENT_REJECTS_KEPT) this.kept.shift();
    this.kept.push({ at: now, reason, line: text() });
  }

  /** Oldest first. */
  list(): RecentReject[] {
    return [...this.kept];
  }
}

/** Two processes' recent rejected lines as one list, oldest first, the newest RECENT_REJECTS_KEPT. */
export function mergeRecentRejects(a: readonly RecentReject[], b: readonly RecentReject[]): RecentReject[] {
  return [...a, ...b].sort((x, y) => x.at - y.at).slice(-RECENT_REJECTS_KEPT);
}
