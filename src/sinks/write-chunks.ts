// Writes chunks to a stream with backpressure: waits for 'drain' when the stream's buffer is full.

import { once } from 'node:events';
import type { Writable } from 'node:stream';

export async function writeChunks(stream: Writable, chunks: AsyncIterable<string>): Promise<void> {
  for await (const chunk of chunks) {
    if (stream.destroyed || stream.writableEnded) throw new Error('stream closed');
    if (!stream.write(chunk)) {
      await Promise.race([once(stream, 'drain'), once(stream, 'close')]);
    }
  }
}
