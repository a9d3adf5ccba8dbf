// `remote-write+http(s)://…`: every flush pushed to Prometheus or VictoriaMetrics as a remote-write
// 1.0 request. Each flush is added into a series registry (the Prometheus sink's: cumulative
// counters, per-interval quantiles, ttl), then every live series is encoded and queued on the HTTP
// sink's sender (keep-alive, retries with backoff, a bounded buffer that counts drops). A flush
// only renders and queues, so a slow or dead receiver never delays ingest or another sink.

import type { Bucket } from '../../aggregate/bucket.js';
import type { Logger } from '../../log/logger.js';
import { HttpSender } from '../delivery/http-sender.js';
import { SeriesRegistry } from '../prometheus/series-registry.js';
import { SerialQueue } from '../delivery/serial-queue.js';
import type { Sink, SinkCounters } from '../sink.js';
import type { RemoteWriteOptions } from './remote-write-options.js';
import { REMOTE_WRITE_HEADERS } from './write-request.js';
import { renderWriteRequests } from './write-requests.js';
import { runPaced } from '../../util/ingest-first-pacer.js';

export class RemoteWriteSink implements Sink {
  readonly name: string;
  readonly registry: SeriesRegistry;
  readonly sender: HttpSender;
  private readonly queue = new SerialQueue();

  constructor(
    private readonly options: RemoteWriteOptions,
    private readonly log: Logger,
  ) {
    this.name = options.http.displayName;
    this.registry = new SeriesRegistry(options.series, log, this.name);
    this.sender = new HttpSender(options.http, log, REMOTE_WRITE_HEADERS);
  }

  flush(bucket: Bucket, timestamp: number, signal?: AbortSignal): Promise<void> {
    return this.queue.run(async () => {
      signal?.throwIfAborted();
      await this.registry.absorb(bucket, Date.now(), signal);
      const send = (body: Uint8Array, series: number) => this.sender.send(body, series);
      await runPaced(renderWriteRequests(this.registry, timestamp * 1000, Date.now(), send), signal);
      this.sender.seal();
      const dropped = this.sender.takeDroppedCount();
      if (dropped > 0) {
        this.log.warn(
          { sink: this.name, droppedSeries: dropped, bufferSeries: this.options.http.bufferSeries },
          'remote-write buffer full: dropped the oldest requests',
        );
      }
    });
  }

  /** Lines are time series: sent; dropped (buffer full, refused, or a type clash in the registry); waiting. */
  problem(): string | null {
    return this.sender.problem();
  }

  counters(): SinkCounters {
    const sent = this.sender.counters();
    return { ...sent, droppedLines: sent.droppedLines + this.registry.rejectedUpdates };
  }

  /** Gives queued requests up to `timeoutMs` to be delivered, then closes the connection. */
  async close(timeoutMs = 5_000): Promise<void> {
    await this.queue.idle();
    await this.sender.close(timeoutMs);
  }
}
