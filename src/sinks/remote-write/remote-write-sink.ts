// `remote-write+http(s)://…`: every flush pushed to Prometheus or VictoriaMetrics as a remote-write
// 1.0 request. Each flush is added into a series registry (the Prometheus sink's: cumulative
// counters, per-interval quantiles, ttl), then every live series is encoded and queued on the HTTP
// sink's sender (keep-alive, retries with backoff, a bounded buffer that counts drops). A flush
// only renders and queues, so a slow or dead receiver never delays ingest or another sink.

import type { Bucket } from '../../aggregate/bucket.js';
import type { Logger } from '../../log/logger.js';
import { runPaced } from '../../util/ingest-first-pacer.js';
import { HttpSender } from '../delivery/http-sender.js';
import { PushSink } from '../delivery/push-sink.js';
import { SeriesRegistry } from '../prometheus/series-registry.js';
import type { SinkCounters } from '../sink.js';
import type { RemoteWriteOptions } from './remote-write-options.js';
import { REMOTE_WRITE_HEADERS } from './write-request.js';
import { renderWriteRequests } from './write-requests.js';

export class RemoteWriteSink extends PushSink {
  readonly registry: SeriesRegistry;

  constructor(options: RemoteWriteOptions, log: Logger, name = 'remote_write') {
    const sender = new HttpSender(options.http, log, REMOTE_WRITE_HEADERS);
    super(name, options.http.displayName, sender, log, 'remote-write buffer full: dropped the oldest requests');
    this.registry = new SeriesRegistry(options.series, log, this.name);
  }

  flush(bucket: Bucket, timestamp: number, signal?: AbortSignal): Promise<void> {
    return this.deliver(async () => {
      await this.registry.absorb(bucket, Date.now(), signal);
      const send = (body: Uint8Array, series: number) => this.sender.send(body, series);
      await runPaced(renderWriteRequests(this.registry, timestamp * 1000, Date.now(), send), signal);
    }, signal);
  }

  /** Lines are time series: sent; dropped (buffer full, refused, or a type clash in the registry); waiting. */
  counters(): SinkCounters {
    const sent = this.sender.counters();
    return { ...sent, droppedLines: sent.droppedLines + this.registry.rejectedUpdates };
  }
}
