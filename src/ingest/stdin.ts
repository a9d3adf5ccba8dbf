// statsite's parse_stdin: lines on our stdin are metrics, framed like a TCP stream.

import { LineFramer } from '../protocol/line-framer.js';
import type { LineParser } from '../protocol/parser.js';
import type { IngestStats } from './ingest-stats.js';

/** `onError`: stdin failed (EIO, a closed terminal); reading stops there. */
export function readStdin(parser: LineParser, stats: IngestStats, maxLineBytes: number, onError: (err: Error) => void): { close(): void } {
  const framer = new LineFramer(parser, maxLineBytes);
  const onData = (chunk: Buffer) => {
    stats.stdinLines += framer.push(chunk);
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
  return {
    close: () => {
      reading = false;
      process.stdin.off('data', onData);
      process.stdin.off('end', onEnd);
      process.stdin.pause();
    },
  };
}
