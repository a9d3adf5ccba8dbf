// The two protocols a socket may carry — StatsD text lines and statsite's binary messages — and
// how a datagram picks one: by its first byte, as statsite picks per read (0xAA starts a binary
// message, and no text line does). Streams pick per read too (stream-framer.ts).

import { BINARY_MAGIC, type BinaryParser } from './binary-parser.js';
import type { LineParser } from './parser.js';

export interface Parsers {
  readonly lines: LineParser;
  readonly binary: BinaryParser;
}

/** Parses one datagram; returns the lines or messages accepted. */
export function parseDatagram(parsers: Parsers, buf: Buffer): number {
  return buf[0] === BINARY_MAGIC ? parsers.binary.parseDatagram(buf, 0, buf.length) : parsers.lines.parse(buf, 0, buf.length);
}
