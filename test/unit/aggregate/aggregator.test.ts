import { describe, expect, it } from 'vitest';
import { Aggregator } from '../../../src/aggregate/aggregator.js';
import { createDefaultSketch } from '../../../src/aggregate/sketch.js';
import { LineParser } from '../../../src/protocol/parser.js';
import { RejectCounter } from '../../../src/protocol/rejects.js';

const settings = { histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 };

describe('LineParser feeding an Aggregator by id', () => {
  function setup(keepGauges = false) {
    const aggregator = new Aggregator({ ...settings, keepGauges });
    const parser = new LineParser(aggregator, new RejectCounter(), { inputCounter: 'inputs' });
    const parse = (text: string) => parser.parse(Buffer.from(text));
    return { aggregator, parser, parse };
  }

  it('keeps keys apart when the interner is cleared while the bucket holds their ids', () => {
    const { aggregator, parser, parse } = setup();
    parse('a:1|c\nb:10|c\n');
    parser.options = { inputCounter: 'inputs' }; // a reload clears the interner: 'b' gets the id 'a' had
    parse('b:10|c\na:1|c\nc:100|c\n');
    const bucket = aggregator.swap();
    expect(Object.fromEntries([...bucket.counters].map(([k, c]) => [k, c.sum]))).toEqual({ a: 2, b: 20, c: 100, inputs: 5 });
  });

  it('starts every swapped-in bucket empty and leaves the finished one alone', () => {
    const { aggregator, parse } = setup();
    parse('a:1|c\nt:5|ms\n');
    const first = aggregator.swap();
    parse('a:2|c\nt:6|ms\nt:7|ms\n');
    const second = aggregator.swap();
    expect(first.counters.get('a')!.sum).toBe(1);
    expect(first.timers.get('t')!.count).toBe(1);
    expect(second.counters.get('a')!.sum).toBe(2);
    expect(second.timers.get('t')!.count).toBe(2);
  });

  it('adds deltas to a gauge carried into the next bucket', () => {
    const { aggregator, parse } = setup(true);
    parse('g:10|g\n');
    aggregator.swap();
    parse('g:+1|g\n');
    expect(aggregator.swap().gauges.get('g')!.value).toBe(11);
  });
});
