// Lines `KEY<separator>VALUE<suffix>` written straight into a Buffer as UTF-8: no string per line
// or per value. A million-timer flush is ~13 million lines; built as strings, the concatenation,
// the ropes' flattening and the GC of it all were most of the flush's time.
//
// The lines go into a large slab from the render pool (naming/render-slabs.ts). take() hands out
// the lines written since the last take() as a view of it, without copying, and the next lines
// follow in the same slab: for buffers written out soon (stdout, the stream command, a Graphite
// connection that takes what it is given), whose sink gives each view back to the pool once
// written. Lines that may wait long — a Graphite queue while carbon is down — are copied with
// takeCopy(), and the slab is written over again. finish() hands the slab back to the pool.

import { MAX_FIXED_BYTES, writeCount, writeFixed } from './c-format.js';
import type { PointWriter, ValueFormat } from './points.js';
import { renderSlabs } from './render-slabs.js';

/** UTF-8 takes at most 3 bytes per UTF-16 code unit. */
const MAX_UTF8_PER_UNIT = 3;
/** The slab of a finished writer, which starts a new one if it is written to again. */
const EMPTY = Buffer.alloc(0);

const wordsOf = (slab: Buffer) => new DataView(slab.buffer, slab.byteOffset, slab.byteLength);

/** Bytes every line of a kind repeats (a field, the suffix): written four bytes a store, then the rest. */
class ByteRun {
  /** The whole 4-byte words, little-endian, then the bytes after them. */
  private readonly words: number[] = [];
  private readonly tail: number[] = [];
  readonly length: number;

  constructor(bytes: Buffer) {
    this.length = bytes.length;
    let i = 0;
    for (; i + 4 <= bytes.length; i += 4) this.words.push(bytes.readUInt32LE(i));
    for (; i < bytes.length; i++) this.tail.push(bytes[i]);
  }

  /** Writes the bytes at `at` of `slab` (`view` is its DataView); returns the end. */
  writeTo(view: DataView, slab: Buffer, at: number): number {
    const words = this.words;
    for (let i = 0; i < words.length; i++, at += 4) view.setUint32(at, words[i], true);
    const tail = this.tail;
    for (let i = 0; i < tail.length; i++) slab[at++] = tail[i];
    return at;
  }
}

export class LineBytes implements PointWriter {
  private slab = renderSlabs.acquire();
  /** `slab` as a DataView: the stem and the suffix are copied four bytes a store, not one. */
  private words = wordsOf(this.slab);
  /** Where the lines not taken yet start in `slab`. */
  private start = 0;
  private used = 0;
  /** take() handed out a view of this slab: its bytes must stay as they are. */
  private viewed = false;
  /** Lines written since the last take(). */
  lines = 0;
  private readonly separator: number;
  private readonly suffix: ByteRun;
  /** The registered fields (PointWriter.field), by number. */
  private readonly fields: ByteRun[] = [];
  /** The current series' key parts (PointWriter.series), and the UTF-16 units of its stem and tags. */
  private prefix = '';
  private name = '';
  private tags = '';
  private keyUnits = 0;
  /** Where the series' stem (prefix + name) was written in `slab`, for its next points to copy; -1: not yet. */
  private stemAt = 0;
  private stemEnd = -1;

  /** `separator`: one ASCII character; `suffix`: the rest of each line, e.g. `|1700000000\n`. */
  constructor(separator: string, suffix: string) {
    this.separator = separator.charCodeAt(0);
    this.suffix = new ByteRun(Buffer.from(suffix));
  }

  field(text: string): number {
    return this.fields.push(new ByteRun(Buffer.from(text))) - 1;
  }

  series(prefix: string, name: string, tags: string): void {
    this.prefix = prefix;
    this.name = name;
    this.tags = tags;
    this.keyUnits = prefix.length + name.length + tags.length;
    this.stemEnd = -1;
  }

  point(field: number, value: number, format: ValueFormat): void {
    const fieldBytes = this.fields[field];
    const room = MAX_UTF8_PER_UNIT * this.keyUnits + fieldBytes.length + 1 + MAX_FIXED_BYTES + this.suffix.length;
    if (this.used + room > this.slab.length) this.newSlab(room);
    const slab = this.slab;
    let at = this.used;
    const words = this.words;
    if (this.stemEnd >= 0) {
      // The copy lies after the stem's bytes: they never overlap.
      let i = this.stemAt;
      const end = this.stemEnd;
      for (; i + 4 <= end; i += 4, at += 4) words.setUint32(at, words.getUint32(i, true), true);
      for (; i < end; i++) slab[at++] = slab[i];
    } else {
      this.stemAt = at;
      at = this.text(this.name, this.text(this.prefix, at));
      this.stemEnd = at;
    }
    at = fieldBytes.writeTo(words, slab, at);
    if (this.tags !== '') at = this.text(this.tags, at);
    slab[at++] = this.separator;
    at = format === 'fixed' ? writeFixed(slab, at, value) : writeCount(slab, at, value);
    this.used = this.suffix.writeTo(words, slab, at);
    this.lines++;
  }

  /**
   * The lines written since the last take, as a view; the writer never writes into them again.
   * `holders`: how many will each give it back (renderSlabs.giveBack) once done with it.
   */
  take(holders = 1): Buffer {
    const taken = this.slab.subarray(this.start, this.used);
    renderSlabs.lend(this.slab, holders);
    this.viewed = true;
    this.start = this.used;
    this.lines = 0;
    return taken;
  }

  /** The lines written since the last take, in a Buffer of their own. */
  takeCopy(): Buffer {
    const taken = Buffer.from(this.slab.subarray(this.start, this.used));
    if (this.viewed) {
      this.start = this.used;
    } else {
      // Nothing else refers to the slab: write it over from the start.
      this.start = this.used = 0;
      this.stemEnd = -1;
    }
    this.lines = 0;
    return taken;
  }

  /** Done writing: the slab goes back to the pool (once its views are written out). */
  finish(): void {
    if (this.slab !== EMPTY) renderSlabs.retire(this.slab);
    this.slab = EMPTY;
    this.words = wordsOf(EMPTY);
    this.start = this.used = 0;
    this.stemEnd = -1;
    this.lines = 0;
  }

  /** Writes `text` at `at`, returns the end: a loop for ASCII (keys nearly always are), else the encoder. */
  private text(text: string, at: number): number {
    const slab = this.slab;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (unit >= 0x80) return at + slab.write(text.slice(i), at, 'utf8');
      slab[at++] = unit;
    }
    return at;
  }

  /** Moves the lines not taken yet to a new slab with `room` to spare after them. */
  private newSlab(room: number): void {
    const pending = this.used - this.start;
    let next = renderSlabs.acquire();
    if (next.length < pending + room) next = Buffer.allocUnsafe(2 * pending + room);
    this.slab.copy(next, 0, this.start, this.used);
    if (this.slab !== EMPTY) renderSlabs.retire(this.slab);
    // The stem's bytes move along if they are among those lines; else it is written afresh.
    if (this.stemAt >= this.start) {
      this.stemAt -= this.start;
      this.stemEnd -= this.start;
    } else {
      this.stemEnd = -1;
    }
    this.slab = next;
    this.words = wordsOf(next);
    this.viewed = false;
    this.start = 0;
    this.used = pending;
  }
}
