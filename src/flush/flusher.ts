// A flush: swap the aggregator's bucket for a fresh one and hand the finished bucket to every
// sink at once. Sinks run independently — one slow sink never delays another or the next flush.
// The outcome of each sink's deliveries is kept for health checks and self-metrics.

import type { Aggregator } from '../aggregate/aggregator.js';
import type { Bucket } from '../aggregate/bucket.js';
import { warnSeriesLimit } from '../aggregate/series-limit.js';
import type { Logger } from '../log/logger.js';
import type { Sink } from '../sinks/sink.js';
import { boundedWait } from '../util/bounded-wait.js';
import { releaseMemorySoon, worthReleasing } from '../util/memory-release.js';

/** Deliveries a sink may have pending before further flushes skip it (each skip is counted). */
export const MAX_PENDING_DELIVERIES = 3;

export interface SinkStatus {
  name: string;
  destination: string;
  /** Flushes this sink missed because it was MAX_PENDING_DELIVERIES behind. */
  skippedFlushes: number;
  timeouts: number;
  lastSuccessAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  lastDurationMs: number | null;
  delivering: number;
}

export class Flusher {
  private readonly inFlight = new Set<Promise<void>>();
  /** The last flush's timestamp (unix seconds). */
  private lastTimestamp = 0;
  private status = new Map<Sink, SinkStatus>();
  lastFlushAt: number | null = null;
  private lastFlushMono: number | null = null;
  flushes = 0;
  /** Samples dropped by the series limit, all intervals together. */
  seriesLimitDrops = 0;
  /** A delivery running longer than this is aborted and counted as failed. */
  sinkTimeoutMs = 30_000;
  /** The flush interval, to tell a late flush (one holding several intervals) from an on-time one. */
  intervalMs = 10_000;
  /** Intervals folded into a later flush because it came late (a blocked loop, a stopped process). */
  lateIntervals = 0;
  /** Series in the last flushed bucket, by type. */
  lastSeries = { counters: 0, timers: 0, gauges: 0, sets: 0, kv: 0 };
  /** The last flushed bucket's name prefixes with the most series, and with the most samples dropped at max_series. */
  lastPrefixes: { series: Array<[string, number]>; dropped: Array<[string, number]> } = { series: [], dropped: [] };
  /**
   * Completes each finished bucket before the sinks get it: the ingest workers' partial buckets
   * of the same interval are merged into it. Must not reject.
   */
  gather: ((bucket: Bucket) => Promise<void>) | null = null;
  /**
   * Runs once a bucket far larger than the one filling now has been delivered, before its memory
   * is collected: for caches sized by that interval (the parser's interned keys, the render slabs).
   */
  afterBigInterval: () => void = () => undefined;

  constructor(
    private readonly aggregator: Aggregator,
    private sinks: readonly Sink[],
    private readonly log: Logger,
    /** Runs just before each swap, e.g. to add self-metrics to the finished bucket. */
    private readonly beforeSwap: () => void = () => undefined,
  ) {
    this.trackStatus(sinks);
  }

  /** New sinks take the next flush; the old ones are returned for the caller to close. */
  replaceSinks(sinks: readonly Sink[]): readonly Sink[] {
    const old = this.sinks;
    this.sinks = sinks;
    this.trackStatus(sinks);
    return old;
  }

  sinkStatus(): SinkStatus[] {
    return this.sinks.map((s) => ({ ...this.status.get(s)! }));
  }

  /**
   * Swaps the bucket out and hands it to the sinks. `scheduledAt`: the tick's planned time (ms),
   * which stamps the flush, so a tick that fires a little late does not take the same second as
   * the one before it (Graphite keeps only the last write per timestamp). Stamps always increase.
   */
  flush(scheduledAt = Date.now()): void {
    this.beforeSwap();
    const startedAt = Date.now();
    const timestamp = this.stamp(scheduledAt);
    // Measured on the monotonic clock: a wall clock step is not a late flush.
    const startedMono = performance.now();
    if (this.lastFlushMono !== null) this.noteLateness(startedMono - this.lastFlushMono);
    this.lastFlushMono = startedMono;
    const bucket = this.aggregator.swap();
    this.flushes++;
    this.lastFlushAt = startedAt;
    if (this.gather === null) {
      this.deliver(bucket, timestamp, startedAt);
      return;
    }
    const gathered = this.gather(bucket).then(() => {
      this.inFlight.delete(gathered);
      this.deliver(bucket, timestamp, startedAt);
    });
    this.inFlight.add(gathered);
  }

  /**
   * An interval an earlier process left unflushed (a restart's hand-over whose flush time has
   * passed): delivered now, under the timestamp it was due at, as if that process had flushed it.
   */
  flushHandedOver(bucket: Bucket, dueAt: number): void {
    this.flushes++;
    this.deliver(bucket, this.stamp(dueAt), Date.now());
  }

  /** The last flush's timestamp (unix seconds), handed over at a stop so the next process never stamps earlier. */
  get lastStamp(): number {
    return this.lastTimestamp;
  }

  /** Continues an earlier process's stamps (a restart's hand-over): later flushes are stamped after `timestamp`. */
  continueStampsAfter(timestamp: number): void {
    this.lastTimestamp = Math.max(this.lastTimestamp, timestamp);
  }

  /** Waits for deliveries in flight, at most `timeoutMs`; returns false if some were still pending. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    // A gather in flight adds its deliveries when it completes, so wait until nothing is left.
    while (this.inFlight.size > 0) {
      if (!(await boundedWait(Promise.all([...this.inFlight]), deadline - Date.now()))) return false;
    }
    return true;
  }

  /**
   * A flush more than half an interval late holds several intervals' data under one timestamp:
   * said and counted, so a folded interval is not read as a spike (`.rate` still divides by the
   * configured interval, as statsite does).
   */
  private noteLateness(elapsedMs: number): void {
    if (elapsedMs <= 1.5 * this.intervalMs) return;
    const intervals = Math.round(elapsedMs / this.intervalMs);
    this.lateIntervals += intervals - 1;
    this.log.warn(
      { elapsedMs, intervalMs: this.intervalMs, intervals },
      'flush came late: it holds several intervals of data under one timestamp',
    );
  }

  /** The timestamp (unix seconds) of a flush planned for `scheduledAt` (ms): always later than the last. */
  private stamp(scheduledAt: number): number {
    this.lastTimestamp = Math.max(Math.floor(scheduledAt / 1000), this.lastTimestamp + 1);
    return this.lastTimestamp;
  }

  private deliver(bucket: Bucket, timestamp: number, startedAt: number): void {
    this.lastSeries = {
      counters: bucket.counters.size,
      timers: bucket.timers.size,
      gauges: bucket.gauges.size,
      sets: bucket.sets.size,
      kv: bucket.keyValues.size,
    };
    this.lastPrefixes = { series: bucket.limit.topSeriesPrefixes(), dropped: bucket.limit.topPrefixes() };
    // gatherMs: how long the ingest workers took to hand over their part of this interval.
    this.log.debug({ series: bucket.size(), timestamp, gatherMs: Date.now() - startedAt }, 'flush');
    this.seriesLimitDrops += warnSeriesLimit(bucket.limit, this.log);
    const deliveries: Array<Promise<void>> = [];
    for (const sink of this.sinks) {
      const status = this.status.get(sink)!;
      if (status.delivering >= MAX_PENDING_DELIVERIES) {
        // A stuck sink must not pile up buckets in memory; the others are unaffected.
        status.skippedFlushes++;
        this.log.error(
          { sink: sink.name, pending: status.delivering, skippedFlushes: status.skippedFlushes },
          'sink is too far behind: skipped this flush for it',
        );
        continue;
      }
      status.delivering++;
      const abort = new AbortController();
      const timer = setTimeout(() => {
        status.timeouts++;
        this.log.error(
          { sink: sink.name, timeouts: status.timeouts },
          `sink delivery took longer than ${this.sinkTimeoutMs / 1000} s: aborted`,
        );
        abort.abort();
      }, this.sinkTimeoutMs);
      const delivery = sink.flush(bucket, timestamp, abort.signal).then(
        () => {
          status.lastSuccessAt = Date.now();
          status.lastDurationMs = status.lastSuccessAt - startedAt;
          this.log.debug({ sink: sink.name, series: bucket.size(), durationMs: status.lastDurationMs }, 'flush delivered');
        },
        (err: unknown) => {
          status.lastError = err instanceof Error ? err.message : String(err);
          status.lastErrorAt = Date.now();
          this.log.error({ sink: sink.name, err: status.lastError }, 'sink failed to deliver a flush');
        },
      ).finally(() => {
        clearTimeout(timer);
        status.delivering--;
        this.inFlight.delete(delivery);
      });
      this.inFlight.add(delivery);
      deliveries.push(delivery);
    }
    const flushed = bucket.size();
    void Promise.all(deliveries).then(() => {
      if (!worthReleasing(flushed, this.aggregator.current().size())) return;
      this.afterBigInterval();
      releaseMemorySoon();
    });
  }

  private trackStatus(sinks: readonly Sink[]): void {
    const next = new Map<Sink, SinkStatus>();
    for (const s of sinks) {
      next.set(s, this.status.get(s) ?? {
        name: s.name, destination: s.destination,
        lastSuccessAt: null, lastError: null, lastErrorAt: null, lastDurationMs: null, delivering: 0,
        skippedFlushes: 0, timeouts: 0,
      });
    }
    this.status = next;
  }
}
