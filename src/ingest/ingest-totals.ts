// What ingest has counted since start, as plain numbers: the one shape in which an ingest
// worker reports to the primary and in which the primary adds everybody up for /stats.

import type { IngestStats } from './ingest-stats.js';
import type { IngestPipeline } from './ingest-pipeline.js';
import { mergeRecentRejects, type RecentReject } from './recent-rejects.js';

export interface IngestTotals {
  ingest: IngestStats;
  rejectsTotal: number;
  rejects: Record<string, number>;
  events: number;
  serviceChecks: number;
  /** Accepted lines whose sample rate was ignored (a gauge, set or kv with `|@rate`). */
  sampleRatesIgnored: number;
  /** Samples dropped by the series limit. */
  seriesLimitDrops: number;
  /** The last few rejected lines, oldest first. */
  recentRejects: RecentReject[];
}

export function pipelineTotals(pipeline: IngestPipeline, seriesLimitDrops: number): IngestTotals {
  return {
    ingest: { ...pipeline.stats },
    rejectsTotal: pipeline.rejects.total,
    rejects: Object.fromEntries(pipeline.rejects.byReason),
    events: pipeline.parser.events,
    serviceChecks: pipeline.parser.serviceChecks,
    sampleRatesIgnored: pipeline.parser.ignoredSampleRates,
    seriesLimitDrops,
    recentRejects: pipeline.recentRejects.list(),
  };
}

/** Adds `more` into `into`: every count adds up; the recent rejected lines are merged, newest kept. */
export function addTotals(into: IngestTotals, more: IngestTotals): IngestTotals {
  const ingest = into.ingest as unknown as Record<string, number>;
  for (const [field, n] of Object.entries(more.ingest)) ingest[field] = (ingest[field] ?? 0) + (n as number);
  for (const [reason, n] of Object.entries(more.rejects)) into.rejects[reason] = (into.rejects[reason] ?? 0) + n;
  into.rejectsTotal += more.rejectsTotal;
  into.events += more.events;
  into.serviceChecks += more.serviceChecks;
  into.sampleRatesIgnored += more.sampleRatesIgnored;
  into.seriesLimitDrops += more.seriesLimitDrops;
  into.recentRejects = mergeRecentRejects(into.recentRejects, more.recentRejects);
  return into;
}
