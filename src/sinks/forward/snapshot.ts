// The forwarded snapshot: one finished interval of a local statsite-ts in a mergeable form —
// counter sums and counts, gauges with the time of their last write, set hashes or HyperLogLog
// registers, timer statistics with their exact samples and digest centroids, kv values. The
// global instance merges it into its current interval and flushes once for everybody.
//
// JSON, version 1:
//   { format: "statsite-ts/forward", version: 1, source, timestamp, interval,
//     counters: { KEY: [sum, count] }, gauges: { KEY: [value, updatedAtMs] | [value, updatedAtMs, 1] },
//     sets: { KEY: { hashes: [hi, lo, …] } | { precision, registers: base64 } },
//     timers: { KEY: TimerState }, kv: { KEY: [values…] } }
// KEY is the series key: the name, then "\n" and the canonical tags when it has tags. A gauge
// with a third element 1 had only +/- deltas in that interval: the receiver adds them.

import { TABLES, type Bucket, type StateOf } from '../../aggregate/bucket.js';

export const SNAPSHOT_FORMAT = 'statsite-ts/forward';
export const SNAPSHOT_VERSION = 1;

export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  source: string;
  timestamp: number;
  interval: number;
  counters: Record<string, StateOf['counters']>;
  gauges: Record<string, StateOf['gauges']>;
  sets: Record<string, StateOf['sets']>;
  timers: Record<string, StateOf['timers']>;
  kv: Record<string, StateOf['keyValues']>;
}

/** The snapshot's field for each of the bucket's tables. */
const FIELDS = { counters: 'counters', gauges: 'gauges', sets: 'sets', timers: 'timers', keyValues: 'kv' } as const;

export function toSnapshot(bucket: Bucket, source: string, timestamp: number, interval: number): Snapshot {
  const snapshot: Snapshot = {
    format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, source, timestamp, interval,
    counters: {}, gauges: {}, sets: {}, timers: {}, kv: {},
  };
  for (const table of TABLES) {
    const field: Record<string, unknown> = snapshot[FIELDS[table]];
    for (const [key, state] of bucket.states(table)) field[key] = state;
  }
  return snapshot;
}

export function seriesCount(s: Snapshot): number {
  return Object.keys(s.counters).length + Object.keys(s.gauges).length + Object.keys(s.sets).length
    + Object.keys(s.timers).length + Object.keys(s.kv).length;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Checks a received document field by field; throws with the first problem found. */
export function parseSnapshot(body: unknown): Snapshot {
  if (!isObject(body) || body.format !== SNAPSHOT_FORMAT) throw new Error(`not a ${SNAPSHOT_FORMAT} document`);
  if (body.version !== SNAPSHOT_VERSION) {
    throw new Error(`unsupported version ${String(body.version)} (this server reads ${SNAPSHOT_VERSION})`);
  }
  for (const table of ['counters', 'gauges', 'sets', 'timers', 'kv']) {
    if (!isObject(body[table])) throw new Error(`"${table}" must be an object`);
  }
  const s = body as unknown as Snapshot;
  for (const [k, v] of Object.entries(s.counters)) {
    if (!Array.isArray(v) || !isNumber(v[0]) || !isNumber(v[1])) throw new Error(`counter ${JSON.stringify(k)} is malformed`);
  }
  for (const [k, v] of Object.entries(s.gauges)) {
    if (!Array.isArray(v) || !isNumber(v[0]) || !isNumber(v[1]) || (v.length > 2 && v[2] !== 1))
      throw new Error(`gauge ${JSON.stringify(k)} is malformed`);
  }
  for (const [k, v] of Object.entries(s.kv)) {
    if (!Array.isArray(v) || !v.every(isNumber)) throw new Error(`kv ${JSON.stringify(k)} is malformed`);
  }
  for (const [k, v] of Object.entries(s.sets as Record<string, unknown>)) {
    const hll = (s: Record<string, unknown>) => isNumber(s.precision) && typeof s.registers === 'string';
    const ok = isObject(v) && (Array.isArray(v.hashes) ? v.hashes.every(isNumber) : hll(v));
    if (!ok) throw new Error(`set ${JSON.stringify(k)} is malformed`);
  }
  for (const [k, v] of Object.entries(s.timers)) {
    const t = v as unknown as Record<string, unknown>;
    const ok = isObject(t) && ['count', 'samples', 'sum', 'sumSquares', 'min', 'max', 'exactPoints'].every((f) => isNumber(t[f]))
      && Array.isArray(t.points) && (t.points as unknown[]).every(isNumber)
      && (t.bins === null || (Array.isArray(t.bins) && (t.bins as unknown[]).every(isNumber)));
    if (!ok) throw new Error(`timer ${JSON.stringify(k)} is malformed`);
  }
  return s;
}

export function mergeSnapshot(bucket: Bucket, s: Snapshot): void {
  for (const table of TABLES) {
    for (const [key, state] of Object.entries(s[FIELDS[table]])) bucket.mergeState(table, key, state);
  }
}
