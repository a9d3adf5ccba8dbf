// `http://…` / `https://…`: every flush POSTed as JSON (json-document.ts) to one endpoint, through
// a buffering, retrying sender. A flush only renders and queues; delivery runs on its own, so a
// slow or dead endpoint never delays ingest, the next flush or another sink.

import type { Bucket } from '../../aggregate/bucket.js';
import type { Logger } from '../../log/logger.js';
import type { NamingConfig } from '../../naming/naming-config.js';
import { SerialQueue } from '../delivery/serial-queue.js';
import type { Sink, SinkCounters } from '../sink.js';
import type { HttpOptions } from '../delivery/http-options.js';
import { HttpSender } from '../delivery/http-sender.js';
import { renderDocuments } from './json-document.js';
import { runPaced } from '../../util/ingest-first-pacer.js';

export class HttpSink implements Sink {
  readonly name: string;
  readonly sender: HttpSender;
  private readonly queue = new SerialQueue();

  constructor(
    private readonly options: HttpOptions,
    private readonly naming: () => NamingConfig,
    private readonly log: Logger,
  ) {
    this.name = options.displayName;
    this.sender = new HttpSender(options, log);
  }

  flush(bucket: Bucket, timestamp: number, signal?: AbortSignal): Promise<void> {
    const { flushInterval, quantiles } = this.naming();
    return this.queue.run(async () => {
      signal?.throwIfAborted();
      const send = (json: string, series: number) => this.sender.send(json, series);
      await runPaced(renderDocuments(bucket, timestamp, flushInterval, quantiles, send), signal);
      this.sender.seal();
      const dropped = this.sender.takeDroppedCount();
      if (dropped > 0) {
        this.log.warn(
          { sink: this.name, droppedSeries: dropped, bufferSeries: this.options.bufferSeries },
          'http buffer full: dropped the oldest documents',
        );
      }
    });
  }

  problem(): string | null {
    return this.sender.problem();
  }

  counters(): SinkCounters {
    return this.sender.counters();
  }

  /** Gives buffered documents up to `timeoutMs` to be delivered, then closes the connection. */
  async close(timeoutMs = 5_000): Promise<void> {
    await this.queue.idle();
    await this.sender.close(timeoutMs);
  }
}
