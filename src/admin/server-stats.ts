// One view of what the server has done, shared by /stats, the management `stats` command and
// the self-metrics: cumulative counts (which only grow) and current levels.

import type { Flusher } from '../flush/flusher.js';
import type { HandOverStats } from '../flush/interval-hand-over.js';
import type { IngestTotals } from '../ingest/ingest-totals.js';
import { udpKernelDrops } from '../ingest/udp-kernel-drops.js';
import type { MergeStats } from '../forward/merge-stats.js';
import type { ManagementStats } from './management-stats.js';
import type { Sink } from '../sinks/sink.js';

export interface StatsSources {
  startedAt: number;
  totals: IngestTotals;
  merged: MergeStats;
  management: ManagementStats;
  flusher: Flusher;
  /** The restart hand-over's counts; null without a state dir. */
  handOver: HandOverStats | null;
  sinks: () => readonly Sink[];
  udpPort: () => number | null;
}

export interface ServerStats {
  /** Monotonic totals since start. */
  counts: Record<string, number>;
  /** Values as they are now. */
  levels: Record<string, number>;
}

export function collectStats(src: StatsSources): ServerStats {
  const i = src.totals.ingest;
  const counts: Record<string, number> = {
    'lines.udp': i.udpLines,
    'lines.tcp': i.tcpLines,
    'lines.stdin': i.stdinLines,
    'bytes.udp': i.udpBytes,
    'bytes.tcp': i.tcpBytes,
    'datagrams.udp': i.udpDatagrams,
    'connections.tcp': i.tcpConnections,
    'connections.tcp_refused': i.tcpRefused,
    'connections.tcp_idle_closed': i.tcpIdleClosed,
    'connections.tcp_binary_faults_closed': i.tcpBinaryFaultsClosed,
    'connections.tcp_accept_errors': i.tcpAcceptErrors,
    'series_limit.dropped_samples': src.totals.seriesLimitDrops,
    'parse_errors.total': src.totals.rejectsTotal,
    'ignored.events': src.totals.events,
    'ignored.service_checks': src.totals.serviceChecks,
    'ignored.sample_rates': src.totals.sampleRatesIgnored,
    'forward.snapshots_merged': src.merged.snapshots,
    'forward.series_merged': src.merged.series,
    'forward.snapshots_refused': src.merged.rejected,
    'forward.series_refused': src.merged.refusedSeries,
    'forward.unauthorized': src.merged.unauthorized,
    'forward.duplicates': src.merged.duplicates,
    'management.commands': src.management.commands,
    'management.refused': src.management.refused,
    flushes: src.flusher.flushes,
    'flush.late_intervals': src.flusher.lateIntervals,
  };
  if (src.handOver !== null) {
    counts['restart.intervals_restored'] = src.handOver.restored;
    counts['restart.series_restored'] = src.handOver.restoredSeries;
    counts['restart.series_refused'] = src.handOver.refusedSeries;
    counts['restart.state_files_set_aside'] = src.handOver.setAside;
  }
  for (const [reason, n] of Object.entries(src.totals.rejects)) counts[`parse_errors.${reason}`] = n;
  const port = src.udpPort();
  const drops = port === null ? null : udpKernelDrops(port);
  if (drops !== null) counts['udp.kernel_drops'] = drops;

  const series = src.flusher.lastSeries;
  const levels: Record<string, number> = {
    'uptime_seconds': Math.floor((Date.now() - src.startedAt) / 1000),
    'connections.tcp_open': i.tcpConnectionsOpen,
    'series.counters': series.counters,
    'series.timers': series.timers,
    'series.gauges': series.gauges,
    'series.sets': series.sets,
    'series.kv': series.kv,
  };
  let flushMs = 0;
  for (const status of src.flusher.sinkStatus()) flushMs = Math.max(flushMs, status.lastDurationMs ?? 0);
  levels['flush.duration_ms'] = flushMs;
  for (const status of src.flusher.sinkStatus()) {
    // A sink's name is one path segment by construction (sink-names.ts).
    counts[`sinks.${status.name}.skipped_flushes`] = status.skippedFlushes;
    counts[`sinks.${status.name}.timeouts`] = status.timeouts;
  }
  for (const sink of src.sinks()) {
    const c = sink.counters?.();
    if (c === undefined) continue;
    const key = `sinks.${sink.name}`;
    counts[`${key}.sent_lines`] = c.sentLines;
    counts[`${key}.dropped_lines`] = c.droppedLines;
    levels[`${key}.buffered_lines`] = c.bufferedLines;
  }
  return { counts, levels };
}
