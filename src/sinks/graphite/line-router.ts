// One flush's lines on their way to carbon: rendered into chunks per destination (all to one set
// under fanout), and handed to each destination's sender no faster than it writes them out.
//
// Pacing is per chunk, not per render slice: a slice is POINTS_PER_SLICE lines (26k),
// more than a small buffer_lines holds, so the chunks of a slice wait here (a slice's
// worth at most) until their sender has room. A sender that is down or stalled always has room:
// holding lines through an outage is what its queue's bound is for, counted where it drops.

import { LineBytes } from '../../naming/line-bytes.js';
import type { PointWriter, ValueFormat } from '../../naming/points.js';
import type { BufferedTcpSender } from '../delivery/buffered-tcp-sender.js';
import type { Chunk } from '../delivery/chunk-queue.js';

/** Lines per chunk handed to a sender: the unit of buffering and of dropping when full. */
const LINES_PER_CHUNK = 500;

/**
 * Hands `chunks[from..]` to `sender`, each once at most `ahead` lines (it included) wait there;
 * a promise for the rest if it must wait.
 */
function handOverPaced(
  sender: BufferedTcpSender,
  chunks: readonly Chunk[],
  ahead: number,
  signal: AbortSignal | undefined,
  from = 0,
): Promise<void> | undefined {
  for (let c = from; c < chunks.length; c++) {
    const room = Math.max(0, ahead - chunks[c].lines);
    if (!sender.hasRoom(room) && signal?.aborted !== true) {
      return sender.room(room, signal).then(() => handOverPaced(sender, chunks, ahead, signal, c));
    }
    sender.send(chunks[c].data, chunks[c].lines);
  }
  return undefined;
}

/**
 * Collects lines per destination in chunks and hands them to the senders. A value that is no
 * number (a sum of squares that overflowed to inf, a nan) is not a point carbon can store: it is
 * left out and counted.
 */
export class LineRouter implements PointWriter {
  private readonly lines: LineBytes[];
  /** Per LineBytes: its chunks go out as views of the render slab (see BufferedTcpSender.takesViews), else as copies. */
  private readonly views: boolean[];
  /** Per LineBytes: chunks taken, not yet handed over. */
  private taken: Chunk[][];
  nonFinite = 0;
  /** The key of the first value left out, for the log line. */
  firstNonFinite = '';
  /** The registered fields' text, by number (each LineBytes numbers them the same). */
  private readonly fieldTexts: string[] = [];
  /** The current series' key parts (PointWriter.series). */
  private prefix = '';
  private name = '';
  private tags = '';

  constructor(
    private readonly senders: readonly BufferedTcpSender[],
    private readonly route: ((key: string) => number) | null,
    timestamp: number,
  ) {
    // Fanout: one set of lines, sent to all.
    this.lines = (route === null ? [null] : senders).map(() => new LineBytes(' ', ' ' + timestamp + '\n'));
    this.views = route === null ? [senders.every((s) => s.takesViews())] : senders.map((s) => s.takesViews());
    this.taken = this.lines.map(() => []);
  }

  field(text: string): number {
    for (const lines of this.lines) lines.field(text);
    return this.fieldTexts.push(text) - 1;
  }

  series(prefix: string, name: string, tags: string): void {
    this.prefix = prefix;
    this.name = name;
    this.tags = tags;
    for (const lines of this.lines) lines.series(prefix, name, tags);
  }

  point(field: number, value: number, format: ValueFormat): void {
    if (!Number.isFinite(value)) {
      if (this.nonFinite++ === 0) this.firstNonFinite = this.key(field);
      return;
    }
    const i = this.route === null ? 0 : this.route(this.key(field));
    const lines = this.lines[i];
    lines.point(field, value, format);
    if (lines.lines >= LINES_PER_CHUNK) this.take(i);
  }

  /**
   * Hands everything rendered so far to the senders, each as it has room for at most `ahead`
   * lines waiting; a promise if one must wait for carbon to read (or for `signal` to abort).
   */
  handOver(ahead: number, signal?: AbortSignal): Promise<void> | undefined {
    const waits: Promise<void>[] = [];
    for (let i = 0; i < this.lines.length; i++) {
      this.take(i);
      const chunks = this.taken[i];
      if (chunks.length === 0) continue;
      this.taken[i] = [];
      for (const sender of this.route === null ? this.senders : [this.senders[i]]) {
        const waiting = handOverPaced(sender, chunks, ahead, signal);
        if (waiting !== undefined) waits.push(waiting);
      }
    }
    return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
  }

  /** Gives the render slabs back (what was rendered is handed over or abandoned). */
  finish(): void {
    for (const lines of this.lines) lines.finish();
  }

  private key(field: number): string {
    return this.prefix + this.name + this.fieldTexts[field] + this.tags;
  }

  private take(i: number): void {
    const count = this.lines[i].lines;
    if (count === 0) return;
    // A copy where the chunk may wait in the queue for as long as carbon is down; a view (given
    // back by each sender) where it is written as the flush runs.
    const holders = this.route === null ? this.senders.length : 1;
    const data = this.views[i] ? this.lines[i].take(holders) : this.lines[i].takeCopy();
    this.taken[i].push({ data, lines: count });
  }
}
