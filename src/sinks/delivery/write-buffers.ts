// Writes buffers to a stream with backpressure: waits for 'drain' when the stream's own buffer is full.
// A buffer that is a view of a render slab goes back to the pool once the stream is done with it.

import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { renderSlabs } from '../../naming/render-slabs.js';

export async function writeBuffers(stream: Writable, buffers: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<void> {
  for await (const buffer of buffers) {
    signal?.throwIfAborted();
    if (stream.destroyed || stream.writableEnded) throw new Error('stream closed');
    const queued = stream.write(buffer, () => renderSlabs.giveBack(buffer));
    if (!queued) await untilOrClosed(stream, signal, (options) => once(stream, 'drain', options));
  }
}

/**
 * Until everything written to `stream` so far has left the process (or it closes, or the abort):
 * a stream may hold megabytes the reader has not taken yet, and those keep their render buffers.
 */
export async function writtenOut(stream: Writable, signal?: AbortSignal): Promise<void> {
  if (stream.writableLength === 0) return;
  await untilOrClosed(stream, signal, () => new Promise<void>((resolve) => stream.write('', () => resolve())));
  signal?.throwIfAborted();
}

/** Until `event` happens (or 'close', or the abort); the listeners of the events that lost are removed. */
async function untilOrClosed(
  stream: Writable,
  signal: AbortSignal | undefined,
  event: (options: { signal: AbortSignal }) => Promise<unknown>,
): Promise<void> {
  const done = new AbortController();
  const options = { signal: done.signal };
  const waits = [event(options), once(stream, 'close', options)];
  if (signal) waits.push(once(signal, 'abort', options));
  try {
    await Promise.race(waits);
  } finally {
    done.abort();
    // The losers reject with AbortError once aborted; nobody awaits them.
    for (const w of waits) w.catch(() => undefined);
  }
}
