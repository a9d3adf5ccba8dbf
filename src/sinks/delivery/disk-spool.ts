// A queue of chunks on disk, so lines waiting for a dead destination survive a restart.
// Each flush becomes one segment file, written whole, fsync'd, then renamed into place, so a
// crash leaves either the complete segment or none. The writing happens off the event loop (a
// million lines are tens of MB), one segment after the other; a segment is sent only once it is
// durable. One that cannot be written (a full disk) leaves no file behind and is kept in memory
// instead, up to `maxMemoryLines` (the sink's buffer_lines; past it the oldest are dropped and
// counted), logged once per outage. Segments are sent oldest first and deleted
// once every line in them reached the kernel. The directory is bounded in bytes: past it the
// oldest segments are deleted and their lines counted as dropped. A segment that does not
// check out (torn or edited) is reported and skipped from the bad record on; one that cannot be
// read at all (deleted, replaced, unreadable) is reported and skipped whole. Either way its
// lost lines are counted as dropped, and the spool goes on with the next segment.
//
// Segment: records of `#SPOOL1 <lines> <bytes> <sha1[0..16]>\n<bytes of lines>`.

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from '../../log/logger.js';
import type { Chunk, ChunkQueue } from './chunk-queue.js';

/**
 * The spool directories open in this process: one writer each. (A Graphite sink rebuilt on reload
 * shares the running sender and so its spool; any other second opener is refused.)
 */
const openDirectories = new Set<string>();

const MAGIC = '#SPOOL1';
const SUFFIX = '.spool';
const TMP_SUFFIX = '.tmp';
/** Records written per call: big enough to be few calls, small enough not to copy a whole flush at once. */
const RECORDS_PER_WRITE = 256;

function digest(data: Uint8Array): string {
  return createHash('sha1').update(data).digest('hex').slice(0, 16);
}

interface Segment {
  /** null: kept in memory, because the disk would not take it. */
  file: string | null;
  bytes: number;
  lines: number;
  chunks?: Chunk[];
}

export class DiskSpool implements ChunkQueue {
  private readonly segments: Segment[] = [];
  private pending: Chunk[] = [];
  private nextSeq: number;
  /** Records of the head segment, loaded when it is reached. */
  private head: Chunk[] | null = null;
  private headIndex = 0;
  private bytes = 0;
  get spoolBytes(): number {
    return this.bytes;
  }

  /** Lines of segments found unreadable or cut short when their turn came, or that could not be written. */
  private lost = 0;
  /** The segments being written, one after the other. */
  private writing: Promise<void> = Promise.resolve();
  /** Lines waiting, on disk or being written there. */
  lines = 0;
  onChange: (() => void) | null = null;
  /** The disk would not take the last segment; said once, until one is written again. */
  private diskFailing = false;

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly log: Logger,
    private readonly maxMemoryLines = 1_000_000,
  ) {
    const key = resolve(dir);
    if (openDirectories.has(key)) throw new Error(`spool directory ${dir} is in use by a running sink`);
    mkdirSync(dir, { recursive: true });
    openDirectories.add(key);
    // A segment still being written when the process died: never complete, never renamed.
    for (const name of readdirSync(dir).filter((n) => n.endsWith(SUFFIX + TMP_SUFFIX))) unlinkSync(join(dir, name));
    let last = 0;
    for (const name of readdirSync(dir).filter((n) => n.endsWith(SUFFIX)).sort()) {
      const file = join(dir, name);
      const { records, bytes } = this.read(file);
      const segment = { file, bytes, lines: records.reduce((n, r) => n + r.lines, 0) };
      this.segments.push(segment);
      this.bytes += segment.bytes;
      this.lines += segment.lines;
      last = Math.max(last, Number.parseInt(name, 10) || 0);
    }
    this.nextSeq = last + 1;
    if (this.segments.length > 0) {
      log.info(
        { spool: dir, segments: this.segments.length, lines: this.lines },
        'spool holds lines from before the restart; sending them first',
      );
    }
  }

  push(chunk: Chunk): number {
    this.pending.push(chunk);
    return 0;
  }

  /** Starts writing the pushed chunks as one segment; they can be sent once it is durable. */
  seal(): number {
    if (this.pending.length === 0) return 0;
    const chunks = this.pending;
    this.pending = [];
    const lines = chunks.reduce((n, c) => n + c.lines, 0);
    this.lines += lines;
    const file = join(this.dir, `${String(this.nextSeq++).padStart(16, '0')}${SUFFIX}`);
    this.writing = this.writing.then(() => this.writeSegment(file, chunks, lines));
    return 0;
  }

  /** Waits for the writes under way, then lets another spool open this directory. */
  async settled(): Promise<void> {
    await this.writing;
  }

  release(): void {
    openDirectories.delete(resolve(this.dir));
  }

  private async writeSegment(file: string, chunks: Chunk[], lines: number): Promise<void> {
    const tmp = file + TMP_SUFFIX;
    let bytes = 0;
    try {
      const handle = await open(tmp, 'w');
      try {
        for (let i = 0; i < chunks.length; i += RECORDS_PER_WRITE) {
          const records = chunks.slice(i, i + RECORDS_PER_WRITE).flatMap((c) => [
            Buffer.from(`${MAGIC} ${c.lines} ${c.data.length} ${digest(c.data)}\n`),
            c.data,
          ]);
          const data = Buffer.concat(records);
          // A short write (a file system filling up) is continued, and fails as a whole if it must.
          for (let at = 0; at < data.length; ) {
            const { bytesWritten } = await handle.write(data, at, data.length - at);
            if (bytesWritten === 0) throw new Error('the file system took no more bytes');
            at += bytesWritten;
          }
          bytes += data.length;
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, file);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      this.keepInMemory(chunks, lines, err instanceof Error ? err.message : String(err));
      this.onChange?.();
      return;
    }
    // Renamed, the segment is the spool's: an unsynced directory entry only risks it on a power cut.
    await this.syncDir().catch((err: Error) => this.log.warn({ spool: this.dir, err: err.message }, 'cannot sync the spool directory'));
    if (this.diskFailing) this.log.info({ spool: this.dir }, 'spool writable again');
    this.diskFailing = false;
    this.segments.push({ file, bytes, lines });
    this.bytes += bytes;
    this.lost += this.enforceBound();
    this.onChange?.();
  }

  /** Lines held in memory because the disk would not take them: lost if the process ends. */
  get volatileLines(): number {
    return this.segments.reduce((n, s) => n + (s.file === null ? s.lines : 0), 0);
  }

  /** A segment the disk would not take waits in memory, within maxMemoryLines (the oldest go first). */
  private keepInMemory(chunks: Chunk[], lines: number, reason: string): void {
    if (!this.diskFailing) {
      const message = "cannot write the spool: keeping its lines in memory (within the sink's buffer) until it can";
      this.log.error({ spool: this.dir, err: reason }, message);
    }
    this.diskFailing = true;
    this.segments.push({ file: null, bytes: 0, lines, chunks });
    // The segment being sent stays (a chunk of it may be in flight), and so does this one.
    let over = this.volatileLines - this.maxMemoryLines;
    for (let i = this.head === null ? 0 : 1; over > 0 && i < this.segments.length - 1; ) {
      const segment = this.segments[i];
      if (segment.file !== null) {
        i++;
        continue;
      }
      over -= segment.lines;
      this.lost += segment.lines;
      this.remove(i, segment.lines);
    }
  }

  peek(): Chunk | null {
    while (this.segments.length > 0) {
      const head = this.head ?? this.loadHead();
      if (this.headIndex < head.length) return head[this.headIndex];
      this.removeHead(0);
    }
    return null;
  }

  ack(): void {
    const chunk = this.head![this.headIndex++];
    this.lines -= chunk.lines;
    this.segments[0].lines -= chunk.lines;
    if (this.headIndex === this.head!.length) this.removeHead(0);
  }

  takeLost(): number {
    const n = this.lost;
    this.lost = 0;
    return n;
  }

  /** Reads the oldest segment; whatever of it cannot be read is counted as lost. */
  private loadHead(): Chunk[] {
    const segment = this.segments[0];
    const head = (this.head = segment.file === null ? segment.chunks! : this.read(segment.file).records);
    this.headIndex = 0;
    const readable = head.reduce((n, r) => n + r.lines, 0);
    if (readable < segment.lines) {
      const missing = segment.lines - readable;
      this.lost += missing;
      this.lines -= missing;
      segment.lines = readable;
    }
    return head;
  }

  private enforceBound(): number {
    let dropped = 0;
    // The segment being sent stays (a chunk of it may be in flight); the newest always stays.
    const oldest = this.head === null ? 0 : 1;
    while (this.bytes > this.maxBytes && this.segments.length > oldest + 1) {
      dropped += this.segments[oldest].lines;
      this.remove(oldest, this.segments[oldest].lines);
    }
    return dropped;
  }

  private removeHead(unsent: number): void {
    this.remove(0, unsent);
    this.head = null;
  }

  /** Deletes a segment; `unsent` of its lines are forgotten with it. */
  private remove(index: number, unsent: number): void {
    const [segment] = this.segments.splice(index, 1);
    this.bytes -= segment.bytes;
    this.lines -= unsent;
    if (segment.file === null) return;
    try {
      unlinkSync(segment.file);
    } catch {
      // already gone
    }
  }

  /** The records of a segment, up to the first one that does not check out, and its size. */
  private read(file: string): { records: Chunk[]; bytes: number } {
    const records: Chunk[] = [];
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.log.error({ spool: file, err: reason }, 'spool segment cannot be read; skipping it, its lines are dropped');
      return { records, bytes: 0 };
    }
    let at = 0;
    while (at < data.length) {
      const nl = data.indexOf(0x0a, at);
      const header = nl < 0 ? [] : data.toString('latin1', at, nl).split(' ');
      const lines = Number(header[1]);
      const bytes = Number(header[2]);
      const end = nl + 1 + bytes;
      const body = nl >= 0 && bytes >= 0 && end <= data.length ? data.subarray(nl + 1, end) : Buffer.alloc(0);
      if (header[0] !== MAGIC || !(lines >= 0) || digest(body) !== header[3]) {
        this.log.error({ spool: file, record: records.length }, 'spool segment is corrupt; skipping the rest of it');
        break;
      }
      records.push({ data: body, lines });
      at = end;
    }
    return { records, bytes: data.length };
  }

  private async syncDir(): Promise<void> {
    // The rename is durable only once the directory entry is.
    const handle = await open(this.dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
