// A partial bucket on its way from an ingest worker to the primary, packed flat: every key in one
// string, every number in one Float64Array. A structured clone of that is two memcpys; the same
// series as objects (the forward snapshot's shape) cost several times more to build, serialise
// and read back, which at a million timer series is seconds of a core.
//
// Layout of `numbers`, table by table in the order of `sizes` (counters, gauges, sets, timers, kv):
//   counter: sum, count
//   gauge:   value, updatedAt, deltasOnly (0/1)
//   set:     (none: its state is in `sets`, which are few)
//   timer:   count, samples, sum, sumSquares, min, max, exactPoints, P, P points, B (-1: no bins), B bins
//   kv:      N, N values

import type { Bucket } from '../aggregate/bucket.js';
import type { Counter } from '../aggregate/counter.js';
import type { Gauge } from '../aggregate/gauge.js';
import type { KeyValues } from '../aggregate/key-values.js';
import type { SetMetric, SetState } from '../aggregate/set.js';
import type { Timer } from '../aggregate/timer.js';

export interface PackedPart {
  /** Series per table: counters, gauges, sets, timers, kv. */
  sizes: [number, number, number, number, number];
  keys: string;
  keyLengths: Uint32Array;
  numbers: Float64Array;
  sets: SetState[];
}

class Float64Builder {
  private data = new Float64Array(1024);
  length = 0;

  push(...values: number[]): void {
    this.pushAll(values);
  }

  pushAll(values: ArrayLike<number>): void {
    if (this.length + values.length > this.data.length) this.grow(this.length + values.length);
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

/**
 * The bucket as packed parts of at most `seriesPerPart` series each (at least one part), made
 * one at a time so the caller can send each and let the event loop run in between.
 */
export function* packBucket(bucket: Bucket, seriesPerPart: number): Generator<PackedPart> {
  // Each table's entries in order; a part takes up to seriesPerPart of them, across tables.
  const tables = [bucket.counters, bucket.gauges, bucket.sets, bucket.timers, bucket.keyValues] as const;
  let table = 0;
  let entries: Iterator<[string, unknown]> = tables[0].entries();
  let emitted = false;
  while (table < tables.length) {
    const sizes: PackedPart['sizes'] = [0, 0, 0, 0, 0];
    const keys: string[] = [];
    const numbers = new Float64Builder();
    const sets: SetState[] = [];
    while (keys.length < seriesPerPart && table < tables.length) {
      const next = entries.next();
      if (next.done) {
        if (++table < tables.length) entries = tables[table].entries();
        continue;
      }
      const [key, series] = next.value;
      keys.push(key);
      sizes[table]++;
      if (table === 0) {
        const c = series as Counter;
        numbers.push(c.sum, c.count);
      } else if (table === 1) {
        const g = series as Gauge;
        numbers.push(g.value, g.updatedAt, g.deltasOnly ? 1 : 0);
      } else if (table === 2) {
        sets.push((series as SetMetric).state());
      } else if (table === 3) {
        const p = (series as Timer).parts();
        numbers.push(p.count, p.samples, p.sum, p.sumSquares, p.min, p.max, p.exactPoints, p.points.length);
        numbers.pushAll(p.points);
        numbers.push(p.bins === null ? -1 : p.bins.length);
        if (p.bins !== null) numbers.pushAll(p.bins);
      } else {
        const values = (series as KeyValues).values;
        numbers.push(values.length);
        numbers.pushAll(values);
      }
    }
    if (keys.length === 0 && emitted) return;
    emitted = true;
    yield { sizes, keys: keys.join(''), keyLengths: Uint32Array.from(keys, (k) => k.length), numbers: numbers.finish(), sets };
  }
}

/** Merges a packed part into `bucket`, as Bucket's merge* methods merge any partial bucket. */
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
  for (let s = 0; s < sizes[0]; s++, i += 2) bucket.mergeCounter(nextKey(), n[i], n[i + 1]);
  for (let s = 0; s < sizes[1]; s++, i += 3) bucket.mergeGauge(nextKey(), n[i], n[i + 1], n[i + 2] === 1);
  for (let s = 0; s < sizes[2]; s++) bucket.mergeSet(nextKey(), sets[s]);
  for (let s = 0; s < sizes[3]; s++) {
    const pointCount = n[i + 7];
    const pointsAt = i + 8;
    const binCount = n[pointsAt + pointCount];
    const binsAt = pointsAt + pointCount + 1;
    bucket.mergeTimer(nextKey(), {
      count: n[i], samples: n[i + 1], sum: n[i + 2], sumSquares: n[i + 3], min: n[i + 4], max: n[i + 5], exactPoints: n[i + 6],
      points: n.subarray(pointsAt, pointsAt + pointCount),
      bins: binCount < 0 ? null : n.subarray(binsAt, binsAt + binCount),
    });
    i = binsAt + Math.max(binCount, 0);
  }
  for (let s = 0; s < sizes[4]; s++) {
    const count = n[i];
    bucket.mergeKeyValues(nextKey(), Array.from(n.subarray(i + 1, i + 1 + count)));
    i += 1 + count;
  }
}
