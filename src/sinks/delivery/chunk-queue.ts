// What a network sink has to send, oldest first, in chunks of lines. The sender peeks at the
// head, writes it, and acks it once the kernel has taken it; anything not acked is sent again
// after a reconnect. Two kinds: in memory (bounded in lines) and on disk (bounded in bytes).

export interface Chunk {
  /** Newline-terminated lines, UTF-8: off the JS heap, which a million-series flush would crowd. */
  data: Buffer;
  lines: number;
}

/** Anything queued: the HTTP senders queue request bodies, counted in series. */
export interface Counted {
  lines: number;
}

export interface ChunkQueue<C extends Counted = Chunk> {
  /** Adds a chunk; returns the number of lines dropped (oldest first) to stay within bounds. */
  push(chunk: C): number;
  /** Marks the end of one flush's chunks; returns lines dropped. The disk spool makes them durable here. */
  seal(): number;
  /** The oldest chunk not yet acknowledged, or null when there is nothing (sealed) to send. */
  peek(): C | null;
  /** The chunk last returned by peek() reached the kernel. */
  ack(): void;
  /** Lines waiting, the peeked chunk included. */
  readonly lines: number;
  /** Lines lost since the last call other than by push() or seal() (a spool segment that could not be read or written). */
  takeLost(): number;
  /** Called when chunks become ready to send, or lines were lost, other than by push() (a disk spool's segment was written). */
  onChange: (() => void) | null;
  /** Resolves once everything sealed so far is where peek() finds it (a disk spool's writes are done). */
  settled(): Promise<void>;
  /** Lines it holds that do not outlive the process (all of a memory queue's). */
  readonly volatileLines: number;
  /** Bytes it holds on disk; null for a queue in memory. */
  readonly spoolBytes: number | null;
  /** Its owner is done with it (a disk spool's directory may be opened again). */
  release(): void;
}

/** The in-memory queue, bounded in lines. */
export class MemoryQueue<C extends Counted = Chunk> implements ChunkQueue<C> {
  private readonly chunks: C[] = [];
  private head = 0;
  private peeked = false;
  lines = 0;
  readonly spoolBytes = null;

  constructor(private readonly maxLines: number) {}

  push(chunk: C): number {
    this.chunks.push(chunk);
    this.lines += chunk.lines;
    let dropped = 0;
    // Drop the oldest, but never the chunk being written (its ack would then remove the wrong one).
    const protectedHead = this.peeked ? 1 : 0;
    while (this.lines > this.maxLines && this.chunks.length - this.head > protectedHead + 1) {
      const [oldest] = this.chunks.splice(this.head + protectedHead, 1);
      this.lines -= oldest.lines;
      dropped += oldest.lines;
    }
    return dropped;
  }

  seal(): number {
    return 0;
  }

  takeLost(): number {
    return 0;
  }

  onChange: (() => void) | null = null;

  get volatileLines(): number {
    return this.lines;
  }

  release(): void {}

  settled(): Promise<void> {
    return Promise.resolve();
  }

  peek(): C | null {
    if (this.head === this.chunks.length) return null;
    this.peeked = true;
    return this.chunks[this.head];
  }

  ack(): void {
    this.lines -= this.chunks[this.head].lines;
    this.head++;
    this.peeked = false;
    // Reclaim consumed slots in bulk rather than shift()ing one by one.
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks.splice(0, this.head);
      this.head = 0;
    }
  }
}
