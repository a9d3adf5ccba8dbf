// Ingest workers share one UDP socket (node:cluster hands each the same one), and a datagram
// that arrives while they wait wakes every one of them: the kernel cannot tell their waits
// apart. A worker that then finds nothing, or a datagram or two, has paid a wake-up and a
// context switch for it; measured (bench/README.md, workers), one worker woke about once per
// datagram, and two workers on one socket cost ~25% more CPU per line than two processes with a
// socket each. So a worker whose read found only a few datagrams stops reading for a moment and
// leaves the socket to the others. In a busy stretch every read finds a full batch (libuv reads
// up to 32 datagrams at a time) and no worker ever stops; while all are paused, the socket's
// receive buffer holds what arrives (a millisecond of traffic, where reads found that little).
//
// Node 20 has no public way to pause a datagram socket (no reusePort either, which would give
// each worker its own); its handle's recvStop/recvStart, which bind and close use, do it. Where
// that handle is not found, nothing pauses.

import type { Socket } from 'node:dgram';

/** A read that found fewer datagrams than this found the socket nearly empty. */
export const FEW_DATAGRAMS = 16;
/** How long a worker that found the socket nearly empty leaves it to the others. */
export const BACKOFF_MS = 1;

interface RecvHandle {
  recvStart(): number;
  recvStop(): number;
}

function recvHandle(socket: Socket): RecvHandle | null {
  const state = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const handle = state === undefined ? undefined : (socket as unknown as Record<symbol, { handle?: unknown }>)[state]?.handle;
  const h = handle as Partial<RecvHandle> | undefined;
  return typeof h?.recvStart === 'function' && typeof h.recvStop === 'function' ? (h as RecvHandle) : null;
}

export class SharedSocketBackoff {
  /** Datagrams of the read under way: the 'message' events of one poll of the socket. */
  private batch = 0;
  private paused: NodeJS.Timeout | null = null;
  private closed = false;
  /** Reads that found few datagrams and paused (for tests and diagnosis). */
  pauses = 0;
  private readonly endOfRead = (): void => this.readEnded();
  /** The socket's handle, looked up at the first pause. */
  private handle: RecvHandle | null | undefined;

  constructor(private readonly socket: Socket) {}

  /** Call for each datagram received. */
  datagram(): void {
    // setImmediate runs after the poll phase, i.e. after libuv's read of the socket is over.
    if (this.batch++ === 0) setImmediate(this.endOfRead);
  }

  /** The socket is closing: no pause may outlive it. */
  close(): void {
    this.closed = true;
    if (this.paused !== null) clearTimeout(this.paused);
    this.paused = null;
  }

  private readEnded(): void {
    const few = this.batch < FEW_DATAGRAMS;
    this.batch = 0;
    if (!few || this.paused !== null || this.closed) return;
    this.handle ??= recvHandle(this.socket);
    if (this.handle === null || this.handle.recvStop() !== 0) return;
    this.pauses++;
    this.resumeLater(this.handle);
  }

  /** Reads again after BACKOFF_MS; tries again until the socket reads or closes. */
  private resumeLater(handle: RecvHandle): void {
    this.paused = setTimeout(() => {
      this.paused = null;
      if (!this.closed && handle.recvStart() !== 0) this.resumeLater(handle);
    }, BACKOFF_MS);
  }
}
