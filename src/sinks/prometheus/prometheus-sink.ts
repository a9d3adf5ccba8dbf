// `prometheus://HOST:PORT`: a scrape endpoint instead of a push. Each flush is added into the
// registry (cumulative counters, quantiles, ttl); scrapes read the registry. Flushes are applied
// one after the other, in slices, so neither ingest nor scrapes wait long. In statsd_exporter
// compat the endpoint serves text format 0.0.4 only, with the exporter's operational series.

import type { Bucket } from '../../aggregate/bucket.js';
import type { Logger } from '../../log/logger.js';
import { SerialQueue } from '../delivery/serial-queue.js';
import type { Sink, SinkCounters } from '../sink.js';
import { renderExposition } from './exposition.js';
import { renderOperationalSeries, type ServerCounts } from './operational-series.js';
import type { PrometheusOptions } from './prometheus-options.js';
import { ScrapeEndpoint } from './scrape-endpoint.js';
import type { FamilyKind } from './series-plan.js';
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
    serverCounts: ServerCounts = () => ({}),
    readonly name = 'prometheus',
  ) {
    this.registry = new SeriesRegistry(options, log);
    const exporter = options.compat === 'statsd_exporter';
    this.endpoint = new ScrapeEndpoint(
      options.host,
      options.port,
      options.path,
      (format) => renderExposition(this.registry, format, Date.now(), exporter ? this.operationalSeries(serverCounts()) : ''),
      log,
      !exporter,
    );
    this.destination = `prometheus://${this.endpoint.address}`;
  }

  /** A reload with the same options but a changed mapping file keeps the sink and its series. */
  reconfigure(options: PrometheusOptions): void {
    this.registry.setMapping(options.mapping);
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

  private operationalSeries(server: Readonly<Record<string, number>>): string {
    const byKind: Record<FamilyKind, number> = { counter: 0, gauge: 0, set: 0, summary: 0, histogram: 0 };
    for (const family of this.registry.families.values()) byKind[family.kind]++;
    return renderOperationalSeries(this.registry.counts, byKind, this.registry.loadedMappings, server);
  }

  async close(): Promise<void> {
    await this.queue.idle();
    await this.endpoint.close();
  }
}
