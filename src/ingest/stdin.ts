// statsite's parse_stdin: lines on our stdin are metrics, framed like a TCP stream.

import { LineFramer } from '../protocol/line-framer.js';
import type { LineParser } from '../protocol/parser.js';
import type { IngestStats } from './ingest-stats.js';

export function readStdin(parser: LineParser, stats: IngestStats, maxLineBytes: number): { close(): void } {
  const framer = new LineFramer(parser, maxLineBytes);
  const onData = (chunk: Buffer) => {
    stats.stdinLines += framer.push(chunk);
  };
  const onEnd = () => {
    stats.stdinLines += framer.end();
  };
  process.stdin.on('data', onData);
  process.stdin.on('end', onEnd);
  return {
    close: () => {
      process.stdin.off('data', onData);
      process.stdin.off('end', onEnd);
      process.stdin.pause();
    },
  };
}
