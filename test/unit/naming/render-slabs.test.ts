// The render slab pool: a slab handed out as views is written over only once every view is back
// (a sink's write callback), and a finished writer's slab serves the next one.

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Bucket } from '../../../src/aggregate/bucket.js';
import { createDefaultSketch } from '../../../src/aggregate/sketch.js';
import { defaultConfig } from '../../../src/config/defaults.js';
import { renderSlabs, SLAB_BYTES, SlabPool } from '../../../src/naming/render-slabs.js';
import { streamLineBuffers } from '../../../src/sinks/stream/stream-lines.js';
import { writeBuffers } from '../../../src/sinks/delivery/write-buffers.js';

describe('SlabPool', () => {
  it('reuses a retired slab only once its views are given back', () => {
    const pool = new SlabPool(1024);
    const a = pool.acquire();
    pool.lend(a);
    pool.lend(a);
    pool.retire(a);
    expect(pool.freeCount).toBe(0);
    pool.giveBack(a.subarray(0, 10));
    expect(pool.freeCount).toBe(0);
    pool.giveBack(a.subarray(10, 20));
    expect(pool.freeCount).toBe(1);
    pool.giveBack(a.subarray(10, 20)); // a view given back twice changes nothing
    expect(pool.acquire()).toBe(a);
    expect(pool.acquire()).not.toBe(a);
  });

  it('keeps one free slab, ignores memory it did not lend, and drops what it keeps', () => {
    const pool = new SlabPool(1024);
    const [a, b] = [pool.acquire(), pool.acquire()];
    pool.retire(a);
    pool.retire(b);
    expect(pool.freeCount).toBe(1);
    pool.giveBack(Buffer.alloc(10));
    pool.drop();
    expect(pool.freeCount).toBe(0);
  });

  it('makes slabs larger than glibc\'s highest dynamic mmap threshold, so each is a mapping of its own', () => {
    expect(SLAB_BYTES).toBeGreaterThan(32 << 20);
  });
});

/** A stream that copies what it is given only when its write completes, a while later. */
function lateReader() {
  const done: Array<() => void> = [];
  const written: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: 1 << 30, // takes the whole flush before any write completes
    write(chunk: Buffer, _encoding, callback) {
      done.push(() => {
        written.push(Buffer.from(chunk));
        callback();
      });
    },
  });
  // A stream runs one write at a time: the next starts a turn after the last one completed.
  const complete = async () => {
    while (stream.writableLength > 0) {
      done.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { stream, written, complete };
}

describe('render slabs across flushes', () => {
  it('a flush written out late reads exactly its own lines though another flush renders meanwhile', async () => {
    const bucket = (prefix: string) => {
      const b = new Bucket({ histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 });
      // ~40 MB of lines: more than one slab
      for (let i = 0; i < 120_000; i++) b.timer(`${prefix}.series.${i}`, i, 1);
      return b;
    };
    const naming = defaultConfig().naming;
    const first = lateReader();
    await writeBuffers(first.stream, streamLineBuffers(bucket('first'), naming, 1));
    // The first flush's views are all still out; a second flush must get other slabs.
    const second = lateReader();
    await writeBuffers(second.stream, streamLineBuffers(bucket('second'), naming, 2));
    await first.complete();
    await second.complete();
    const text = Buffer.concat(first.written).toString();
    expect(text.length).toBeGreaterThan(SLAB_BYTES);
    expect(text).not.toContain('second.');
    expect(text.split('\n').filter((l) => l !== '').every((l) => l.startsWith('timers.first.') && l.endsWith('|1'))).toBe(true);
    expect(Buffer.concat(second.written).toString()).not.toContain('first.');
    expect(renderSlabs.freeCount).toBe(1);
  });
});
