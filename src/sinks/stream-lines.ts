// statsite's stream format, `KEY|VALUE|TS\n`, produced in chunks. Between slices of series it
// pauses for ingest (util/ingest-first-pacer.ts), so sockets keep being read while a big flush is
// rendered.

import type { Bucket } from '../aggregate/bucket.js';
import type { NamingConfig } from '../naming/naming-config.js';
import { STREAM_KEYS } from '../naming/key-style.js';
import { renderPoints, type PointWriter } from '../naming/points.js';
import { IngestFirstPacer } from '../util/ingest-first-pacer.js';

/**
 * Text kept as a string before it is encoded into the chunk. Lines joined with `+` form a rope of
 * small strings; one that lived across a slice (megabytes) survived young-generation GCs and got
 * promoted, and a million-series flush then spent most of its time in the GC. Short ropes die young.
 */
const TEXT_BATCH = 16 * 1024;

class LineCollector implements PointWriter {
  private text = '';
  private chunk = Buffer.allocUnsafe(1 << 20);
  private used = 0;

  constructor(private readonly suffix: string) {}

  point(key: string, value: string): void {
    this.text += key + '|' + value + this.suffix;
    if (this.text.length >= TEXT_BATCH) this.encode();
  }

  get empty(): boolean {
    return this.used === 0 && this.text === '';
  }

  /** The lines so far, as UTF-8. */
  take(): Buffer {
    this.encode();
    const taken = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(Math.max(this.chunk.length, 1 << 20));
    this.used = 0;
    return taken;
  }

  private encode(): void {
    const needed = this.used + 3 * this.text.length;
    if (needed > this.chunk.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, 2 * this.chunk.length));
      this.chunk.copy(grown, 0, 0, this.used);
      this.chunk = grown;
    }
    this.used += this.chunk.write(this.text, this.used, 'utf8');
    this.text = '';
  }
}

export async function* streamLineChunks(bucket: Bucket, naming: NamingConfig, timestamp: number): AsyncGenerator<Buffer> {
  const out = new LineCollector('|' + timestamp + '\n');
  const pacer = new IngestFirstPacer();
  for (const _slice of renderPoints(bucket, naming, STREAM_KEYS, out)) {
    if (!out.empty) yield out.take();
    await pacer.pause();
  }
  if (!out.empty) yield out.take();
}
