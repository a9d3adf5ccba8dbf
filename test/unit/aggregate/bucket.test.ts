import { describe, expect, it } from 'vitest';
import { Bucket, TABLES } from '../../../src/aggregate/bucket.js';
import { createDefaultSketch } from '../../../src/aggregate/sketch.js';

const settings = { histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 };

describe('Bucket lookups by interner id', () => {
  it('finds the same series by id and by key, so samples, merges and self-metrics add up', () => {
    const b = new Bucket(settings);
    b.counter('a', 1, 1, 0, 100);
    b.counter('a', 2, 1); // no id: input_counter, self-metrics
    b.mergeState('counters', 'a', [4, 1]);
    b.counter('a', 8, 1, 0, 100);
    expect(b.counters.get('a')!.sum).toBe(15);
    expect(b.size()).toBe(1);
  });

  it('finds a series that arrived by key (a gauge carried over at swap) under its id', () => {
    const b = new Bucket(settings);
    b.gauge('g', 10, false);
    b.gauge('g', 1, true, 4, 100);
    b.gauge('g', 1, true, 4, 100);
    expect(b.gauges.get('g')!.value).toBe(12);
  });

  it('never takes an id of an older generation for the key it names now', () => {
    const b = new Bucket(settings);
    b.counter('a', 1, 1, 0, 100);
    b.counter('b', 1, 1, 0, 101); // the interner was reset: id 0 is now 'b'
    b.counter('a', 1, 1, 1, 101);
    expect(b.counters.get('a')!.sum).toBe(2);
    expect(b.counters.get('b')!.sum).toBe(1);
  });

  it('keeps types apart under the same id', () => {
    const b = new Bucket(settings);
    b.counter('x', 1, 1, 0, 100);
    b.timer('x', 5, 1, 0, 100);
    b.gauge('x', 3, false, 0, 100);
    b.set('x', 'm', 0, 100);
    b.kv('x', 2, 0, 100);
    expect([b.counters.size, b.timers.size, b.gauges.size, b.sets.size, b.keyValues.size]).toEqual([1, 1, 1, 1, 1]);
    expect(b.size()).toBe(5);
  });

  it('still drops every sample of a series past max_series, by id as by key', () => {
    const b = new Bucket({ ...settings, maxSeries: 2 });
    b.counter('ok.one', 1, 1, 0, 100);
    b.timer('ok.two', 1, 1, 1, 100);
    for (let i = 0; i < 3; i++) b.counter('req.id.x', 1, 1, 2, 100);
    b.counter('req.id.y', 1, 1);
    b.counter('ok.one', 1, 1, 0, 100);
    expect(b.size()).toBe(2);
    expect(b.counters.has('req.id.x')).toBe(false);
    expect(b.counters.get('ok.one')!.sum).toBe(2);
    expect(b.limit.droppedSamples).toBe(4);
    expect(b.limit.topPrefixes()).toEqual([['req.id', 4]]);
    // The series held, by prefix: counted once per series, not per sample.
    expect(b.limit.topSeriesPrefixes()).toEqual([['ok.one', 1], ['ok.two', 1]]);
  });

  it('counts the series of each interval by name prefix, tags left out', () => {
    const b = new Bucket({ ...settings, maxSeries: 0 });
    for (let i = 0; i < 5; i++) b.counter(`api.req.n${i}`, 1, 1);
    b.counter('api.req.n0', 1, 1);
    b.gauge('db', 1, false);
    b.gauge('db\nenv=prod', 1, false);
    expect(b.limit.topSeriesPrefixes()).toEqual([['api.req', 5], ['db', 2]]);
  });
});

describe('Bucket merges through each type\'s state()', () => {
  // The same samples, once into one bucket and once split across two partial buckets.
  function feed(b: Bucket, part: 'all' | 'first' | 'second'): void {
    const take = (i: number) => part === 'all' || (part === 'first') === (i % 2 === 0);
    for (let i = 0; i < 300; i++) {
      if (!take(i)) continue;
      b.counter('c', 1, 0.5);
      b.timer('t', i % 37, 1);
      b.set('s', `member-${i % 90}`);
      b.kv('kv', i);
      b.gauge('delta', 1, true);
    }
  }

  it('gives the totals of one bucket that took every sample', () => {
    const whole = new Bucket(settings);
    feed(whole, 'all');
    const merged = new Bucket(settings);
    for (const part of ['first', 'second'] as const) {
      const partial = new Bucket(settings);
      feed(partial, part);
      for (const table of TABLES) for (const [key, state] of partial.states(table)) merged.mergeState(table, key, state);
    }
    expect(merged.counters.get('c')!.state()).toEqual(whole.counters.get('c')!.state());
    expect(merged.gauges.get('delta')!.value).toBe(300);
    expect(merged.sets.get('s')!.size()).toBe(whole.sets.get('s')!.size());
    expect(merged.keyValues.get('kv')!.values.length).toBe(300);
    const [t, w] = [merged.timers.get('t')!, whole.timers.get('t')!];
    expect([t.count, t.samples, t.sum, t.min, t.max]).toEqual([w.count, w.samples, w.sum, w.min, w.max]);
    expect(t.quantile(0.5)).toBeCloseTo(w.quantile(0.5), 0);
    expect(merged.size()).toBe(whole.size());
  });

  it('keeps the newest absolute gauge and adds deltas-only ones', () => {
    const merged = new Bucket(settings);
    merged.mergeState('gauges', 'g', [5, 2000]);
    merged.mergeState('gauges', 'g', [9, 1000]); // older: loses
    merged.mergeState('gauges', 'g', [2, 3000, 1]); // deltas: add
    expect(merged.gauges.get('g')!.state()).toEqual([7, 3000]);
  });

  it('counts a merged series against max_series like a sampled one', () => {
    const b = new Bucket({ ...settings, maxSeries: 1 });
    b.mergeState('counters', 'a', [1, 1]);
    b.mergeState('timers', 'b', oneSampleTimer());
    expect(b.size()).toBe(1);
    expect(b.limit.droppedSamples).toBe(1);
  });
});

function oneSampleTimer() {
  const b = new Bucket(settings);
  b.timer('x', 1, 1);
  return b.timers.get('x')!.state();
}
