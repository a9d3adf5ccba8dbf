// Lines `KEY<separator>VALUE<suffix>` written straight into one reused Buffer as UTF-8: no string
// per line or per value. A million-timer flush is ~13 million lines; built as strings, the
// concatenation, the ropes' flattening and the GC of it all were most of the flush's time.

import { MAX_FIXED_BYTES, writeCount, writeFixed } from '../naming/c-format.js';
import type { PointWriter, ValueFormat } from '../naming/points.js';

const INITIAL_BYTES = 1 << 20;
/** UTF-8 takes at most 3 bytes per UTF-16 code unit. */
const MAX_UTF8_PER_UNIT = 3;

export class LineBytes implements PointWriter {
  private chunk = Buffer.allocUnsafe(INITIAL_BYTES);
  private used = 0;
  /** Lines written since the last take(). */
  lines = 0;
  private readonly separator: number;
  private readonly suffix: Buffer;
  /** The last stem written and where its bytes are in `chunk`: a series' next points copy them. */
  private stem = '';
  private stemAt = 0;
  private stemEnd = 0;

  /** `separator`: one ASCII character; `suffix`: the rest of each line, e.g. `|1700000000\n`. */
  constructor(separator: string, suffix: string) {
    this.separator = separator.charCodeAt(0);
    this.suffix = Buffer.from(suffix);
  }

  point(stem: string, field: string, tags: string, value: number, format: ValueFormat): void {
    const room = MAX_UTF8_PER_UNIT * (stem.length + field.length + tags.length) + 1 + MAX_FIXED_BYTES + this.suffix.length;
    if (this.used + room > this.chunk.length) this.grow(room);
    const chunk = this.chunk;
    let at = this.used;
    if (stem === this.stem && this.stemEnd > 0) {
      for (let i = this.stemAt; i < this.stemEnd; i++) chunk[at++] = chunk[i];
    } else {
      this.stem = stem;
      this.stemAt = at;
      at = this.text(stem, at);
      this.stemEnd = at;
    }
    at = this.text(field, at);
    at = this.text(tags, at);
    chunk[at++] = this.separator;
    at = format === 'fixed' ? writeFixed(chunk, at, value) : writeCount(chunk, at, value);
    const suffix = this.suffix;
    for (let i = 0; i < suffix.length; i++) chunk[at++] = suffix[i];
    this.used = at;
    this.lines++;
  }

  /** The lines written so far, in a Buffer of their own; the writer starts empty again. */
  take(): Buffer {
    const taken = Buffer.from(this.chunk.subarray(0, this.used));
    this.clear();
    return taken;
  }

  /** The lines written so far as one flat string, for queues that hold text; the writer starts empty again. */
  takeText(): string {
    const taken = this.chunk.toString('utf8', 0, this.used);
    this.clear();
    return taken;
  }

  private clear(): void {
    this.used = 0;
    this.stemEnd = 0;
    this.lines = 0;
  }

  /** Writes `text` at `at`, returns the end: a loop for ASCII (keys nearly always are), else the encoder. */
  private text(text: string, at: number): number {
    const chunk = this.chunk;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (unit >= 0x80) return at + chunk.write(text.slice(i), at, 'utf8');
      chunk[at++] = unit;
    }
    return at;
  }

  private grow(room: number): void {
    const grown = Buffer.allocUnsafe(Math.max(2 * this.chunk.length, this.used + room));
    this.chunk.copy(grown, 0, 0, this.used);
    this.chunk = grown; // the stem's bytes moved along
  }
}
