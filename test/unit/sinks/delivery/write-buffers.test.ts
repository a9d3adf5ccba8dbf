// writtenOut(): a sink's flush is done once its bytes have left the process, not when a stream
// with a large high-water mark has queued them (the queued buffers hold the render's slabs).

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writeBuffers, writtenOut } from '../../../../src/sinks/delivery/write-buffers.js';

/** A stream whose reader takes one chunk whenever take() is called. */
function slowReader() {
  const pending: Array<() => void> = [];
  let taken = 0;
  const stream = new Writable({
    highWaterMark: 1 << 20,
    write(_chunk, _encoding, callback) {
      pending.push(() => {
        taken++;
        callback();
      });
    },
  });
  return { stream, take: () => pending.shift()?.(), taken: () => taken };
}

async function* chunks(n: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < n; i++) yield Buffer.alloc(1000, 0x61);
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('writtenOut', () => {
  it('resolves only once the reader has taken everything written', async () => {
    const { stream, take, taken } = slowReader();
    await writeBuffers(stream, chunks(3)); // all fit under the high-water mark: no wait
    let out = false;
    const done = writtenOut(stream).then(() => (out = true));
    for (let i = 0; i < 3; i++) {
      await turn();
      expect(out).toBe(false);
      take();
    }
    while (!out) {
      take(); // the empty write that marks the end
      await turn();
    }
    await done;
    expect(taken()).toBeGreaterThanOrEqual(3);
  });

  it('gives up with the abort reason when the reader never comes', async () => {
    const { stream } = slowReader();
    await writeBuffers(stream, chunks(2));
    const abort = new AbortController();
    const done = writtenOut(stream, abort.signal);
    abort.abort(new Error('sink timeout'));
    await expect(done).rejects.toThrow('sink timeout');
  });

  it('returns at once when nothing is waiting', async () => {
    const { stream } = slowReader();
    await writtenOut(stream);
  });
});
