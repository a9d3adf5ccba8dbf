// Delivers documents to one HTTP endpoint, in order, over a keep-alive connection (undici Pool).
// Shared by the HTTP (JSON) and remote-write (protobuf) sinks.
//
// - Documents wait in the network sinks' chunk queue (chunk-queue.ts): in memory, bounded in
//   series (past `bufferSeries` the oldest are dropped and counted, never silently), or — with
//   `spool_dir` — in a disk spool that a restart does not lose, one segment per flush.
// - One POST at a time, so documents arrive in the order they were flushed. A document leaves
//   the queue only when the endpoint answered.
// - A network error, a timeout, 408, 429 or 5xx is retried — the same document, before any later
//   one — with exponential backoff (100 ms doubling to 10 s). Any other answer is permanent: that
//   document is dropped (counted and logged), so one bad document cannot block the rest.
// - A POST that times out after the endpoint took it is sent again: delivery is at least once.

import { Pool } from 'undici';
import type { Logger } from '../../log/logger.js';
import { boundedWait } from '../../util/bounded-wait.js';
import { MemoryQueue, type Chunk, type ChunkQueue } from './chunk-queue.js';
import { DiskSpool } from './disk-spool.js';
import type { SinkCounters } from '../sink.js';
import type { HttpOptions } from './http-options.js';

type Outcome = 'sent' | 'retry' | 'refused';

const JSON_HEADERS = { 'content-type': 'application/json' };

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 10_000;

function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export class HttpSender {
  /** Request bodies, each with the number of series in it. */
  private readonly queue: ChunkQueue;
  private pumping = false;
  private closing = false;
  private backoffMs = MIN_BACKOFF_MS;
  private wakeUp: (() => void) | null = null;
  private idleWaiters: Array<() => void> = [];
  private readonly pool: Pool;
  private readonly path: string;

  sentSeries = 0;
  droppedSeries = 0;
  /** Dropped for a full buffer since the owner last asked, for one log line per flush. */
  private droppedUnreported = 0;
  lastError: string | null = null;
  lastSuccessAt: number | null = null;

  constructor(
    private readonly options: HttpOptions,
    private readonly log: Logger,
    /** Describe the body: JSON for the HTTP sink, snappy'd protobuf for remote write. */
    private readonly bodyHeaders: Record<string, string> = JSON_HEADERS,
  ) {
    const { spoolDir, spoolMaxBytes, bufferSeries } = options;
    this.queue = spoolDir === null ? new MemoryQueue(bufferSeries) : new DiskSpool(spoolDir, spoolMaxBytes, log, bufferSeries);
    this.queue.onChange = () => {
      this.countDropped(this.queue.takeLost());
      void this.pump();
    };
    // A spool from before a restart goes first, without waiting for the first flush.
    if (this.queue.lines > 0) void this.pump();
    const url = new URL(options.url);
    this.path = url.pathname + url.search;
    this.pool = new Pool(url.origin, {
      connections: 1, // one POST at a time anyway; it keeps its connection alive between flushes
      keepAliveTimeout: 30_000,
      connect: { timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /** Why the endpoint takes nothing now (its last attempt failed), or null. */
  problem(): string | null {
    return this.lastError;
  }

  counters(): SinkCounters {
    return { sentLines: this.sentSeries, droppedLines: this.droppedSeries, bufferedLines: this.queue.lines };
  }

  /** Series dropped for a full buffer since the previous call. */
  takeDroppedCount(): number {
    const n = this.droppedUnreported;
    this.droppedUnreported = 0;
    return n;
  }

  /** Queues one serialised document of `series` series. Never blocks. */
  send(body: string | Uint8Array, series: number): void {
    const data = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    this.countDropped(this.queue.push({ data, lines: series }));
  }

  /** Ends one flush's documents: from here on they may be sent. */
  seal(): void {
    this.countDropped(this.queue.seal());
    void this.pump();
  }

  /** Resolves true once everything queued so far was answered, false after `timeoutMs`. */
  private idle(timeoutMs: number): Promise<boolean> {
    if (this.queue.lines === 0) return Promise.resolve(true);
    return boundedWait(new Promise<void>((resolve) => this.idleWaiters.push(resolve)), timeoutMs);
  }

  /** Gives what is buffered up to `timeoutMs` to be delivered, then closes the connections. */
  async close(timeoutMs: number): Promise<void> {
    await this.idle(timeoutMs);
    this.closing = true;
    this.wakeUp?.();
    await this.pool.destroy();
    await this.queue.settled();
    this.queue.release();
    const lost = this.queue.volatileLines;
    if (lost > 0) {
      this.countDropped(lost);
      this.log.error({ sink: this.options.displayName, droppedSeries: lost }, 'closing with series still buffered; they are dropped');
    }
    if (this.queue.lines > lost) {
      const message = 'closing with series in the spool; they go first at the next start';
      this.log.info({ sink: this.options.displayName, series: this.queue.lines - lost }, message);
    }
  }

  private countDropped(series: number): void {
    this.droppedSeries += series;
    this.droppedUnreported += series;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let doc = this.queue.peek(); doc !== null && !this.closing; doc = this.queue.peek()) await this.deliver(doc);
      this.countDropped(this.queue.takeLost());
    } finally {
      this.pumping = false;
    }
    if (this.queue.lines === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private async deliver(doc: Chunk): Promise<void> {
    const outcome = await this.post(doc);
    if (outcome === 'retry') {
      // It stays at the head of the queue: nothing later may overtake it.
      await this.pause(this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
      return;
    }
    this.queue.ack();
    this.backoffMs = MIN_BACKOFF_MS;
    if (outcome === 'sent') this.sentSeries += doc.lines;
    else this.droppedSeries += doc.lines; // logged as refused, not as a full buffer
  }

  private async post(doc: Chunk): Promise<Outcome> {
    let status: number;
    try {
      const res = await this.pool.request({
        method: 'POST',
        path: this.path,
        headers: { ...this.bodyHeaders, 'user-agent': 'statsite-ts', ...this.options.headers },
        body: doc.data,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = res.statusCode;
      await res.body.dump(); // the answer is not needed, but reading it frees the connection
    } catch (err) {
      return this.failed((err as Error).message || String(err));
    }
    if (status >= 200 && status < 300) {
      if (this.lastError !== null) this.log.info({ sink: this.options.displayName }, 'http endpoint delivering again');
      this.lastError = null;
      this.lastSuccessAt = Date.now();
      return 'sent';
    }
    if (retryable(status)) return this.failed(`HTTP ${status}`);
    this.log.error({ sink: this.options.displayName, status, series: doc.lines }, 'http endpoint refused a document; dropped it');
    return 'refused';
  }

  private failed(problem: string): Outcome {
    if (this.lastError !== problem) {
      this.log.warn(
        { sink: this.options.displayName, err: problem, bufferedSeries: this.queue.lines },
        'http endpoint unavailable; buffering and retrying',
      );
    }
    this.lastError = problem;
    return 'retry';
  }

  /** Waits `ms`, or less if the sender is closed meanwhile. */
  private pause(ms: number): Promise<void> {
    if (this.closing) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wakeUp!(), ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
    });
  }
}
