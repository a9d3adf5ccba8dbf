// The one interface every output implements. A sink must never block ingest or another sink:
// flush() is called and not awaited by the next interval; a sink serialises its own flushes.

import type { Bucket } from '../aggregate/bucket.js';

/** What a buffering sink can say about its backlog, for self-metrics and /stats. */
export interface SinkCounters {
  sentLines: number;
  droppedLines: number;
  bufferedLines: number;
  /**
   * Unix ms since which the queue has held something without running empty, so its oldest item
   * is at most this old; null while it is empty (or the sink has no queue).
   */
  queuedSince: number | null;
  /** Bytes of its disk spool; null without one. */
  spoolBytes: number | null;
  /** Unix ms when its destination last took something (for a scrape endpoint: a flush was exposed); null: never. */
  lastDeliveredAt: number | null;
}

export interface Sink {
  /** Its stable name (see sink-names.ts): metric paths, /stats, /ready and logs use it, never an address. */
  readonly name: string;
  /** Where it delivers, for people (logs at start, /ready, the status page): `graphite://carbon:2003`, `stdout`. */
  readonly destination: string;
  /** Only sinks that buffer have counters worth reporting. */
  counters?(): SinkCounters;
  /**
   * Why the sink cannot deliver right now (its destination is down or stalled), or null when it
   * can; a sink that buffers would otherwise look healthy while nothing gets through. /ready fails on it.
   */
  problem?(): string | null;
  /**
   * Delivers one finished interval; `timestamp` is the flush time in unix seconds. `signal`
   * aborts when the delivery took longer than the flush timeout: stop, the flush is given up.
   */
  flush(bucket: Bucket, timestamp: number, signal?: AbortSignal): Promise<void>;
  /** Finishes pending deliveries (bounded by the caller) and releases resources. */
  close(): Promise<void>;
}
