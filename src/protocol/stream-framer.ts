// A stream's bytes (a TCP connection, stdin) as text lines or statsite's binary messages. Like
// statsite, each read picks the protocol by the first byte not consumed yet: 0xAA starts binary
// messages, anything else a text line. A message or line may be split across reads; only the
// unfinished part is copied and carried over.
//
// Binary messages after a newline in a text read are handed over at once (no text line starts with
// 0xAA, and in UTF-8 no character does). Binary messages followed by text in the same read are a
// framing fault, as in statsite: the stream cannot be read on from there (see binary-parser.ts),
// `fault` says why and the caller closes it. Fewer bytes than a binary header after the last
// message wait for the next read, which picks by their first byte.

import { BINARY_MAGIC, type BinaryFault } from './binary-parser.js';
import { DEFAULT_MAX_LINE_BYTES, LineFramer } from './line-framer.js';
import type { Parsers } from './parsers.js';

const NL = 0x0a;

/** Where the first binary message after a newline starts in `chunk`, or -1. */
function binaryAfterNewline(chunk: Buffer): number {
  let at = chunk.indexOf(BINARY_MAGIC, 1);
  while (at > 0 && chunk[at - 1] !== NL) at = chunk.indexOf(BINARY_MAGIC, at + 1);
  return at;
}

export class StreamFramer {
  private readonly text: LineFramer;
  /** The unfinished binary message carried over, starting with its magic byte. */
  private binary: Buffer | null = null;
  /** Bytes still to come of a binary message rejected from its header (see BinaryParser.skip). */
  private skip = 0;
  /** Why the stream cannot be read on; nothing is parsed after it. */
  fault: BinaryFault | null = null;

  constructor(
    private readonly parsers: Parsers,
    maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  ) {
    this.text = new LineFramer(parsers.lines, maxLineBytes);
  }

  /** Feeds one read; returns the lines and messages accepted. */
  push(chunk: Buffer): number {
    if (this.fault !== null) return 0;
    if (this.skip > 0) {
      const skipped = Math.min(this.skip, chunk.length);
      this.skip -= skipped;
      if (skipped === chunk.length) return 0;
      chunk = chunk.subarray(skipped);
    }
    if (this.binary !== null) {
      const data = Buffer.concat([this.binary, chunk]);
      this.binary = null;
      return this.binaryMessages(data);
    }
    if (this.text.holding || chunk[0] !== BINARY_MAGIC) return this.textLines(chunk);
    return this.binaryMessages(chunk);
  }

  /** The stream ended or was cut: a final text line still counts; an unfinished binary message is counted as cut short. */
  end(): number {
    if (this.fault !== null) return 0;
    const cut = this.binary;
    this.binary = null;
    this.skip = 0;
    if (cut !== null) this.parsers.binary.rejects.reject('binary_truncated', cut, 0, cut.length);
    return this.text.end();
  }

  private textLines(chunk: Buffer): number {
    const binaryAt = binaryAfterNewline(chunk);
    if (binaryAt < 0) return this.text.push(chunk);
    return this.text.push(chunk.subarray(0, binaryAt)) + this.binaryMessages(chunk.subarray(binaryAt));
  }

  private binaryMessages(data: Buffer): number {
    const parser = this.parsers.binary;
    const stop = parser.parse(data, 0, data.length);
    let accepted = parser.accepted;
    if (parser.fault !== null) {
      this.fault = parser.fault;
      return accepted;
    }
    this.skip = parser.skip;
    if (stop < data.length) {
      // Copied: the socket may reuse the chunk's memory after this callback.
      const rest = Buffer.from(data.subarray(stop));
      if (rest[0] === BINARY_MAGIC) this.binary = rest;
      else accepted += this.textLines(rest);
    }
    return accepted;
  }
}
