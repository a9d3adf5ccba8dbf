// `stdout`: the stream format on our own stdout, one flush after the other; `stdout+binary`:
// statsite's binary stream instead.

import type { Bucket } from '../../aggregate/bucket.js';
import type { NamingConfig } from '../../naming/naming-config.js';
import type { Sink } from '../sink.js';
import type { Logger } from '../../log/logger.js';
import { formatSuffix, streamBuffers, type StreamFormat } from '../stream/stream-format.js';
import { stdoutStream } from './stdout-stream.js';
import { writeBuffers, writtenOut } from '../delivery/write-buffers.js';
import { SerialQueue } from '../delivery/serial-queue.js';

export class StdoutSink implements Sink {
  readonly destination: string;
  private readonly queue = new SerialQueue();

  constructor(
    private readonly naming: () => NamingConfig,
    private readonly log: Logger,
    private readonly format: StreamFormat = 'text',
    readonly name = 'stdout',
  ) {
    this.destination = `stdout${formatSuffix(format)}`;
  }

  flush(bucket: Bucket, timestamp: number, signal?: AbortSignal): Promise<void> {
    const naming = this.naming();
    const buffers = streamBuffers(this.format, bucket, naming, timestamp, this.log, this.name);
    // Done once the lines have left the process: until then the stream holds their buffers.
    return this.queue.run(async () => {
      await writeBuffers(stdoutStream(), buffers, signal);
      await writtenOut(stdoutStream(), signal);
    }, signal);
  }

  /** Waits until every line written so far has left the process. */
  async close(): Promise<void> {
    await this.queue.idle();
    await writtenOut(stdoutStream());
  }
}
