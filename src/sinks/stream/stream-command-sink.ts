// `stream:COMMAND` — statsite's stream_cmd: each flush runs COMMAND through /bin/sh and writes
// the stream-format lines (`stream+binary:COMMAND`: statsite's binary stream) to its stdin. Its
// stdout and stderr are ours (so `cat` prints metrics).

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Bucket } from '../../aggregate/bucket.js';
import type { Logger } from '../../log/logger.js';
import type { NamingConfig } from '../../naming/naming-config.js';
import { SerialQueue } from '../delivery/serial-queue.js';
import type { Sink } from '../sink.js';
import { formatSuffix, streamBuffers, type StreamFormat } from './stream-format.js';
import { writeBuffers } from '../delivery/write-buffers.js';

export class StreamCommandSink implements Sink {
  readonly destination: string;
  private readonly queue = new SerialQueue();

  constructor(
    private readonly command: string,
    private readonly naming: () => NamingConfig,
    private readonly log: Logger,
    private readonly format: StreamFormat = 'text',
    readonly name = 'stream',
  ) {
    this.destination = `stream${formatSuffix(format)}:${command}`;
  }

  flush(bucket: Bucket, timestamp: number, signal?: AbortSignal): Promise<void> {
    const naming = this.naming();
    return this.queue.run(() => this.runOnce(bucket, naming, timestamp, signal), signal);
  }

  close(): Promise<void> {
    return this.queue.idle();
  }

  private async runOnce(bucket: Bucket, naming: NamingConfig, timestamp: number, signal?: AbortSignal): Promise<void> {
    // A command that hangs past the flush timeout is killed — with everything it started (its own
    // process group: killing only the shell would leave e.g. its `sleep` running) — so it cannot
    // hold up later flushes.
    const child = spawn('/bin/sh', ['-c', this.command], { stdio: ['pipe', 'inherit', 'inherit'], detached: true });
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    signal?.addEventListener('abort', killGroup, { once: true });
    child.on('close', () => signal?.removeEventListener('abort', killGroup));
    child.on('error', () => undefined); // a failed spawn surfaces as the exit below
    const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    // A command that exits early closes its stdin; that is its business, not a crash of ours.
    child.stdin.on('error', () => undefined);
    try {
      await writeBuffers(child.stdin, streamBuffers(this.format, bucket, naming, timestamp, this.log, this.name), signal);
    } catch {
      // reported below through the exit status
    }
    child.stdin.end();
    const [code, killedBy] = await exited;
    if (code !== 0) {
      this.log.warn({ sink: this.name, code, signal: killedBy }, 'stream command exited with a failure; this flush may be incomplete');
      throw new Error(`stream command exited with ${killedBy ?? code}`);
    }
  }
}
