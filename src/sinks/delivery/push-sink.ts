// What the sinks that POST each flush share (HTTP JSON, remote write, forward): one HttpSender,
// flushes rendered one after the other, the drops of a full buffer reported once per flush. A
// flush only renders and queues; delivery runs on its own, so a slow or dead endpoint never
// delays ingest, the next flush or another sink.

import type { Bucket } from '../../aggregate/bucket.js';
import type { Logger } from '../../log/logger.js';
import type { Sink, SinkCounters } from '../sink.js';
import type { HttpSender } from './http-sender.js';
import { SerialQueue } from './serial-queue.js';

export abstract class PushSink implements Sink {
  private readonly queue = new SerialQueue();

  constructor(
    readonly name: string,
    readonly destination: string,
    readonly sender: HttpSender,
    protected readonly log: Logger,
    /** The log line for documents dropped from a full buffer. */
    private readonly bufferFull: string,
  ) {}

  abstract flush(bucket: Bucket, timestamp: number, signal?: AbortSignal): Promise<void>;

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

  /** Runs one flush after the ones before it: `render` queues its documents on the sender, which then may send them. */
  protected deliver(render: () => Promise<void>, signal?: AbortSignal): Promise<void> {
    return this.queue.run(async () => {
      signal?.throwIfAborted();
      await render();
      this.sender.seal();
      const dropped = this.sender.takeDroppedCount();
      if (dropped > 0) this.log.warn({ sink: this.name, droppedSeries: dropped }, this.bufferFull);
    }, signal);
  }
}
