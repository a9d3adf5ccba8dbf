// The forwarded snapshot: one finished interval of a local statsite-ts in a mergeable form —
// counter sums and counts, gauges with the time of their last write, set hashes or HyperLogLog
// registers, timer statistics with their exact samples and digest centroids, kv values. The
// global instance merges it into its current interval and flushes once for everybody.
//
// JSON, version 1:
//   { format: "statsite-ts/forward", version: 1, source, timestamp, interval, id,
//     counters: { KEY: [sum, count] }, gauges: { KEY: [value, updatedAtMs] | [value, updatedAtMs, 1] },
//     sets: { KEY: { hashes: [hi, lo, …] } | { precision, registers: base64 } },
//     timers: { KEY: TimerState }, kv: { KEY: [values…] } }
// KEY is the series key: the name, then "\n" and the canonical tags when it has tags. A gauge
// with a third element 1 had only +/- deltas in that interval: the receiver adds them. `id` names
// this one interval of this one sending process (optional: older senders have none): a snapshot
// sent again after a lost answer is recognised and not merged twice.

import { TABLES, type Bucket, type StateOf } from '../../aggregate/bucket.js';
import { MAX_PRECISION, MIN_PRECISION } from '../../aggregate/hyperloglog.js';
import { SERIES_PER_SLICE } from '../../util/ingest-first-pacer.js';

export const SNAPSHOT_FORMAT = 'statsite-ts/forward';
export const SNAPSHOT_VERSION = 1;

export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
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

/** The JSON text of a snapshot, in pieces; `series` is how many series it holds. */
export interface SnapshotJson {
  parts: string[];
  series: number;
}

/**
 * Writes the bucket as a snapshot's JSON text into `out`, SERIES_PER_SLICE series at a time: the
 * caller pauses for ingest between slices, where one JSON.stringify of a big interval would block.
 */
export function* writeSnapshotJson(
  bucket: Bucket,
  from: { source: string; id: string },
  timestamp: number,
  interval: number,
  out: SnapshotJson,
): Generator<void> {
  out.parts.push(`{"format":"${SNAPSHOT_FORMAT}","version":${SNAPSHOT_VERSION},"source":${JSON.stringify(from.source)},`);
  out.parts.push(`"timestamp":${timestamp},"interval":${interval},"id":${JSON.stringify(from.id)}`);
  for (const table of TABLES) {
    out.parts.push(`,"${FIELDS[table]}":{`);
    let first = true;
    for (const [key, state] of bucket.states(table)) {
      out.parts.push(`${first ? '' : ','}${JSON.stringify(key)}:${JSON.stringify(state)}`);
      first = false;
      if (++out.series % SERIES_PER_SLICE === 0) yield;
    }
    out.parts.push('}');
  }
  out.parts.push('}');
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

/**
 * Checks a received document. A wrong frame (not a snapshot, another version, a table that is not
 * an object) throws; a series that cannot be merged is taken out and listed, the rest is kept.
 */
export function parseSnapshot(body: unknown): { snapshot: Snapshot; refused: RefusedSeries[] } {
  if (!isObject(body) || body.format !== SNAPSHOT_FORMAT) throw new Error(`not a ${SNAPSHOT_FORMAT} document`);
  if (body.version !== SNAPSHOT_VERSION) {
    throw new Error(`unsupported version ${String(body.version)} (this server reads ${SNAPSHOT_VERSION})`);
  }
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
