// `stdout`: the stream format on our own stdout, one flush after the other.

import type { Bucket } from '../../aggregate/bucket.js';
import type { NamingConfig } from '../../naming/naming-config.js';
import type { Sink } from '../sink.js';
import { streamLineBuffers } from '../stream/stream-lines.js';
import { stdoutStream } from './stdout-stream.js';
import { writeBuffers } from '../delivery/write-buffers.js';
import { SerialQueue } from '../delivery/serial-queue.js';

export class StdoutSink implements Sink {
  readonly destination = 'stdout';
  private readonly queue = new SerialQueue();

  constructor(
    private readonly naming: () => NamingConfig,
    readonly name = 'stdout',
  ) {}

  flush(bucket: Bucket, timestamp: number, signal?: AbortSignal): Promise<void> {
    const naming = this.naming();
    return this.queue.run(() => writeBuffers(stdoutStream(), streamLineBuffers(bucket, naming, timestamp), signal), signal);
  }

  /** Waits until every line written so far has left the process. */
  async close(): Promise<void> {
    await this.queue.idle();
    const out = stdoutStream();
    if (out.writableLength > 0) await new Promise<void>((resolve) => out.write('', () => resolve()));
  }
}
