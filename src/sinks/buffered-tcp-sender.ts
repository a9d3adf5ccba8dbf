// One persistent TCP connection to one destination, shared by every line-protocol sink.
//
// - Lines queue in a bounded buffer; while the destination is down they wait there. When the
//   buffer is full the oldest lines are dropped and counted, never silently.
// - A chunk leaves the queue only once the kernel has taken it (its write callback); chunks
//   still in flight when the connection breaks go back to the front, so reconnecting delivers
//   everything in order, nothing twice.
// - Reconnects back off exponentially (capped), so a dead carbon is not hammered.
// - Writes respect backpressure: at most one chunk awaits the kernel at a time.

import { connect, type Socket } from 'node:net';
import type { Logger } from '../log/logger.js';
import { boundedWait } from '../util/bounded-wait.js';

export interface SenderOptions {
  host: string;
  port: number;
  /** Most lines held while the destination is slow or down. */
  bufferLines: number;
  /** Connect timeout, ms. */
  connectTimeoutMs: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

interface Chunk {
  text: string;
  lines: number;
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
  private readonly queue: Chunk[] = [];
  private queueHead = 0;
  private queuedLines = 0;
  private inFlight: Chunk | null = null;
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
    private readonly log: Logger,
  ) {
    this.backoffMs = options.minBackoffMs ?? 100;
    this.connect();
  }

  get name(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  stats(): SenderStats {
    return {
      sentLines: this.sentLines,
      droppedLines: this.droppedLines,
      bufferedLines: this.queuedLines + (this.inFlight?.lines ?? 0),
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

  /** Queues `lines` newline-terminated lines in `text`. Never blocks. */
  send(text: string, lines: number): void {
    if (lines === 0) return;
    this.queue.push({ text, lines });
    this.queuedLines += lines;
    this.enforceBound();
    this.pump();
  }

  /** Resolves when everything queued so far has been handed to the kernel (or `timeoutMs` passes). */
  async idle(timeoutMs: number): Promise<boolean> {
    if (this.isIdle()) return true;
    return boundedWait(new Promise<void>((resolve) => this.idleWaiters.push(resolve)), timeoutMs);
  }

  close(): void {
    this.closing = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.socket?.end();
    this.socket?.destroy();
    const lost = this.queuedLines + (this.inFlight?.lines ?? 0);
    if (lost > 0) this.log.error({ destination: this.name, lines: lost }, 'closing with lines still buffered; they are lost');
  }

  private isIdle(): boolean {
    return this.queuedLines === 0 && this.inFlight === null;
  }

  private enforceBound(): void {
    let dropped = 0;
    while (this.queuedLines > this.options.bufferLines && this.queueHead < this.queue.length) {
      const oldest = this.queue[this.queueHead++];
      this.queuedLines -= oldest.lines;
      dropped += oldest.lines;
    }
    this.compactQueue();
    if (dropped > 0) {
      this.droppedLines += dropped;
      this.droppedUnreported += dropped;
    }
  }

  private compactQueue(): void {
    // Drop consumed entries in bulk rather than shift()ing one by one.
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
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
        this.log.warn({ destination: this.name, err: err.message, bufferedLines: this.queuedLines }, 'destination unreachable; buffering');
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
    if (this.inFlight !== null) {
      // Not confirmed written: it goes back in front, to be sent first after reconnecting.
      this.queue.splice(this.queueHead, 0, this.inFlight);
      this.queuedLines += this.inFlight.lines;
      this.inFlight = null;
    }
    if (this.closing) return;
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
    if (this.queueHead === this.queue.length) {
      this.queue.length = 0;
      this.queueHead = 0;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
      return;
    }
    const chunk = this.queue[this.queueHead++];
    this.queuedLines -= chunk.lines;
    this.inFlight = chunk;
    socket.write(chunk.text, (err) => {
      if (this.inFlight !== chunk) return; // already requeued by onClose
      if (err) return; // 'close' follows and requeues it
      this.inFlight = null;
      this.sentLines += chunk.lines;
      this.lastSuccessAt = Date.now();
      this.pump();
    });
  }
}
