// The forwarded snapshot: one finished interval of a local statsite-ts in a mergeable form —
// counter sums and counts, gauges with the time of their last write, set hashes or HyperLogLog
// registers, timer statistics with their exact samples and digest centroids, kv values. The
// global instance merges it into its current interval and flushes once for everybody.
//
// Version 2, what this server sends: JSON lines — a header line
//   {"format":"statsite-ts/forward","version":2,"source":…,"timestamp":…,"interval":…,"id":…}
// then one line per series, [TABLE, KEY, STATE], TABLE one of counters, gauges, sets, timers, kv:
//   counters [sum, count]; gauges [value, updatedAtMs] | [value, updatedAtMs, 1];
//   sets { hashes: [hi, lo, …] } | { precision, registers: base64 }; timers TimerState; kv [values…]
// A line at a time is what lets the receiver decode a large interval as its bytes arrive, in
// small pieces, where one JSON.parse of the whole body would block ingest.
// Version 1, still read (from older senders): one JSON document with the header's fields and one
// object per table, { format, version: 1, …, counters: { KEY: STATE }, gauges: …, … }.
// KEY is the series key: the name, then "\n" and the canonical tags when it has tags. A gauge
// with a third element 1 had only +/- deltas in that interval: the receiver adds them. `id` names
// this one interval of this one sending process (optional: older senders have none): a snapshot
// sent again after a lost answer is recognised and not merged twice.

import { TABLES, type Bucket, type StateOf } from '../../aggregate/bucket.js';
import { MAX_PRECISION, MIN_PRECISION } from '../../aggregate/hyperloglog.js';
import { SERIES_PER_SLICE } from '../../util/ingest-first-pacer.js';

export const SNAPSHOT_FORMAT = 'statsite-ts/forward';
export const SNAPSHOT_VERSION = 2;
/** The single-document version older senders send; read, never written. */
const DOCUMENT_VERSION = 1;

export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION | typeof DOCUMENT_VERSION;
  source: string;
  timestamp: number;
  interval: number;
  id?: string;
  counters: Record<string, StateOf['counters']>;
  gauges: Record<string, StateOf['gauges']>;
  sets: Record<string, StateOf['sets']>;
  timers: Record<string, StateOf['timers']>;
  kv: Record<string, StateOf['keyValues']>;
}

/** The snapshot's field for each of the bucket's tables. */
const FIELDS = { counters: 'counters', gauges: 'gauges', sets: 'sets', timers: 'timers', keyValues: 'kv' } as const;

/** The text of a snapshot, in pieces (a line each); `series` is how many series it holds. */
export interface SnapshotJson {
  parts: string[];
  series: number;
}

/**
 * Writes the bucket as a snapshot's JSON lines into `out`, SERIES_PER_SLICE series at a time: the
 * caller pauses for ingest between slices.
 */
export function* writeSnapshotJson(
  bucket: Bucket,
  from: { source: string; id: string },
  timestamp: number,
  interval: number,
  out: SnapshotJson,
): Generator<void> {
  const header = { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, source: from.source, timestamp, interval, id: from.id };
  out.parts.push(JSON.stringify(header) + '\n');
  for (const table of TABLES) {
    const field = `[${JSON.stringify(FIELDS[table])},`;
    const replacer = table === 'timers' ? typedArraysAsLists : undefined;
    for (const [key, state] of bucket.states(table)) {
      out.parts.push(`${field}${JSON.stringify(key)},${JSON.stringify(state, replacer)}]\n`);
      if (++out.series % SERIES_PER_SLICE === 0) yield;
    }
  }
}

/** A timer's centroids come as a Float64Array, which JSON would write as an object. */
function typedArraysAsLists(_key: string, value: unknown): unknown {
  return value instanceof Float64Array ? Array.from(value) : value;
}

/** How many series a received snapshot holds. */
export function seriesCount(s: Snapshot): number {
  return Object.keys(s.counters).length + Object.keys(s.gauges).length + Object.keys(s.sets).length
    + Object.keys(s.timers).length + Object.keys(s.kv).length;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number => isNumber(v) && Number.isInteger(v) && v >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every(isNumber);

/**
 * Why a series' state cannot be merged, or null. Every count that drives a loop is checked
 * against the data that is really there, so a small body cannot ask for a billion iterations.
 */
const CHECKS: { [F in (typeof FIELDS)[keyof typeof FIELDS]]: (v: unknown) => string | null } = {
  counters: (v) => (Array.isArray(v) && v.length === 2 && isNumber(v[0]) && isCount(v[1]) ? null : 'not [sum, count]'),
  gauges: (v) =>
    Array.isArray(v) && (v.length === 2 || (v.length === 3 && v[2] === 1)) && isNumber(v[0]) && isNumber(v[1])
      ? null
      : 'not [value, updatedAt] or [value, updatedAt, 1]',
  kv: (v) => (isNumberArray(v) ? null : 'not a list of numbers'),
  sets: (v) => {
    if (!isObject(v)) return 'not an object';
    if (Array.isArray(v.hashes)) {
      const ok = v.hashes.length % 2 === 0 && v.hashes.every((h) => isCount(h) && h <= 0xffffffff);
      return ok ? null : 'hashes are not (hi, lo) pairs of 32-bit numbers';
    }
    const { precision, registers } = v;
    if (!isCount(precision) || precision < MIN_PRECISION || precision > MAX_PRECISION || typeof registers !== 'string') {
      return 'not exact hashes or HyperLogLog registers';
    }
    return registers.length <= 4 * Math.ceil((1 << precision) / 3) ? null : 'more registers than its precision has';
  },
  timers: (v) => {
    if (!isObject(v)) return 'not an object';
    if (!isCount(v.count) || !isCount(v.samples) || v.samples === 0) return 'count or samples missing';
    if (!isNumber(v.sum) || !isNumber(v.sumSquares) || !isNumber(v.min) || !isNumber(v.max) || v.min > v.max) {
      return 'sum, sum of squares, min or max is not a finite number';
    }
    if (!isNumberArray(v.points) || v.points.length % 2 !== 0) return 'points are not (mean, weight) pairs';
    if (!isCount(v.exactPoints) || 2 * v.exactPoints > v.points.length) return 'exactPoints is more than the points';
    for (let i = 1; i < v.points.length; i += 2) if (!(v.points[i] > 0)) return 'a point has no weight';
    if (v.bins !== null && !(Array.isArray(v.bins) && v.bins.length <= MAX_BINS && v.bins.every(isCount))) return 'bins are not counts';
    return null;
  },
};
/** More histogram bins than any config can have. */
const MAX_BINS = 1 << 16;

/** A series left out of a received snapshot, and why. */
export interface RefusedSeries {
  table: string;
  key: string;
  reason: string;
}

type Field = keyof typeof CHECKS;
const isField = (v: unknown): v is Field => typeof v === 'string' && Object.hasOwn(CHECKS, v);

/** The header's fields, checked; throws on a wrong frame. */
function checkHeader(body: Record<string, unknown>, version: number): void {
  if (body.format !== SNAPSHOT_FORMAT) throw new Error(`not a ${SNAPSHOT_FORMAT} document`);
  if (body.version !== version) throw new Error(`unsupported version ${String(body.version)} (this server reads 1 and 2)`);
}

/**
 * Checks a received version-1 document. A wrong frame (not a snapshot, another version, a table
 * that is not an object) throws; a series that cannot be merged is taken out and listed, the rest
 * is kept.
 */
export function parseSnapshot(body: unknown): { snapshot: Snapshot; refused: RefusedSeries[] } {
  if (!isObject(body)) throw new Error(`not a ${SNAPSHOT_FORMAT} document`);
  checkHeader(body, DOCUMENT_VERSION);
  const refused: RefusedSeries[] = [];
  for (const [table, check] of Object.entries(CHECKS)) {
    const series = body[table];
    if (!isObject(series)) throw new Error(`"${table}" must be an object`);
    for (const [key, state] of Object.entries(series)) {
      const reason = check(state);
      if (reason === null) continue;
      refused.push({ table, key, reason });
      delete series[key];
    }
  }
  return { snapshot: body as unknown as Snapshot, refused };
}

const NEWLINE = 0x0a;

/**
 * Reads a snapshot as its bytes arrive. Version 2 is decoded a line at a time, so the work follows
 * the network's pace in small pieces; a version-1 document (its first line is the whole of it) is
 * kept and parsed at the end. `push` throws on a wrong frame: the caller refuses the body.
 */
export class SnapshotDecoder {
  private lines: boolean | null = null;
  private partial: Buffer[] = [];
  private snapshot: Snapshot | null = null;
  readonly refused: RefusedSeries[] = [];

  push(chunk: Buffer): void {
    if (this.lines === false) {
      this.partial.push(chunk);
      return;
    }
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      // Only a line begun in an earlier chunk is copied together; one within this chunk is a view.
      const piece = chunk.subarray(start, nl);
      const line = this.partial.length === 0 ? piece : Buffer.concat([...this.partial, piece]);
      start = nl + 1;
      this.partial = [];
      if (this.lines === null) {
        this.header(line);
        if (this.lines === false) {
          this.partial.push(line, chunk.subarray(nl));
          return;
        }
      } else {
        this.series(line);
      }
    }
    if (start < chunk.length) this.partial.push(chunk.subarray(start));
  }

  /** The whole snapshot, once the body has ended; throws on a wrong frame. */
  end(): { snapshot: Snapshot; refused: RefusedSeries[] } {
    const rest = Buffer.concat(this.partial);
    this.partial = [];
    if (this.lines !== true) {
      const document = parseSnapshot(JSON.parse(rest.toString('utf8')));
      return { snapshot: document.snapshot, refused: [...this.refused, ...document.refused] };
    }
    if (rest.some((byte) => byte !== 0x20 && byte !== 0x0d && byte !== 0x09)) this.series(rest);
    return { snapshot: this.snapshot!, refused: this.refused };
  }

  private header(line: Buffer): void {
    let header: unknown;
    try {
      header = JSON.parse(line.toString('utf8'));
    } catch {
      this.lines = false; // a document spread over several lines: version 1
      return;
    }
    if (!isObject(header)) throw new Error(`not a ${SNAPSHOT_FORMAT} document`);
    if (header.version !== SNAPSHOT_VERSION) {
      this.lines = false;
      return;
    }
    checkHeader(header, SNAPSHOT_VERSION);
    const { source, timestamp, interval, id } = header;
    if (typeof source !== 'string' || !isNumber(timestamp) || !isNumber(interval) || (id !== undefined && typeof id !== 'string')) {
      throw new Error('header needs a source, a timestamp and an interval');
    }
    const table = () => Object.create(null) as Record<string, never>;
    this.snapshot = {
      format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, source, timestamp, interval, ...(id === undefined ? {} : { id }),
      counters: table(), gauges: table(), sets: table(), timers: table(), kv: table(),
    };
    this.lines = true;
  }

  private series(line: Buffer): void {
    let entry: unknown;
    try {
      entry = JSON.parse(line.toString('utf8'));
    } catch {
      this.refused.push({ table: '?', key: '?', reason: 'a line that is not JSON' });
      return;
    }
    if (!Array.isArray(entry) || entry.length !== 3 || !isField(entry[0]) || typeof entry[1] !== 'string') {
      this.refused.push({ table: '?', key: '?', reason: 'a line that is not [table, key, state]' });
      return;
    }
    const [table, key, state] = entry as [Field, string, unknown];
    const series: Record<string, unknown> = this.snapshot![table];
    const reason = key in series ? 'sent twice in one snapshot' : CHECKS[table](state);
    if (reason === null) series[key] = state;
    else this.refused.push({ table, key, reason });
  }
}

/**
 * Merges a snapshot into the bucket `target()` names at each step, SERIES_PER_SLICE series at a
 * time (the caller pauses for ingest in between; a flush may swap the bucket meanwhile, and the
 * rest then goes into the next interval). A series the bucket cannot take (a set of another
 * HyperLogLog precision) goes to `refuse`.
 */
export function* mergeSnapshot(target: () => Bucket, s: Snapshot, refuse: (series: RefusedSeries) => void): Generator<void> {
  let n = 0;
  for (const table of TABLES) {
    for (const [key, state] of Object.entries(s[FIELDS[table]])) {
      try {
        target().mergeState(table, key, state);
      } catch (err) {
        refuse({ table: FIELDS[table], key, reason: err instanceof Error ? err.message : String(err) });
      }
      if (++n % SERIES_PER_SLICE === 0) yield;
    }
  }
}
