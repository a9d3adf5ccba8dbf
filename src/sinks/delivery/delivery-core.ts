// What every network sender shares, whatever carries its bytes (a carbon TCP connection, an HTTP
// endpoint): one bounded queue — in memory, or a disk spool that survives restarts — drained one
// item at a time in order; the bookkeeping of what was sent, dropped and is waiting; the last
// error and the last success; backoff between failed attempts; what an operator reads about an
// outage (when it began, once a minute while it lasts, what it cost when it ends); and what a
// close does with what is left. A transport adds only how one item is sent (`pump`).
//
// Units: a Graphite queue counts lines, the HTTP-based ones count series; the log fields say which.

import type { Logger } from '../../log/logger.js';
import { boundedWait } from '../../util/bounded-wait.js';
import type { SinkCounters } from '../sink.js';
import type { Chunk, ChunkQueue } from './chunk-queue.js';

/** While a destination is down, a line saying so at most this often. */
const OUTAGE_LOG_MS = 60_000;

export interface DeliveryOptions {
  /** How the logs name the destination: `host:port`, or the sink's URL. */
  name: string;
  unit: 'lines' | 'series';
  minBackoffMs: number;
  maxBackoffMs: number;
}

export abstract class DeliveryCore {
  sent = 0;
  dropped = 0;
  /** Dropped since the owner last asked, for one log line per flush. */
  private droppedUnreported = 0;
  lastError: string | null = null;
  lastSuccessAt: number | null = null;
  /** Since when the queue has not run empty (see SinkCounters.queuedSince). */
  private queuedSince: number | null = null;
  /** Set by close(): no new attempt starts. */
  protected closing = false;
  private backoffMs: number;
  private idleWaiters: Array<() => void> = [];
  /** The outage under way: since when, and the drops and re-sends it has cost so far. */
  private outage: { since: number; droppedBefore: number; resent: number; loggedAt: number } | null = null;
  /** `buffered`, `dropped`, `resent` + Lines or Series: the log fields of this unit. */
  private readonly fields: { buffered: string; dropped: string; resent: string };

  constructor(
    protected readonly queue: ChunkQueue,
    protected readonly log: Logger,
    private readonly delivery: DeliveryOptions,
  ) {
    this.backoffMs = delivery.minBackoffMs;
    const suffix = delivery.unit === 'lines' ? 'Lines' : 'Series';
    this.fields = { buffered: `buffered${suffix}`, dropped: `dropped${suffix}`, resent: `resent${suffix}` };
    // A spool left by the last process: its lines are older than this, but not known to be.
    if (queue.lines > 0) this.queuedSince = Date.now();
    queue.onChange = () => {
      this.countDropped(queue.takeLost());
      this.pump();
    };
  }

  get name(): string {
    return this.delivery.name;
  }

  /** Sends what waits, one item at a time, while the destination takes it. */
  protected abstract pump(): void;

  /** Items the transport holds outside the queue to send again first (none by default). */
  protected heldBack(): number {
    return 0;
  }

  /** In units (lines or series): `bufferedLines` is the queue plus what the transport holds to send again. */
  counters(): SinkCounters {
    return {
      sentLines: this.sent,
      droppedLines: this.dropped,
      bufferedLines: this.queue.lines + this.heldBack(),
      queuedSince: this.queuedSince,
      spoolBytes: this.queue.spoolBytes,
      lastDeliveredAt: this.lastSuccessAt,
    };
  }

  /** Dropped since the previous call. */
  takeDroppedCount(): number {
    const n = this.droppedUnreported;
    this.droppedUnreported = 0;
    return n;
  }

  /** Queues one item (lines, a document) of `units` lines or series. Never blocks. */
  send(body: Buffer | Uint8Array | string, units: number): void {
    if (units === 0) return;
    const data = Buffer.isBuffer(body) ? body
      : typeof body === 'string' ? Buffer.from(body)
      : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    this.queuedSince ??= Date.now();
    this.countDropped(this.queue.push({ data, lines: units }));
    this.pump();
  }

  /** Ends one flush's items: from here on they may be sent (a disk spool writes them out durably here). */
  seal(): void {
    this.countDropped(this.queue.seal());
    this.pump();
  }

  /** Resolves true once everything queued so far was delivered, false after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.counters().bufferedLines === 0) return Promise.resolve(true);
    return boundedWait(new Promise<void>((resolve) => this.idleWaiters.push(resolve)), timeoutMs);
  }

  protected countDropped(units: number): void {
    this.dropped += units;
    this.droppedUnreported += units;
  }

  /** Nothing waits any more: wakes idle(). */
  protected drained(): void {
    this.queuedSince = null;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** The destination took `chunk`. */
  protected delivered(chunk: Chunk): void {
    this.sent += chunk.lines;
    this.lastSuccessAt = Date.now();
  }

  /** The destination answers again: the outage (if any) is over, backoff starts over. */
  protected reachable(): void {
    this.backoffMs = this.delivery.minBackoffMs;
    this.lastError = null;
    const outage = this.outage;
    if (outage === null) return;
    this.outage = null;
    this.log.info(
      {
        destination: this.name,
        downSeconds: Math.round((Date.now() - outage.since) / 1000),
        [this.fields.resent]: outage.resent,
        [this.fields.dropped]: this.dropped - outage.droppedBefore,
        [this.fields.buffered]: this.counters().bufferedLines,
      },
      'destination back',
    );
  }

  /** An attempt failed for `problem`: logged when the problem is new, and once a minute while it lasts. */
  protected unreachable(problem: string): void {
    if (this.lastError !== problem) {
      const buffered = { [this.fields.buffered]: this.counters().bufferedLines };
      this.log.warn({ destination: this.name, err: problem, ...buffered }, 'destination unreachable; buffering');
    }
    this.lastError = problem;
    const now = Date.now();
    if (this.outage === null) {
      this.outage = { since: now, droppedBefore: this.dropped, resent: 0, loggedAt: now };
      return;
    }
    if (now - this.outage.loggedAt < OUTAGE_LOG_MS) return;
    this.outage.loggedAt = now;
    const downSince = new Date(this.outage.since).toISOString();
    const buffered = { [this.fields.buffered]: this.counters().bufferedLines };
    this.log.warn({ destination: this.name, downSince, ...buffered }, 'destination still down; buffering');
  }

  /** `units` already counted as sent go again (the connection broke before the peer read them). */
  protected resending(units: number): void {
    this.sent -= units;
    if (this.outage !== null) this.outage.resent += units;
  }

  /** How long to wait before the next attempt; each call doubles the next one, up to the cap. */
  protected nextBackoff(): number {
    const ms = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.delivery.maxBackoffMs);
    return ms;
  }

  /**
   * The end of a close: waits until the queue has put away what it was given (a disk spool's last
   * segment), then counts as dropped what only memory held — `heldInMemory` plus the queue's
   * volatile part — and says what a spool keeps for the next start.
   */
  protected async releaseQueue(heldInMemory: number): Promise<void> {
    await this.queue.settled();
    this.queue.release();
    const lost = heldInMemory + this.queue.volatileLines;
    const { unit } = this.delivery;
    if (lost > 0) {
      this.countDropped(lost);
      this.log.error({ destination: this.name, [this.fields.dropped]: lost }, `closing with ${unit} still queued; they are dropped`);
    }
    const spooled = this.queue.lines - this.queue.volatileLines;
    if (spooled > 0) {
      this.log.info({ destination: this.name, [unit]: spooled }, `closing with ${unit} in the spool; they go first at the next start`);
    }
  }
}
