// Writes chunks to a stream with backpressure: waits for 'drain' when the stream's buffer is full.

import { once } from 'node:events';
import type { Writable } from 'node:stream';

export async function writeChunks(stream: Writable, chunks: AsyncIterable<string>, signal?: AbortSignal): Promise<void> {
  for await (const chunk of chunks) {
    signal?.throwIfAborted();
    if (stream.destroyed || stream.writableEnded) throw new Error('stream closed');
    if (!stream.write(chunk)) {
      const waits = [once(stream, 'drain'), once(stream, 'close')];
      if (signal) waits.push(once(signal, 'abort'));
      await Promise.race(waits);
    }
  }
}
