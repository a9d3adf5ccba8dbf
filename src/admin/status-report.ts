// /status.json: everything the status page and `statsite-ts status` show, in one answer —
// ingest now and over the last hour, the series, each sink, the flushes, and the server itself.
// Built from what /stats and /ready already hold plus the flush history: nothing here walks the
// series, so an answer costs about what a /stats answer does. Times are unix milliseconds.

import type { Health } from './admin-http.js';
import type { ServerStats } from './server-stats.js';
import type { SinkReport } from './sink-states.js';
import type { HistoryColumns } from './status-history.js';
import type { ListenerStatus } from '../ingest/listeners.js';
import type { RecentReject } from '../ingest/recent-rejects.js';

/** Which /status.json this is; bumped when a field changes meaning (fields may be added). */
export const STATUS_VERSION = 1;

export interface StatusSources {
  now: number;
  startedAt: number;
  version: string;
  configFile: string | null;
  flushIntervalSeconds: number;
  /** Ingest worker processes; 1: the server ingests itself. */
  workers: number;
  listeners: ListenerStatus[];
  endpoints: { admin: string | null; management: string | null; acceptForward: string | null };
  ready: Health;
  stats: ServerStats;
  recentRejects: RecentReject[];
  series: {
    lastFlush: Record<string, number>;
    maxSeries: number;
    topPrefixes: Array<[string, number]>;
    topDroppedPrefixes: Array<[string, number]>;
  };
  sinks: SinkReport[];
  flushes: { lastAt: number | null; lastReload: { at: number; error: string | null } | null };
  history: HistoryColumns;
}

export type StatusReport = ReturnType<typeof buildStatusReport>;

/** The counts whose name starts with `prefix`, the prefix taken off. */
function countsUnder(counts: Record<string, number>, prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, n] of Object.entries(counts)) if (name.startsWith(prefix)) out[name.slice(prefix.length)] = n;
  return out;
}

export function buildStatusReport(src: StatusSources) {
  const { counts, levels } = src.stats;
  const { total: rejectedTotal, ...rejectsByReason } = countsUnder(counts, 'parse_errors.');
  const seriesTotal = Object.values(src.series.lastFlush).reduce((a, b) => a + b, 0);
  const { maxSeries } = src.series;
  return {
    statusVersion: STATUS_VERSION,
    now: src.now,
    server: {
      version: src.version,
      startedAt: src.startedAt,
      uptimeSeconds: levels.uptime_seconds,
      configFile: src.configFile,
      flushIntervalSeconds: src.flushIntervalSeconds,
      workers: src.workers,
      listeners: src.listeners,
      endpoints: src.endpoints,
    },
    ready: { ok: src.ready.ok, problems: src.ready.problems },
    ingest: {
      lines: countsUnder(counts, 'lines.'),
      datagrams: countsUnder(counts, 'datagrams.'),
      bytes: countsUnder(counts, 'bytes.'),
      /** null where /proc does not say. */
      udpKernelDrops: counts['udp.kernel_drops'] ?? null,
      tcp: {
        open: levels['connections.tcp_open'],
        accepted: counts['connections.tcp'],
        refused: counts['connections.tcp_refused'],
        idleClosed: counts['connections.tcp_idle_closed'],
        acceptErrors: counts['connections.tcp_accept_errors'],
      },
      parseErrors: { total: rejectedTotal ?? 0, byReason: rejectsByReason, recent: src.recentRejects },
    },
    series: {
      lastFlush: src.series.lastFlush,
      total: seriesTotal,
      /** 0: no limit. */
      maxSeries,
      headroom: maxSeries > 0 ? Math.max(0, maxSeries - seriesTotal) : null,
      droppedSamples: counts['series_limit.dropped_samples'],
      topPrefixes: src.series.topPrefixes,
      topDroppedPrefixes: src.series.topDroppedPrefixes,
    },
    sinks: src.sinks,
    flushes: {
      count: counts.flushes,
      lastAt: src.flushes.lastAt,
      lastDurationMs: levels['flush.duration_ms'],
      lateIntervals: counts['flush.late_intervals'],
      lastReload: src.flushes.lastReload,
    },
    history: src.history,
  };
}
