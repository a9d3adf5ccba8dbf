// An ingest worker's bucket, packed for IPC, must merge into the primary's exactly as the bucket itself.

import { describe, expect, it } from 'vitest';
import { Bucket } from '../../../src/aggregate/bucket.js';
import { createDefaultSketch } from '../../../src/aggregate/sketch.js';
import { mergePacked, packBucket } from '../../../src/cluster/packed-bucket.js';
import { toSnapshot } from '../../helpers/snapshot.js';

const histogram = { prefix: 'h', min: 0, max: 100, width: 10 };
const newBucket = () => new Bucket({ histograms: [histogram], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 });

function filled(): Bucket {
  const b = newBucket();
  for (let i = 0; i < 10; i++) b.counter(`c${i}\nenv:prod`, i, 0.5);
  for (let i = 0; i < 1000; i++) b.timer('big', i % 97, 1); // past the exact samples: digest centroids too
  b.timer('small', 5, 1);
  b.timer('h.latency', 42, 1, 0, 0, true);
  b.gauge('g', 3, false);
  b.gauge('d', -2, true);
  b.set('s', 'a');
  for (let i = 0; i < 200; i++) b.set('hll', `m${i}`);
  b.kv('k', 9);
  b.kv('k', 10);
  return b;
}

describe('packBucket / mergePacked', () => {
  it('round-trips every type, in parts of at most N series, through a structured clone', () => {
    const original = filled();
    const parts = [...packBucket(original, 4)];
    expect(parts.map((p) => p.sizes.reduce((a, b) => a + b))).toEqual([4, 4, 4, 4, 2]);
    const merged = newBucket();
    for (const part of parts) mergePacked(merged, structuredClone(part));
    expect(toSnapshot(merged, 'x', 1, 10)).toEqual(toSnapshot(original, 'x', 1, 10));
    expect(merged.timers.get('big')!.quantile(0.5)).toBeCloseTo(original.timers.get('big')!.quantile(0.5), 6);
    expect(Array.from(merged.timers.get('h.latency')!.bins!)).toEqual(Array.from(original.timers.get('h.latency')!.bins!));
    // An `h`/`d` timer stays unitless (the Prometheus sink does not scale it), an `ms` one does not become so.
    expect([merged.timers.get('h.latency')!.unitless, merged.timers.get('small')!.unitless]).toEqual([true, false]);
  });

  it('adds into series the target already has', () => {
    const target = newBucket();
    target.counter('c0\nenv:prod', 1, 1);
    target.timer('small', 7, 1);
    for (const part of packBucket(filled(), 1000)) mergePacked(target, part);
    expect(target.counters.get('c0\nenv:prod')!.count).toBe(1 + 2);
    expect(target.timers.get('small')).toMatchObject({ count: 2, sum: 12, min: 5, max: 7 });
    expect(target.gauges.get('d')).toMatchObject({ value: -2, deltasOnly: true });
  });

  it('packs an empty bucket as one empty part, and adds no empty part after a full one', () => {
    expect([...packBucket(newBucket(), 4)].map((p) => p.sizes)).toEqual([[0, 0, 0, 0, 0]]);
    const eight = newBucket();
    for (let i = 0; i < 8; i++) eight.counter(`c${i}`, 1, 1);
    expect([...packBucket(eight, 4)].map((p) => p.sizes[0])).toEqual([4, 4]);
  });
});
