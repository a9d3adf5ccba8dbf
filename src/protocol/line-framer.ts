// Newline framing for streams (TCP connections, stdin): a line may arrive split across reads.
// Complete lines are parsed straight from the chunk that finishes them; only the unfinished
// tail is copied and carried over.

import type { LineParser } from './parser.js';

/** A line longer than this without a newline is dropped up to the next newline. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

export class LineFramer {
  private pending: Buffer | null = null;
  private discarding = false;

  constructor(
    private readonly parser: LineParser,
    private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  ) {}

  /** Feeds one chunk; returns the number of lines accepted. */
  push(chunk: Buffer): number {
    const lastNl = chunk.lastIndexOf(0x0a);
    if (lastNl < 0) {
      this.hold(chunk);
      return 0;
    }
    let accepted = 0;
    let from = 0;
    if (this.pending !== null || this.discarding) {
      // Finish the carried-over line with the head of this chunk.
      const firstNl = chunk.indexOf(0x0a);
      if (this.discarding) {
        this.discarding = false;
      } else {
        const line = Buffer.concat([this.pending!, chunk.subarray(0, firstNl)]);
        accepted += this.parser.parseLine(line, 0, line.length);
      }
      this.pending = null;
      from = firstNl + 1;
    }
    accepted += this.parser.parse(chunk, from, lastNl);
    if (lastNl + 1 < chunk.length) this.hold(chunk.subarray(lastNl + 1));
    return accepted;
  }

  /** The stream ended, or was cut: a final line without '\n' still counts if it parses (statsite drops it; we don't). */
  end(): number {
    const line = this.pending;
    this.pending = null;
    this.discarding = false;
    return line === null ? 0 : this.parser.parseLine(line, 0, line.length);
  }

  /** Holds the start of a line, or is dropping an over-long one up to its newline. */
  get holding(): boolean {
    return this.pending !== null || this.discarding;
  }

  private hold(tail: Buffer): void {
    if (this.discarding) return;
    const size = (this.pending?.length ?? 0) + tail.length;
    if (size > this.maxLineBytes) {
      const line = this.pending ?? tail;
      this.parser.rejects.reject('line_too_long', line, 0, Math.min(line.length, 200));
      this.pending = null;
      this.discarding = true;
      return;
    }
    // Copy: the socket may reuse the chunk's memory after this callback.
    this.pending = this.pending === null ? Buffer.from(tail) : Buffer.concat([this.pending, tail]);
  }
}
