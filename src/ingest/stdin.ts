// statsite's parse_stdin: lines (or binary messages) on our stdin are metrics, framed like a TCP
// stream. A malformed binary message ends it, as it ends a TCP connection.

import type { Parsers } from '../protocol/parsers.js';
import { StreamFramer } from '../protocol/stream-framer.js';
import type { IngestStats } from './ingest-stats.js';

/** `onError`: stdin failed (EIO, a closed terminal) or carried a malformed binary message; reading stops there. */
export function readStdin(parsers: Parsers, stats: IngestStats, maxLineBytes: number, onError: (err: Error) => void): { close(): void } {
  const framer = new StreamFramer(parsers, maxLineBytes);
  const onData = (chunk: Buffer) => {
    stats.stdinLines += framer.push(chunk);
    if (framer.fault !== null) {
      // After this 'data' event, not inside it: paused from within its own event, stdin kept the
      // process alive after the final flush.
      setImmediate(close);
      onError(new Error(`malformed binary message (${framer.fault})`));
    }
  };
  const onEnd = () => {
    stats.stdinLines += framer.end();
  };
  let reading = true;
  process.stdin.on('data', onData);
  process.stdin.on('end', onEnd);
  // Stays for good: a late error of a stream we stopped reading must not end the process either.
  process.stdin.on('error', (err) => {
    if (reading) onError(err);
  });
  const close = () => {
    reading = false;
    process.stdin.off('data', onData);
    process.stdin.off('end', onEnd);
    process.stdin.pause();
  };
  return { close };
}
