// A partial bucket on its way from an ingest worker to the primary, packed flat: every key in one
// string, every number in one Float64Array. A structured clone of that is two memcpys; the same
// series as objects (the forward snapshot's shape) cost several times more to build, serialise
// and read back, which at a million timer series is seconds of a core.
//
// Layout of `numbers`, table by table in the order of `sizes` (counters, gauges, sets, timers, kv):
//   counter: sum, count
//   gauge:   value, updatedAt, deltasOnly (0/1)
//   set:     (none: its state is in `sets`, which are few)
//   timer:   count, samples, sum, sumSquares, min, max, unitless (0/1), exactPoints, P, P points, B (-1: no bins), B bins
//   kv:      N, N values

import { TABLES, type Bucket, type StateOf, type Table } from '../aggregate/bucket.js';

export interface PackedPart {
  /** Series per table, in the order of TABLES: counters, gauges, sets, timers, kv. */
  sizes: [number, number, number, number, number];
  keys: string;
  keyLengths: Uint32Array;
  numbers: Float64Array;
  sets: Array<StateOf['sets']>;
}

class Float64Builder {
  private data = new Float64Array(1024);
  length = 0;

  push(...values: number[]): void {
    this.pushAll(values);
  }

  pushAll(values: ArrayLike<number>): void {
    if (this.length + values.length > this.data.length) this.grow(this.length + values.length);
    if (values instanceof Float64Array) {
      this.data.set(values, this.length);
      this.length += values.length;
      return;
    }
    for (let i = 0; i < values.length; i++) this.data[this.length++] = values[i];
  }

  finish(): Float64Array {
    return this.data.slice(0, this.length);
  }

  private grow(atLeast: number): void {
    const next = new Float64Array(Math.max(atLeast, this.data.length * 2));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
}

/** Appends one series' state to the part, laid out as the header says. */
function packState(table: Table, state: StateOf[Table], numbers: Float64Builder, sets: Array<StateOf['sets']>): void {
  switch (table) {
    case 'counters':
    case 'keyValues': {
      const values = state as StateOf['counters'] | StateOf['keyValues'];
      if (table === 'keyValues') numbers.push(values.length);
      numbers.pushAll(values);
      return;
    }
    case 'gauges': {
      const [value, updatedAt, deltasOnly] = state as StateOf['gauges'];
      numbers.push(value, updatedAt, deltasOnly === 1 ? 1 : 0);
      return;
    }
    case 'sets':
      sets.push(state as StateOf['sets']);
      return;
    case 'timers': {
      const t = state as StateOf['timers'];
      numbers.push(t.count, t.samples, t.sum, t.sumSquares, t.min, t.max, t.unitless === true ? 1 : 0, t.exactPoints, t.points.length);
      numbers.pushAll(t.points);
      numbers.push(t.bins === null ? -1 : t.bins.length);
      if (t.bins !== null) numbers.pushAll(t.bins);
    }
  }
}

/**
 * The bucket as packed parts of at most `seriesPerPart` series each (at least one part), made
 * one at a time so the caller can send each and let the event loop run in between.
 */
export function* packBucket(bucket: Bucket, seriesPerPart: number): Generator<PackedPart> {
  // Each table's series in order; a part takes up to seriesPerPart of them, across tables.
  let table = 0;
  let states: Iterator<[string, StateOf[Table]]> = bucket.states(TABLES[0]);
  let emitted = false;
  while (table < TABLES.length) {
    const sizes: PackedPart['sizes'] = [0, 0, 0, 0, 0];
    const keys: string[] = [];
    const numbers = new Float64Builder();
    const sets: Array<StateOf['sets']> = [];
    while (keys.length < seriesPerPart && table < TABLES.length) {
      const next = states.next();
      if (next.done) {
        if (++table < TABLES.length) states = bucket.states(TABLES[table]);
        continue;
      }
      const [key, state] = next.value;
      keys.push(key);
      sizes[table]++;
      packState(TABLES[table], state, numbers, sets);
    }
    if (keys.length === 0 && emitted) return;
    emitted = true;
    yield { sizes, keys: keys.join(''), keyLengths: Uint32Array.from(keys, (k) => k.length), numbers: numbers.finish(), sets };
  }
}

/** Merges a packed part into `bucket`, through the same mergeState as any partial bucket. */
export function mergePacked(bucket: Bucket, part: PackedPart): void {
  const { keys, keyLengths, numbers: n, sets, sizes } = part;
  let k = 0;
  let at = 0;
  let i = 0;
  const nextKey = (): string => {
    const key = keys.slice(at, at + keyLengths[k]);
    at += keyLengths[k++];
    return key;
  };
  for (let s = 0; s < sizes[0]; s++, i += 2) bucket.mergeState('counters', nextKey(), [n[i], n[i + 1]]);
  for (let s = 0; s < sizes[1]; s++, i += 3) {
    bucket.mergeState('gauges', nextKey(), n[i + 2] === 1 ? [n[i], n[i + 1], 1] : [n[i], n[i + 1]]);
  }
  for (let s = 0; s < sizes[2]; s++) bucket.mergeState('sets', nextKey(), sets[s]);
  for (let s = 0; s < sizes[3]; s++) {
    const pointCount = n[i + 8];
    const pointsAt = i + 9;
    const binCount = n[pointsAt + pointCount];
    const binsAt = pointsAt + pointCount + 1;
    bucket.mergeState('timers', nextKey(), {
      count: n[i], samples: n[i + 1], sum: n[i + 2], sumSquares: n[i + 3], min: n[i + 4], max: n[i + 5],
      ...(n[i + 6] === 1 ? { unitless: true } : {}), exactPoints: n[i + 7],
      points: n.subarray(pointsAt, pointsAt + pointCount),
      bins: binCount < 0 ? null : n.subarray(binsAt, binsAt + binCount),
    });
    i = binsAt + Math.max(binCount, 0);
  }
  for (let s = 0; s < sizes[4]; s++) {
    const count = n[i];
    bucket.mergeState('keyValues', nextKey(), n.subarray(i + 1, i + 1 + count));
    i += 1 + count;
  }
}
