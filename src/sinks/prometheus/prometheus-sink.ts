// `prometheus://HOST:PORT`: a scrape endpoint instead of a push. Each flush is added into the
// registry (cumulative counters, per-interval quantiles, ttl); scrapes read the registry.
// Flushes are applied one after the other, in slices, so neither ingest nor scrapes wait long.

import type { Bucket } from '../../aggregate/bucket.js';
import type { Logger } from '../../log/logger.js';
import { SerialQueue } from '../delivery/serial-queue.js';
import type { Sink, SinkCounters } from '../sink.js';
import { renderExposition } from './exposition.js';
import type { PrometheusOptions } from './prometheus-options.js';
import { ScrapeEndpoint } from './scrape-endpoint.js';
import { SeriesRegistry } from './series-registry.js';

export class PrometheusSink implements Sink {
  readonly destination: string;
  readonly registry: SeriesRegistry;
  private readonly endpoint: ScrapeEndpoint;
  private readonly queue = new SerialQueue();
  /** When a flush was last put where scrapes read it (a scrape endpoint's delivery). */
  private lastExposedAt: number | null = null;

  constructor(
    options: PrometheusOptions,
    log: Logger,
    readonly name = 'prometheus',
  ) {
    this.registry = new SeriesRegistry(options, log);
    this.endpoint = new ScrapeEndpoint(
      options.host,
      options.port,
      options.path,
      (format) => renderExposition(this.registry, format, Date.now()),
      log,
    );
    this.destination = `prometheus://${this.endpoint.address}`;
  }

  flush(bucket: Bucket, _timestamp: number, signal?: AbortSignal): Promise<void> {
    return this.queue.run(async () => {
      signal?.throwIfAborted();
      await this.registry.absorb(bucket, Date.now(), signal);
      // The data is kept for when the port is bound; until then the flush counts as failed (/ready).
      const err = this.endpoint.listenError;
      if (err !== null) throw new Error(`cannot listen on ${this.endpoint.address}: ${err.message}`);
      this.lastExposedAt = Date.now();
    });
  }

  /** Lines are series here: updates taken in, updates dropped, series exposed. */
  counters(): SinkCounters {
    return {
      sentLines: this.registry.appliedUpdates,
      droppedLines: this.registry.rejectedUpdates,
      bufferedLines: this.registry.seriesCount(),
      queuedSince: null,
      spoolBytes: null,
      lastDeliveredAt: this.lastExposedAt,
    };
  }

  async close(): Promise<void> {
    await this.queue.idle();
    await this.endpoint.close();
  }
}
