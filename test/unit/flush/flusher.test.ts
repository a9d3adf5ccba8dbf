// A sink MAX_PENDING_DELIVERIES deliveries behind skips flushes, counted in its status, so a stuck
// sink cannot pile up buckets in memory; the other sinks get every flush; once its deliveries
// finish, it gets the next flush again.

import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Aggregator } from '../../../src/aggregate/aggregator.js';
import type { Bucket } from '../../../src/aggregate/bucket.js';
import { createDefaultSketch } from '../../../src/aggregate/sketch.js';
import { Flusher, MAX_PENDING_DELIVERIES } from '../../../src/flush/flusher.js';
import type { Sink } from '../../../src/sinks/sink.js';

/** Records which interval each flush was (the `interval` counter's sum); held ones finish only on release(). */
class RecordingSink implements Sink {
  readonly destination = 'a test';
  readonly intervals: number[] = [];
  private readonly held: Array<() => void> = [];

  constructor(
    readonly name: string,
    private hold: boolean,
  ) {}

  flush(bucket: Bucket): Promise<void> {
    this.intervals.push(bucket.counters.get('interval')!.sum);
    return this.hold ? new Promise((resolve) => this.held.push(resolve)) : Promise.resolve();
  }

  release(): void {
    this.hold = false;
    for (const finish of this.held.splice(0)) finish();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function sinkAndMessage(line: string): string {
  const { sink, msg } = JSON.parse(line) as { sink: string; msg: string };
  return `${sink}: ${msg}`;
}

describe('Flusher', () => {
  it('skips a sink that is MAX_PENDING_DELIVERIES behind, counts the skips, and resumes after release', async () => {
    const aggregator = new Aggregator({
      histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0, keepGauges: false,
    });
    const stuck = new RecordingSink('stuck', true);
    const healthy = new RecordingSink('healthy', false);
    const errors: string[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void errors.push(sinkAndMessage(line)) });
    const flusher = new Flusher(aggregator, [stuck, healthy], log);
    let interval = 0;
    // One interval: a sample, the flush, then a turn of the event loop for the deliveries that can
    // finish (flushes are an interval apart; back to back, even a sink that resolves at once would
    // still count as pending).
    const flush = async () => {
      aggregator.counter('interval', ++interval, 1);
      flusher.flush();
      await new Promise((resolve) => setImmediate(resolve));
    };
    const status = (name: string) => flusher.sinkStatus().find((s) => s.name === name)!;

    for (let i = 0; i < MAX_PENDING_DELIVERIES + 2; i++) await flush();
    expect(stuck.intervals).toEqual([1, 2, 3]);
    expect(status('stuck')).toMatchObject({ delivering: MAX_PENDING_DELIVERIES, skippedFlushes: 2 });
    expect(errors).toEqual(Array(2).fill('stuck: sink is too far behind: skipped this flush for it'));
    // The other sink is not held back by it.
    expect(healthy.intervals).toEqual([1, 2, 3, 4, 5]);
    expect(status('healthy')).toMatchObject({ delivering: 0, skippedFlushes: 0 });

    stuck.release();
    expect(await flusher.drain(1000)).toBe(true);
    expect(status('stuck')).toMatchObject({ delivering: 0, skippedFlushes: 2, lastError: null });
    await flush();
    expect(await flusher.drain(1000)).toBe(true);
    expect(stuck.intervals).toEqual([1, 2, 3, 6]);
    expect(status('stuck').skippedFlushes).toBe(2);
  });
});
