// A restart that Graphite cannot see (`[service] state_dir`). A stop does not flush the interval
// it is in — a flush stamped "now" lands in the carbon slot of the flush just before it, and carbon
// keeps only the last write of a slot — but leaves it, with the time its flush was due, in the
// state directory. The next start takes it back: if that time has not come yet, the interval goes
// on in the new process and is flushed when it was due, with both processes' samples; if it has
// passed (a long stop), the interval is flushed at once under the timestamp it was due at.
//
// The file is a frame line, then the forward snapshot's lines (every metric type in its mergeable
// form, snapshot.ts):
//   {"format":"statsite-ts/hand-over","version":1,"savedAt":…,"dueAt":…,"lastTimestamp":…}
//   {"format":"statsite-ts/forward","version":2,…}
//   ["counters",KEY,STATE] …
// written to a temporary file, fsynced and renamed over the old one, so a crash mid-write leaves
// either the whole old file or the whole new one. A file that cannot be used is moved aside (kept
// for a look, never read again), counted and logged; the start goes on without it.

import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Aggregator } from '../aggregate/aggregator.js';
import type { Bucket } from '../aggregate/bucket.js';
import type { Logger } from '../log/logger.js';
import { mergeSnapshot, SnapshotDecoder, writeSnapshotJson, type Snapshot, type SnapshotJson } from '../sinks/forward/snapshot.js';
import type { Flusher } from './flusher.js';

export const HAND_OVER_FILE = 'interval.json';
const FORMAT = 'statsite-ts/hand-over';
const VERSION = 1;
/**
 * An interval due longer ago than this is set aside instead of flushed: by then it is older than
 * what a carbon schema's first retention usually keeps, and most likely a leftover of another setup.
 */
export const STALE_AFTER_MS = 24 * 3600 * 1000;
/** Bytes gathered before each write: a big interval is written in pieces, not as one string. */
const WRITE_CHUNK = 1 << 20;

/** What a stop hands over besides the interval itself. */
export interface FlushSchedule {
  /** When the interval's flush was due (ms since the epoch). */
  dueAt: number;
  /** The last timestamp flushed (unix seconds): the next process never stamps earlier. */
  lastTimestamp: number;
}

export class HandOverStats {
  /** Intervals taken over from a stopped process. */
  restored = 0;
  /** Series in them. */
  restoredSeries = 0;
  /** State files that could not be used (corrupt, another format, stale) and were moved aside. */
  setAside = 0;
  /** Series of a taken-over interval that could not be merged (left out, the rest kept). */
  refusedSeries = 0;
}

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** The schedule and interval of a state file; throws with the reason it cannot be used. */
function parseHandOver(bytes: Buffer): FlushSchedule & { snapshot: Snapshot; refused: number } {
  const newline = bytes.indexOf(0x0a);
  if (newline === -1) throw new Error(`not a ${FORMAT} file`);
  const doc = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as Record<string, unknown> | null;
  if (doc === null || typeof doc !== 'object' || doc.format !== FORMAT) throw new Error(`not a ${FORMAT} file`);
  if (doc.version !== VERSION) throw new Error(`unsupported version ${String(doc.version)} (this server reads ${VERSION})`);
  if (!isTime(doc.dueAt) || !isTime(doc.lastTimestamp)) throw new Error('dueAt or lastTimestamp is not a time');
  const decoder = new SnapshotDecoder();
  decoder.push(bytes.subarray(newline + 1));
  const { snapshot, refused } = decoder.end();
  return { dueAt: doc.dueAt, lastTimestamp: doc.lastTimestamp, snapshot, refused: refused.length };
}

/** Writes `pieces` to `path` through a temporary file, fsynced, then renamed over it; the directory is fsynced too. */
function writeAtomically(dir: string, path: string, pieces: Iterable<string>): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    let pending = '';
    for (const piece of pieces) {
      pending += piece;
      if (pending.length >= WRITE_CHUNK) {
        writeSync(fd, pending);
        pending = '';
      }
    }
    writeSync(fd, pending);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/** An interval taken over at start, final once the start succeeded. */
export interface TakenOver {
  /** When the first flush is due if the interval goes on here; undefined: a fresh schedule. */
  readonly firstFlushAt: number | undefined;
  /** The start succeeded: the state file goes, and an interval whose time has passed is flushed now. */
  commit(flusher: Flusher): void;
}

export class IntervalHandOver {
  readonly stats = new HandOverStats();
  readonly path: string;

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
  ) {
    this.path = join(dir, HAND_OVER_FILE);
  }

  /**
   * Leaves `bucket` and its schedule for the next start. Returns false (logged) when the file
   * cannot be written: the caller then flushes the interval instead, so nothing is lost.
   */
  save(bucket: Bucket, schedule: FlushSchedule, intervalSeconds: number): boolean {
    const json: SnapshotJson = { parts: [], series: 0 };
    const from = { source: hostname(), id: `${hostname()}/hand-over/${process.pid}/${schedule.dueAt}` };
    // Listeners are closed by now: nothing waits for the loop, so the snapshot is written in one go.
    for (const _slice of writeSnapshotJson(bucket, from, Math.floor(schedule.dueAt / 1000), intervalSeconds, json));
    const frame = `{"format":"${FORMAT}","version":${VERSION},"savedAt":${Date.now()},`
      + `"dueAt":${schedule.dueAt},"lastTimestamp":${schedule.lastTimestamp}}\n`;
    try {
      writeAtomically(this.dir, this.path, [frame, ...json.parts]);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.log.error({ stateFile: this.path, err: reason }, 'cannot hand the interval over to the next start: flushing it now instead');
      return false;
    }
    this.log.info(
      { stateFile: this.path, series: json.series, dueAt: new Date(schedule.dueAt).toISOString() },
      'handed the unfinished interval over to the next start (no final flush)',
    );
    return true;
  }

  /**
   * Takes back what a stopped process left, before anything is received: merged into the
   * aggregator's bucket, or — if its flush time has passed — swapped out of it, to be flushed
   * under that time. Nothing is final until `commit()` (the start succeeded): a start that fails
   * leaves the state file for the next one. Null when there is nothing usable. Never throws.
   */
  take(aggregator: Aggregator, intervalMs: number, now = Date.now()): TakenOver | null {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.setAside(`cannot read: ${(err as Error).message}`);
      return null;
    }
    let schedule: FlushSchedule;
    let snapshot: Snapshot;
    let refused: number;
    try {
      const handedOver = parseHandOver(bytes);
      [schedule, snapshot, refused] = [handedOver, handedOver.snapshot, handedOver.refused];
    } catch (err) {
      this.setAside(err instanceof Error ? err.message : String(err));
      return null;
    }
    if (now - schedule.dueAt > STALE_AFTER_MS) {
      this.setAside(`stale: its flush was due at ${new Date(schedule.dueAt).toISOString()}`);
      return null;
    }
    for (const _slice of mergeSnapshot(() => aggregator.current(), snapshot, () => refused++));
    const series = aggregator.current().size();
    // Due: out of the bucket now, so what arrives from here on goes into the next interval.
    const due = schedule.dueAt <= now ? aggregator.swap() : null;
    // A schedule further off than one interval (the interval was made shorter) is not kept.
    const keep = due === null && schedule.dueAt - now <= intervalMs;
    return {
      firstFlushAt: keep ? schedule.dueAt : undefined,
      commit: (flusher) => {
        try {
          // Gone before it is flushed: a crash from here on loses this interval rather than counting it twice.
          unlinkSync(this.path);
        } catch (err) {
          this.setAside(`cannot remove it after taking it over: ${(err as Error).message}`);
        }
        this.stats.restored++;
        this.stats.restoredSeries += series;
        this.stats.refusedSeries += refused;
        flusher.continueStampsAfter(schedule.lastTimestamp);
        const fields = { series, refusedSeries: refused, dueAt: new Date(schedule.dueAt).toISOString() };
        const took = "took over the stopped process's interval";
        if (due !== null) {
          this.log.info(fields, `${took}: its flush was due, flushing it now`);
          flusher.flushHandedOver(due, schedule.dueAt);
        } else if (keep) {
          this.log.info(fields, `${took}: it goes on here and is flushed when it was due`);
        } else {
          this.log.info(fields, `${took}: it goes into the first flush of a new schedule`);
        }
      },
    };
  }

  /** Moves an unusable state file out of the way (never read again, kept for a look), counted and logged. */
  private setAside(reason: string): void {
    this.stats.setAside++;
    const aside = `${this.path}.unusable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    let movedTo: string | null = aside;
    try {
      renameSync(this.path, aside);
    } catch {
      movedTo = null;
    }
    this.log.warn(
      { stateFile: this.path, reason, movedTo },
      movedTo === null ? 'cannot use the state file of the last stop, nor move it aside; starting without it'
        : 'cannot use the state file of the last stop: moved aside, starting without it',
    );
  }
}
