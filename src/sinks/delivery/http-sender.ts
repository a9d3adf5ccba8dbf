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
// The queue, the counters, backoff and outage logging are the delivery core's (delivery-core.ts).

import { Pool } from 'undici';
import type { Logger } from '../../log/logger.js';
import { MemoryQueue, type Chunk } from './chunk-queue.js';
import { DeliveryCore } from './delivery-core.js';
import { DiskSpool } from './disk-spool.js';
import type { HttpOptions } from './http-options.js';

type Outcome = 'sent' | 'retry' | 'refused';

const JSON_HEADERS = { 'content-type': 'application/json' };

function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export class HttpSender extends DeliveryCore {
  private pumping = false;
  private wakeUp: (() => void) | null = null;
  private readonly pool: Pool;
  private readonly path: string;

  constructor(
    private readonly options: HttpOptions,
    log: Logger,
    /** Describe the body: JSON for the HTTP sink, snappy'd protobuf for remote write. */
    private readonly bodyHeaders: Record<string, string> = JSON_HEADERS,
  ) {
    const { spoolDir, spoolMaxBytes, bufferSeries } = options;
    const queue = spoolDir === null ? new MemoryQueue(bufferSeries) : new DiskSpool(spoolDir, spoolMaxBytes, log, bufferSeries);
    super(queue, log, { name: options.displayName, unit: 'series', minBackoffMs: 100, maxBackoffMs: 10_000 });
    const url = new URL(options.url);
    this.path = url.pathname + url.search;
    this.pool = new Pool(url.origin, {
      connections: 1, // one POST at a time anyway; it keeps its connection alive between flushes
      keepAliveTimeout: 30_000,
      connect: { timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    // A spool from before a restart goes first, without waiting for the first flush.
    if (this.queue.lines > 0) this.pump();
  }

  /** Why the endpoint takes nothing now (its last attempt failed), or null. */
  problem(): string | null {
    return this.lastError;
  }

  /** Gives what is buffered up to `timeoutMs` to be delivered, then closes the connections. */
  async close(timeoutMs: number): Promise<void> {
    await this.idle(timeoutMs);
    this.closing = true;
    this.wakeUp?.();
    await this.pool.destroy();
    await this.releaseQueue(0);
  }

  protected pump(): void {
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let doc = this.queue.peek(); doc !== null && !this.closing; doc = this.queue.peek()) await this.deliver(doc);
      this.countDropped(this.queue.takeLost());
    } finally {
      this.pumping = false;
    }
    if (this.queue.lines === 0) this.drained();
  }

  private async deliver(doc: Chunk): Promise<void> {
    const outcome = await this.post(doc);
    if (outcome === 'retry') {
      // It stays at the head of the queue: nothing later may overtake it.
      await this.pause(this.nextBackoff());
      return;
    }
    this.queue.ack();
    this.reachable();
    if (outcome === 'sent') this.delivered(doc);
    else this.countDropped(doc.lines);
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
      this.unreachable((err as Error).message || String(err));
      return 'retry';
    }
    if (status >= 200 && status < 300) return 'sent';
    if (retryable(status)) {
      this.unreachable(`HTTP ${status}`);
      return 'retry';
    }
    this.log.error({ destination: this.name, status, series: doc.lines }, 'http endpoint refused a document; dropped it');
    return 'refused';
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
