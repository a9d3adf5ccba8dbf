// One persistent TCP connection to one destination, shared by every line-protocol sink.
//
// - Lines wait in a bounded queue (memory, or a disk spool that survives restarts); while the
//   destination is down they wait there. Past the bound the oldest lines are dropped and
//   counted, never silently.
// - A chunk leaves the queue only once the kernel has taken it (its write callback); a chunk
//   still in flight when the connection breaks is sent again first after reconnecting.
// - The kernel taking a chunk does not mean carbon read it: a carbon that stops reading (a pause,
//   a full disk, a shutdown) and then closes loses whatever sat in the socket buffers on both
//   ends. So every chunk is kept, however long that takes, until IN_FLIGHT_BYTES have been
//   written after it — more than both kernels' buffers can hold — and the ones kept are sent again
//   when the connection drops. Carbon (whisper) keeps one point per path and timestamp, so a
//   repeated line overwrites itself: nothing is stored twice.
// - A connection that takes nothing for stallTimeoutMs while a chunk waits is treated as down:
//   closed (the chunks kept go again on the next one) and reported until it delivers again.
// - Reconnects back off exponentially (capped), so a dead carbon is not hammered.
// - Writes respect backpressure: one chunk awaits the kernel at a time, and a flush rendering
//   faster than the destination reads waits for room (room()) instead of overflowing the queue.
// - A flush may hand a connected sender views of its render slabs instead of copies
//   (takesViews()); each view goes back to the slab pool once forgotten, and the next flush copies
//   the few still kept (releaseViews()), so that no slab stays pinned by a quiet interval's lines.
// The queue, the counters, backoff and outage logging are the delivery core's (delivery-core.ts).

import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type { Logger } from '../../log/logger.js';
import { renderSlabs } from '../../naming/render-slabs.js';
import type { SinkCounters } from '../sink.js';
import type { Chunk, ChunkQueue } from './chunk-queue.js';
import { DeliveryCore } from './delivery-core.js';

/** The largest a socket buffer may grow (bytes), from the kernel's tcp_wmem / tcp_rmem maxima. */
function socketBufferMax(kind: 'wmem' | 'rmem', fallback: number): number {
  try {
    const max = Number(readFileSync(`/proc/sys/net/ipv4/tcp_${kind}`, 'utf8').trim().split(/\s+/)[2]);
    return Number.isFinite(max) && max > 0 ? max : fallback;
  } catch {
    return fallback;
  }
}

/**
 * Bytes that may still sit unread in the two kernels' buffers after a write: our send buffer plus
 * the peer's receive buffer, at their maxima (Node cannot read a socket's own sizes). A chunk with
 * this many bytes written after it has been read by the peer.
 */
export const IN_FLIGHT_BYTES = socketBufferMax('wmem', 4 << 20) + socketBufferMax('rmem', 6 << 20);

export interface SenderOptions {
  host: string;
  port: number;
  /** Connect timeout, ms. */
  connectTimeoutMs: number;
  /** A connection that takes nothing for this long while a chunk waits is closed as stalled (default 30 s). */
  stallTimeoutMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface SenderStats extends SinkCounters {
  connected: boolean;
  lastError: string | null;
  lastSuccessAt: number | null;
}

/** A view of a render slab becomes a copy of its own, and the view goes back to the pool. */
function ownBytes(chunk: Chunk): void {
  const view = chunk.data;
  if (!renderSlabs.lent(view)) return;
  chunk.data = Buffer.from(view);
  renderSlabs.giveBack(view);
}

export class BufferedTcpSender extends DeliveryCore {
  private inFlight: Chunk | null = null;
  /**
   * Chunks written that the peer may not have read yet, oldest first; those before `recentHead`
   * are known read (dropped in bulk: shift() per write is quadratic here).
   */
  private recent: Chunk[] = [];
  private recentHead = 0;
  private recentBytes = 0;
  /** Chunks to send again before the queue, oldest first. */
  private replay: Chunk[] = [];
  private socket: Socket | null = null;
  private connected = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  /** Fires when the chunk in flight has waited stallTimeoutMs for the kernel to take it. */
  private stallTimer: NodeJS.Timeout | null = null;
  /** When the connection last stalled; cleared by the next write the kernel takes. */
  private stalledAt: number | null = null;
  /** Flushes waiting in room() for the queue to shrink to `lines`. */
  private roomWaiters: Array<{ lines: number; wake: () => void }> = [];

  constructor(
    private readonly options: SenderOptions,
    queue: ChunkQueue,
    log: Logger,
  ) {
    const name = `${options.host}:${options.port}`;
    super(queue, log, { name, unit: 'lines', minBackoffMs: options.minBackoffMs ?? 100, maxBackoffMs: options.maxBackoffMs ?? 30_000 });
    this.connect();
  }

  stats(): SenderStats {
    return {
      ...this.counters(),
      connected: this.connected,
      lastError: this.lastError,
      lastSuccessAt: this.lastSuccessAt,
    };
  }

  /**
   * Whether a flush starting now may hand this sender views of render slabs (LineBytes.take)
   * instead of copies of its lines: only while it is connected with nothing waiting, and queues in
   * memory. Such a flush's chunks are then written while it runs (room() paces it), and each goes
   * back to the pool once forgotten, IN_FLIGHT_BYTES later. A flush starting while lines wait
   * copies, so an outage never pins a slab for a few lines.
   */
  takesViews(): boolean {
    return this.connected && this.stalledAt === null && this.queue.spoolBytes === null && this.counters().bufferedLines === 0;
  }

  /**
   * Copies the views of render slabs still kept for a re-send (the last IN_FLIGHT_BYTES written)
   * and gives the views back: called as a flush starts, so the previous flush's slab returns to the
   * pool however few lines follow it. At most IN_FLIGHT_BYTES are copied. The chunk in flight stays
   * as it is: the kernel may still be reading it.
   */
  releaseViews(): void {
    for (let i = this.recentHead; i < this.recent.length; i++) ownBytes(this.recent[i]);
    for (const chunk of this.replay) if (chunk !== this.inFlight) ownBytes(chunk);
  }

  /**
   * Resolves once at most `lines` wait here, or at once while the destination takes nothing (down
   * or stalled: holding lines through an outage is what the queue's bound is for), or when
   * `signal` aborts. The Graphite sink awaits it before handing over each chunk that would not fit
   * (graphite/line-router.ts), so that a flush goes no faster than carbon reads, rather than
   * overflowing the queue while carbon is well.
   */
  room(lines: number, signal?: AbortSignal): Promise<void> {
    if (this.hasRoom(lines) || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        lines,
        wake: () => {
          signal?.removeEventListener('abort', waiter.wake);
          this.roomWaiters = this.roomWaiters.filter((w) => w !== waiter);
          resolve();
        },
      };
      signal?.addEventListener('abort', waiter.wake, { once: true });
      this.roomWaiters.push(waiter);
    });
  }

  /** Whether at most `lines` wait here, or the destination takes nothing now (see room()). */
  hasRoom(lines: number): boolean {
    return !this.connected || this.stalledAt !== null || this.queue.lines + this.heldBack() <= lines;
  }

  private wakeRoomWaiters(): void {
    for (const waiter of this.roomWaiters) if (this.hasRoom(waiter.lines)) waiter.wake();
  }

  protected override heldBack(): number {
    return this.replay.reduce((n, c) => n + c.lines, 0);
  }

  /** Closes the connection; resolves once the queue has put away what it was given (a disk spool's last segment). */
  async close(): Promise<void> {
    this.closing = true;
    this.clearStall();
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.socket?.end();
    this.socket?.destroy();
    // Re-sends not yet written again are in memory in any case; the queue itself may be on disk.
    await this.releaseQueue(this.heldBack());
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
      this.reachable();
      this.pump();
    });
    socket.on('timeout', () => socket.destroy(new Error('connect timeout')));
    // Carbon never talks back; anything it sends is ignored but must be read.
    socket.on('data', () => undefined);
    socket.on('error', (err) => this.unreachable(err.message));
    socket.on('end', () => socket.destroy());
    socket.on('close', () => this.onClose(socket));
  }

  private onClose(socket: Socket): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.connected = false;
    this.wakeRoomWaiters();
    // Not confirmed written: it stays at the head of the queue and goes first after reconnecting.
    this.inFlight = null;
    if (this.closing) return;
    this.clearStall();
    const resend = this.recent.slice(this.recentHead);
    this.recent = [];
    this.recentHead = 0;
    this.recentBytes = 0;
    this.unreachable(this.lastError ?? 'connection closed');
    if (resend.length > 0) {
      const lines = resend.reduce((n, c) => n + c.lines, 0);
      this.replay = [...resend, ...this.replay];
      this.resending(lines);
      this.log.info({ destination: this.name, lines }, 'connection dropped: sending the last lines again');
    }
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, this.nextBackoff());
  }

  /** Why this destination cannot take lines now (unreachable, stalled), or null when it can. */
  problem(): string | null {
    if (!this.connected && this.lastError !== null) return `${this.name}: ${this.lastError}`;
    if (this.stalledAt !== null) return `${this.name}: stalled since ${new Date(this.stalledAt).toISOString()}, lines waiting`;
    return null;
  }

  private armStall(socket: Socket): void {
    const after = this.options.stallTimeoutMs ?? 30_000;
    this.stallTimer = setTimeout(() => {
      this.stalledAt ??= Date.now();
      this.log.warn({ destination: this.name, waitedMs: after, bufferedLines: this.queue.lines }, 'destination stalled: reconnecting');
      socket.destroy(new Error(`stalled: took nothing for ${after / 1000} s`));
    }, after);
  }

  private clearStall(): void {
    if (this.stallTimer !== null) clearTimeout(this.stallTimer);
    this.stallTimer = null;
  }

  protected pump(): void {
    const socket = this.socket;
    if (!this.connected || socket === null || this.inFlight !== null) return;
    const replaying = this.replay.length > 0;
    const chunk = replaying ? this.replay[0] : this.queue.peek();
    this.countDropped(this.queue.takeLost());
    if (chunk === null) {
      if (this.queue.lines === 0) this.drained(); // else: still being written to the spool, whose onChange pumps again
      return;
    }
    this.inFlight = chunk;
    this.armStall(socket);
    socket.write(chunk.data, (err) => {
      if (this.inFlight !== chunk || err) return; // the connection broke: 'close' resets inFlight
      this.clearStall();
      if (replaying) this.replay.shift();
      else this.queue.ack();
      this.inFlight = null;
      this.delivered(chunk);
      this.stalledAt = null;
      this.recent.push(chunk);
      this.recentBytes += chunk.data.length;
      // Forget what the peer must have read: IN_FLIGHT_BYTES written after it. The last chunk stays.
      while (this.recentHead < this.recent.length - 1 && this.recentBytes - this.recent[this.recentHead].data.length >= IN_FLIGHT_BYTES) {
        const read = this.recent[this.recentHead++].data;
        this.recentBytes -= read.length;
        renderSlabs.giveBack(read);
      }
      if (this.recentHead > 1024 && this.recentHead * 2 > this.recent.length) {
        this.recent.splice(0, this.recentHead);
        this.recentHead = 0;
      }
      if (this.roomWaiters.length > 0) this.wakeRoomWaiters();
      this.pump();
    });
  }
}
