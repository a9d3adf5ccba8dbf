// Writes buffers to a stream with backpressure: waits for 'drain' when the stream's own buffer is full.

import { once } from 'node:events';
import type { Writable } from 'node:stream';

export async function writeBuffers(stream: Writable, buffers: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<void> {
  for await (const buffer of buffers) {
    signal?.throwIfAborted();
    if (stream.destroyed || stream.writableEnded) throw new Error('stream closed');
    if (!stream.write(buffer)) await drained(stream, signal);
  }
}

/** Until 'drain' (or 'close', or the abort); the listeners of the events that lost are removed. */
async function drained(stream: Writable, signal?: AbortSignal): Promise<void> {
  const done = new AbortController();
  const options = { signal: done.signal };
  const waits = [once(stream, 'drain', options), once(stream, 'close', options)];
  if (signal) waits.push(once(signal, 'abort', options));
  try {
    await Promise.race(waits);
  } finally {
    done.abort();
    // The losers reject with AbortError once aborted; nobody awaits them.
    for (const w of waits) w.catch(() => undefined);
  }
}
