// A stream (TCP connection, stdin) of text lines and statsite's binary messages: the protocol picked
// per read by its first byte, messages split across reads at every byte, faults that end the stream.

import { describe, expect, it } from 'vitest';
import { BinaryParser } from '../../../src/protocol/binary-parser.js';
import { LineParser } from '../../../src/protocol/parser.js';
import { RejectCounter } from '../../../src/protocol/rejects.js';
import { StreamFramer } from '../../../src/protocol/stream-framer.js';
import type { SampleHandler } from '../../../src/model/sample-handler.js';
import { binaryMessage, binarySet } from '../../helpers/binary-messages.js';

function harness(maxKeyBytes = 4096) {
  const seen: string[] = [];
  const handler: SampleHandler = {
    counter: (k, v) => seen.push(`c ${k} ${v}`),
    timer: (k, v) => seen.push(`ms ${k} ${v}`),
    gauge: (k, v, d) => seen.push(`g ${k} ${d ? '+' : ''}${v}`),
    set: (k, m) => seen.push(`s ${k} ${typeof m === 'string' ? m : Buffer.from(m).toString('latin1')}`),
    kv: (k, v) => seen.push(`kv ${k} ${v}`),
  };
  const rejects = new RejectCounter();
  const lines = new LineParser(handler, rejects, { maxKeyBytes });
  const framer = new StreamFramer({ lines, binary: new BinaryParser(handler, rejects, lines) });
  return { framer, seen, rejects, reasons: () => Object.fromEntries(rejects.byReason) };
}

const MESSAGES = Buffer.concat([
  binaryMessage('counter', 'hits', 2),
  binaryMessage('timer', 'latency', 12.5),
  binarySet('users', 'alice'),
  binaryMessage('gauge', 'depth', 7),
  binaryMessage('gaugeDelta', 'depth', -1),
  binaryMessage('kv', 'version', 42),
]);
const EXPECTED = ['c hits 2', 'ms latency 12.5', 's users alice', 'g depth 7', 'g depth +-1', 'kv version 42'];

describe('StreamFramer', () => {
  it('reads binary messages split across reads at every byte', () => {
    for (let cut = 1; cut < MESSAGES.length; cut++) {
      const { framer, seen, rejects } = harness();
      let accepted = framer.push(Buffer.from(MESSAGES.subarray(0, cut)));
      accepted += framer.push(Buffer.from(MESSAGES.subarray(cut)));
      expect({ cut, seen }).toEqual({ cut, seen: EXPECTED });
      expect(accepted).toBe(EXPECTED.length);
      expect(rejects.total).toBe(0);
      expect(framer.fault).toBeNull();
    }
  });

  it('reads binary messages arriving a byte at a time', () => {
    const { framer, seen } = harness();
    let accepted = 0;
    for (const byte of MESSAGES) accepted += framer.push(Buffer.of(byte));
    expect(seen).toEqual(EXPECTED);
    expect(accepted).toBe(EXPECTED.length);
  });

  it('picks the protocol per read by its first byte: text, then binary, then text again', () => {
    const { framer, seen } = harness();
    framer.push(Buffer.from('a:1|c\nb:2|c\n'));
    framer.push(binaryMessage('counter', 'bin', 3));
    framer.push(Buffer.from('c:4|c\n'));
    expect(seen).toEqual(['c a 1', 'c b 2', 'c bin 3', 'c c 4']);
    expect(framer.fault).toBeNull();
  });

  it('finishes a text line split across reads before it looks for binary', () => {
    const { framer, seen } = harness();
    framer.push(Buffer.from('a:1'));
    framer.push(Buffer.from('|c\n'));
    expect(seen).toEqual(['c a 1']);
  });

  it('hands binary messages that follow text in the same read to the binary parser, newline bytes in them too', () => {
    const { framer, seen, rejects } = harness();
    // A nine-byte key makes the key length 0x0a, a newline byte inside the message.
    const message = binaryMessage('timer', 'ninebytes', 5);
    expect(message[2]).toBe(0x0a);
    const accepted = framer.push(Buffer.concat([Buffer.from('a:1|c\nb:2|c\n'), message, binaryMessage('counter', 'bin', 1)]));
    expect(seen).toEqual(['c a 1', 'c b 2', 'ms ninebytes 5', 'c bin 1']);
    expect(accepted).toBe(4);
    expect(rejects.total).toBe(0);
  });

  it('keeps 0xAA bytes inside a text line as text (UTF-8 continuation bytes)', () => {
    const { framer, seen } = harness();
    framer.push(Buffer.from('caf\u00ea:1|c\n\u00ea:2|c\n', 'utf8'));
    expect(seen).toEqual(['c caf\u00ea 1', 'c \u00ea 2']);
  });

  it('closes the stream at text that follows binary messages in one read, as statsite does', () => {
    const { framer, seen, reasons } = harness();
    const accepted = framer.push(Buffer.concat([binaryMessage('counter', 'bin', 1), Buffer.from('a:1|c\n')]));
    expect(accepted).toBe(1);
    expect(framer.fault).toBe('binary_missing_magic');
    expect(reasons()).toEqual({ binary_missing_magic: 1 });
    expect(framer.push(binaryMessage('counter', 'after', 1))).toBe(0);
    expect(framer.end()).toBe(0);
    expect(seen).toEqual(['c bin 1']);
  });

  it('lets a short text tail after binary wait for the next read, which takes it as text', () => {
    const { framer, seen } = harness();
    framer.push(Buffer.concat([binaryMessage('counter', 'bin', 1), Buffer.from('a:1')]));
    framer.push(Buffer.from('|c\n'));
    expect(seen).toEqual(['c bin 1', 'c a 1']);
    expect(framer.fault).toBeNull();
  });

  it('ends the stream at a malformed message and keeps what came before', () => {
    const { framer, seen, reasons } = harness();
    const unknownType = Buffer.from([0xaa, 0x42, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x61, 0]);
    framer.push(Buffer.concat([binaryMessage('counter', 'before', 1), unknownType.subarray(0, 3)]));
    expect(framer.fault).toBeNull();
    framer.push(Buffer.concat([unknownType.subarray(3), binaryMessage('counter', 'after', 1)]));
    expect(framer.fault).toBe('binary_unknown_type');
    expect(seen).toEqual(['c before 1']);
    expect(reasons()).toEqual({ binary_unknown_type: 1 });
  });

  it('counts a binary message the stream ends inside, and still uses a final text line', () => {
    const cut = harness();
    cut.framer.push(binaryMessage('counter', 'x', 1).subarray(0, 10));
    expect(cut.framer.end()).toBe(0);
    expect(cut.reasons()).toEqual({ binary_truncated: 1 });

    const text = harness();
    text.framer.push(Buffer.from('last:1|c'));
    expect(text.framer.end()).toBe(1);
    expect(text.seen).toEqual(['c last 1']);
  });

  it('passes over a message whose key is over max_key_bytes without holding it, then reads on', () => {
    const { framer, seen, reasons } = harness(16);
    const big = binaryMessage('counter', 'k'.repeat(60_000), 1);
    const after = binaryMessage('counter', 'after', 1);
    const all = Buffer.concat([binaryMessage('counter', 'before', 1), big, after]);
    for (let at = 0; at < all.length; at += 1000) framer.push(Buffer.from(all.subarray(at, at + 1000)));
    expect(seen).toEqual(['c before 1', 'c after 1']);
    expect(reasons()).toEqual({ key_too_long: 1 });
    expect(framer.fault).toBeNull();
  });
});
