// One persistent TCP connection to one destination, shared by every line-protocol sink.
//
// - Lines wait in a bounded queue (memory, or a disk spool that survives restarts); while the
//   destination is down they wait there. Past the bound the oldest lines are dropped and
//   counted, never silently.
// - A chunk leaves the queue only once the kernel has taken it (its write callback); a chunk
//   still in flight when the connection breaks is sent again first after reconnecting.
// - The kernel taking a chunk does not mean carbon read it: a carbon shutting down stops reading,
//   then closes, and whatever sat in its socket is gone. So when the destination drops the
//   connection, chunks written in the last RESEND_WINDOW_MS are sent again, at most the last
//   RESEND_WINDOW_BYTES: more than the kernel buffers on both ends can hold. Carbon keeps one
//   point per path and timestamp, so a repeated line overwrites itself: nothing is stored twice.
// - Reconnects back off exponentially (capped), so a dead carbon is not hammered.
// - Writes respect backpressure: one chunk awaits the kernel at a time.

import { connect, type Socket } from 'node:net';
import type { Logger } from '../../log/logger.js';
import { boundedWait } from '../../util/bounded-wait.js';
import type { Chunk, ChunkQueue } from './chunk-queue.js';

/** How far back, before the destination dropped the connection, written chunks are sent again. */
export const RESEND_WINDOW_MS = 3000;
/**
 * …and how many bytes at most: more than Linux's default socket buffers hold (4 MiB to send, 6 MiB
 * to receive), and little enough that a big flush does not keep hundreds of MB alive for V8 to
 * collect again and again (bench/README.md, flush).
 */
export const RESEND_WINDOW_BYTES = 32 * 1024 * 1024;

export interface SenderOptions {
  host: string;
  port: number;
  /** Connect timeout, ms. */
  connectTimeoutMs: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface SenderStats {
  sentLines: number;
  droppedLines: number;
  bufferedLines: number;
  connected: boolean;
  lastError: string | null;
  lastSuccessAt: number | null;
}

export class BufferedTcpSender {
  private inFlight: Chunk | null = null;
  /**
   * Chunks written recently, oldest first, in case the destination drops them unread; those
   * before `recentHead` have expired (dropped in bulk: shift() per write is quadratic here).
   */
  private recent: Array<{ chunk: Chunk; at: number }> = [];
  private recentHead = 0;
  private recentBytes = 0;
  /** Chunks to send again before the queue, oldest first. */
  private replay: Chunk[] = [];
  private socket: Socket | null = null;
  private connected = false;
  private closing = false;
  private backoffMs: number;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private idleWaiters: Array<() => void> = [];

  sentLines = 0;
  droppedLines = 0;
  /** Dropped since the owner last asked, for one log line per interval. */
  private droppedUnreported = 0;
  lastError: string | null = null;
  lastSuccessAt: number | null = null;

  constructor(
    private readonly options: SenderOptions,
    private readonly queue: ChunkQueue,
    private readonly log: Logger,
  ) {
    this.backoffMs = options.minBackoffMs ?? 100;
    queue.onChange = () => {
      this.countDropped(this.queue.takeLost());
      this.pump();
    };
    this.connect();
  }

  get name(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  stats(): SenderStats {
    return {
      sentLines: this.sentLines,
      droppedLines: this.droppedLines,
      bufferedLines: this.queue.lines + this.replay.reduce((n, c) => n + c.lines, 0),
      connected: this.connected,
      lastError: this.lastError,
      lastSuccessAt: this.lastSuccessAt,
    };
  }

  /** Lines dropped since the previous call. */
  takeDroppedCount(): number {
    const n = this.droppedUnreported;
    this.droppedUnreported = 0;
    return n;
  }

  /** Queues `lines` newline-terminated lines in `data`. Never blocks. */
  send(data: Buffer, lines: number): void {
    if (lines === 0) return;
    this.countDropped(this.queue.push({ data, lines }));
    this.pump();
  }

  /** Ends one flush's worth of sends (a disk spool writes it out durably here). */
  seal(): void {
    this.countDropped(this.queue.seal());
    this.pump();
  }

  /** Resolves when everything queued so far has been handed to the kernel (or `timeoutMs` passes). */
  async idle(timeoutMs: number): Promise<boolean> {
    if (this.queue.lines === 0 && this.replay.length === 0) return true;
    return boundedWait(new Promise<void>((resolve) => this.idleWaiters.push(resolve)), timeoutMs);
  }

  /** Closes the connection; resolves once the queue has put away what it was given (a disk spool's last segment). */
  async close(): Promise<void> {
    this.closing = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.socket?.end();
    this.socket?.destroy();
    await this.queue.settled();
    // Re-sends not yet written again are in memory in any case; the queue itself may be on disk.
    const replayed = this.replay.reduce((n, c) => n + c.lines, 0);
    const lost = replayed + (this.queue.durable ? 0 : this.queue.lines);
    if (lost > 0) {
      this.countDropped(lost);
      this.log.error({ destination: this.name, droppedLines: lost }, 'closing with lines still queued; they are dropped');
    }
    if (this.queue.durable && this.queue.lines > 0) {
      const message = 'closing with lines in the spool; they go first at the next start';
      this.log.info({ destination: this.name, lines: this.queue.lines }, message);
    }
  }

  private countDropped(dropped: number): void {
    this.droppedLines += dropped;
    this.droppedUnreported += dropped;
  }

  private connect(): void {
    if (this.closing) return;
    const socket = connect({ host: this.options.host, port: this.options.port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.setTimeout(this.options.connectTimeoutMs);
    socket.once('connect', () => {
      socket.setTimeout(0);
      this.connected = true;
      this.backoffMs = this.options.minBackoffMs ?? 100;
      if (this.lastError !== null) this.log.info({ destination: this.name }, 'reconnected');
      this.lastError = null;
      this.pump();
    });
    socket.on('timeout', () => socket.destroy(new Error('connect timeout')));
    // Carbon never talks back; anything it sends is ignored but must be read.
    socket.on('data', () => undefined);
    socket.on('error', (err) => {
      if (this.lastError !== err.message) {
        this.log.warn({ destination: this.name, err: err.message, bufferedLines: this.queue.lines }, 'destination unreachable; buffering');
      }
      this.lastError = err.message;
    });
    socket.on('end', () => socket.destroy());
    socket.on('close', () => this.onClose(socket));
  }

  private onClose(socket: Socket): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.connected = false;
    // Not confirmed written: it stays at the head of the queue and goes first after reconnecting.
    this.inFlight = null;
    if (this.closing) return;
    const since = Date.now() - RESEND_WINDOW_MS;
    const resend = this.recent.slice(this.recentHead).filter((r) => r.at >= since).map((r) => r.chunk);
    this.recent = [];
    this.recentHead = 0;
    this.recentBytes = 0;
    if (resend.length > 0) {
      this.replay = [...resend, ...this.replay];
      this.sentLines -= resend.reduce((n, c) => n + c.lines, 0);
      this.log.info(
        { destination: this.name, lines: resend.reduce((n, c) => n + c.lines, 0) },
        'connection dropped: sending the last lines again',
      );
    }
    this.lastError ??= 'connection closed';
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 30_000);
  }

  private pump(): void {
    const socket = this.socket;
    if (!this.connected || socket === null || this.inFlight !== null) return;
    const replaying = this.replay.length > 0;
    const chunk = replaying ? this.replay[0] : this.queue.peek();
    this.countDropped(this.queue.takeLost());
    if (chunk === null) {
      if (this.queue.lines > 0) return; // still being written to the spool: its onChange pumps again
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
      return;
    }
    this.inFlight = chunk;
    socket.write(chunk.data, (err) => {
      if (this.inFlight !== chunk || err) return; // the connection broke: 'close' resets inFlight
      if (replaying) this.replay.shift();
      else this.queue.ack();
      this.inFlight = null;
      this.sentLines += chunk.lines;
      const now = Date.now();
      this.lastSuccessAt = now;
      this.recent.push({ chunk, at: now });
      this.recentBytes += chunk.data.length;
      // Forget what is too old or too much; the chunk just written always stays.
      while (this.recentHead < this.recent.length - 1) {
        const oldest = this.recent[this.recentHead];
        if (oldest.at >= now - RESEND_WINDOW_MS && this.recentBytes <= RESEND_WINDOW_BYTES) break;
        this.recentBytes -= oldest.chunk.data.length;
        this.recentHead++;
      }
      if (this.recentHead > 1024 && this.recentHead * 2 > this.recent.length) {
        this.recent.splice(0, this.recentHead);
        this.recentHead = 0;
      }
      this.pump();
    });
  }
}
