// statsite's binary input messages: every type, the framing faults that stop a stream, the
// hostile lengths, and messages rejected alone. The messages are built by test/helpers/binary-messages.ts
// from statsite's README, and the README's own example is checked byte for byte.

import { describe, expect, it } from 'vitest';
import { BinaryParser } from '../../../src/protocol/binary-parser.js';
import { LineParser, type ParserOptions } from '../../../src/protocol/parser.js';
import { RejectCounter } from '../../../src/protocol/rejects.js';
import type { SampleHandler } from '../../../src/model/sample-handler.js';
import { binaryMessage, binarySet } from '../../helpers/binary-messages.js';
import { recordingHandler } from '../../helpers/recording-handler.js';

function harness(options: ParserOptions = { maxKeyBytes: 4096 }) {
  const { handler, calls } = recordingHandler();
  const rejects = new RejectCounter();
  const lines = new LineParser(handler, rejects, options);
  const binary = new BinaryParser(handler, rejects, lines);
  const reasons = () => Object.fromEntries(rejects.byReason);
  return { calls, rejects, reasons, binary, lines };
}

describe('BinaryParser', () => {
  it("reads statsite's README example: (\"Conns\", counter, 200)", () => {
    const { binary, calls } = harness();
    const bytes = Buffer.from('aa0206000000000000006940436f6e6e7300', 'hex');
    expect(binary.parse(bytes, 0, bytes.length)).toBe(bytes.length);
    expect(binary.accepted).toBe(1);
    expect(calls).toEqual([['c', 'Conns', 200, 1]]);
  });

  it('reads every type: kv, counter, timer, set, gauge, gauge delta', () => {
    const { binary, calls, rejects } = harness();
    const bytes = Buffer.concat([
      binaryMessage('kv', 'k', 6),
      binaryMessage('counter', 'c', 2.5),
      binaryMessage('timer', 't', 1.5),
      binarySet('s', 'member'),
      binaryMessage('gauge', 'g', -5),
      binaryMessage('gaugeDelta', 'g', -2),
      binaryMessage('gaugeDelta', 'g', 3),
    ]);
    expect(binary.parse(bytes, 0, bytes.length)).toBe(bytes.length);
    expect(binary.accepted).toBe(7);
    expect(binary.fault).toBeNull();
    expect(rejects.total).toBe(0);
    expect(calls).toEqual([
      ['kv', 'k', 6], ['c', 'c', 2.5, 1], ['ms', 't', 1.5, 1], ['s', 's', 'member'],
      ['g', 'g', -5, false], ['g', 'g', -2, true], ['g', 'g', 3, true],
    ]);
  });

  it('takes keys with the characters a text line cannot carry, and a key up to its first NUL as statsite does', () => {
    const { binary, calls } = harness();
    const bytes = Buffer.concat([
      binaryMessage('counter', 'a:b|c@d#e', 1),
      binaryMessage('counter', Buffer.from('cut\0rest'), 1),
      binarySet('s|1', Buffer.from('m:1|s\nx\0tail')),
      binaryMessage('timer', 'größe', 2),
    ]);
    binary.parse(bytes, 0, bytes.length);
    expect(calls).toEqual([['c', 'a:b|c@d#e', 1, 1], ['c', 'cut', 1, 1], ['s', 's|1', 'm:1|s\nx'], ['ms', 'größe', 2, 1]]);
  });

  it('gives a name the same series key and interner id as a text line of that name', () => {
    const ids: Array<[string, number | undefined]> = [];
    const noop = () => undefined;
    const handler: SampleHandler = { counter: (k, _v, _r, id) => ids.push([k, id]), timer: noop, gauge: noop, set: noop, kv: noop };
    const rejects = new RejectCounter();
    const lines = new LineParser(handler, rejects, { nameTagFormats: ['influxdb'] });
    const binary = new BinaryParser(handler, rejects, lines);
    lines.parse(Buffer.from('api.hits,env=prod:1|c\n'));
    const bytes = binaryMessage('counter', 'api.hits,env=prod', 1);
    binary.parse(bytes, 0, bytes.length);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[0][0]).toBe('api.hits\nenv:prod');
  });

  it('counts every message in the input counter, as statsite does', () => {
    const { binary, calls } = harness({ inputCounter: 'statsite.inputs' });
    const bytes = Buffer.concat([binaryMessage('gauge', 'g', 1), binarySet('s', 'm')]);
    binary.parse(bytes, 0, bytes.length);
    expect(calls).toEqual([['g', 'g', 1, false], ['c', 'statsite.inputs', 1, 1], ['s', 's', 'm'], ['c', 'statsite.inputs', 1, 1]]);
  });

  it('passes over one newline before a message (statsite: its UDP record separator)', () => {
    const { binary, calls } = harness();
    const bytes = Buffer.concat([binaryMessage('counter', 'a', 1), Buffer.from('\n'), binaryMessage('counter', 'b', 1), Buffer.from('\n')]);
    expect(binary.parse(bytes, 0, bytes.length)).toBe(bytes.length);
    expect(calls.map((c) => c[1])).toEqual(['a', 'b']);
  });

  it('stops at an incomplete message, or at fewer bytes than a header, and says where', () => {
    const { binary, calls, rejects } = harness();
    const whole = binaryMessage('counter', 'whole', 1);
    const next = binaryMessage('timer', 'next', 1);
    for (const cut of [1, 5, 6, 11, 12, next.length - 1]) {
      const bytes = Buffer.concat([whole, next.subarray(0, cut)]);
      expect(binary.parse(bytes, 0, bytes.length)).toBe(whole.length);
      expect(binary.fault).toBeNull();
    }
    expect(calls).toHaveLength(6);
    expect(rejects.total).toBe(0);
  });

  it('stops at a framing fault, counts it and reads nothing after it', () => {
    const cases: Array<[string, Buffer]> = [
      ['binary_unknown_type', Buffer.from([0xaa, 0x07, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x61, 0])],
      ['binary_unknown_type', Buffer.from([0xaa, 0x00, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x61, 0])],
      ['binary_unterminated_key', Buffer.from([0xaa, 0x02, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x61, 0x62])],
      ['binary_unterminated_member', (() => { const m = binarySet('s', 'm'); m[m.length - 1] = 0x6e; return m; })()],
      ['binary_unterminated_key', (() => { const m = binarySet('s', 'm'); m[7] = 0x74; return m; })()],
      ['binary_missing_magic', Buffer.from('a:1|c\nb:2|c\n')],
    ];
    for (const [reason, bad] of cases) {
      const { binary, calls, reasons } = harness();
      const good = binaryMessage('counter', 'good', 1);
      const bytes = Buffer.concat([good, bad, good]);
      expect(binary.parse(bytes, 0, bytes.length)).toBe(good.length);
      expect(binary.fault).toBe(reason);
      expect(binary.accepted).toBe(1);
      expect(calls).toEqual([['c', 'good', 1, 1]]);
      expect(reasons()).toEqual({ [reason]: 1 });
    }
  });

  it('treats hostile lengths without reading past the buffer or holding what it cannot use', () => {
    // A zero key length has no NUL to end it (statsite would read the byte before the key).
    const zeroKey = harness();
    const z = Buffer.from([0xaa, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    zeroKey.binary.parse(z, 0, z.length);
    expect(zeroKey.binary.fault).toBe('binary_unterminated_key');
    const zeroMember = harness();
    const zm = Buffer.from([0xaa, 0x04, 2, 0, 0, 0, 0x73, 0]);
    zeroMember.binary.parse(zm, 0, zm.length);
    expect(zeroMember.binary.fault).toBe('binary_unterminated_member');

    // The largest key length: over max_key_bytes, so rejected from its header and passed over.
    const huge = harness({ maxKeyBytes: 100 });
    const header = Buffer.from([0xaa, 0x03, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
    const bytes = Buffer.concat([header, Buffer.alloc(1000, 0x6b)]);
    expect(huge.binary.parse(bytes, 0, bytes.length)).toBe(bytes.length);
    expect(huge.binary.skip).toBe(12 + 0xffff - bytes.length);
    expect(huge.reasons()).toEqual({ key_too_long: 1 });
    expect(huge.calls).toEqual([]);

    // Over the limit and complete: rejected alone, the next message is read.
    const long = harness({ maxKeyBytes: 4 });
    const both = Buffer.concat([binaryMessage('counter', 'toolong', 1), binaryMessage('counter', 'ok', 1)]);
    expect(long.binary.parse(both, 0, both.length)).toBe(both.length);
    expect(long.binary.skip).toBe(0);
    expect(long.calls).toEqual([['c', 'ok', 1, 1]]);
    expect(long.reasons()).toEqual({ key_too_long: 1 });

    // Exactly max_key_bytes is allowed.
    const exact = harness({ maxKeyBytes: 4 });
    const four = binaryMessage('counter', 'four', 1);
    exact.binary.parse(four, 0, four.length);
    expect(exact.calls).toEqual([['c', 'four', 1, 1]]);
  });

  it('rejects a well-framed message it cannot use, alone: empty key, newline in the key, a value that is not finite', () => {
    const { binary, calls, reasons } = harness();
    const bytes = Buffer.concat([
      binaryMessage('counter', '', 1),
      binaryMessage('counter', Buffer.from('\0ignored'), 1),
      binaryMessage('counter', 'a\nb', 1),
      binaryMessage('timer', 'nan', NaN),
      binaryMessage('gauge', 'inf', Infinity),
      binaryMessage('kv', 'ninf', -Infinity),
      binarySet('', 'm'),
      binaryMessage('counter', 'ok', 1),
    ]);
    expect(binary.parse(bytes, 0, bytes.length)).toBe(bytes.length);
    expect(binary.fault).toBeNull();
    expect(binary.accepted).toBe(1);
    expect(calls).toEqual([['c', 'ok', 1, 1]]);
    expect(reasons()).toEqual({ empty_key: 3, newline_in_key: 1, bad_value: 3 });
  });

  it('drops the rest of a datagram at a fault or a message cut short, counted', () => {
    const good = binaryMessage('counter', 'good', 1);
    const cut = harness();
    const truncated = Buffer.concat([good, good.subarray(0, 9)]);
    expect(cut.binary.parseDatagram(truncated, 0, truncated.length)).toBe(1);
    expect(cut.reasons()).toEqual({ binary_truncated: 1 });

    const fault = harness();
    const faulty = Buffer.concat([good, Buffer.from([0xaa, 0x09, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x61, 0]), good]);
    expect(fault.binary.parseDatagram(faulty, 0, faulty.length)).toBe(1);
    expect(fault.reasons()).toEqual({ binary_unknown_type: 1 });

    const trailing = harness();
    const junk = Buffer.concat([good, Buffer.from('xy')]);
    expect(trailing.binary.parseDatagram(junk, 0, junk.length)).toBe(1);
    expect(trailing.reasons()).toEqual({ binary_missing_magic: 1 });

    // A datagram that ends in a key too long to use counts once, as key_too_long.
    const long = harness({ maxKeyBytes: 8 });
    const header = Buffer.from([0xaa, 0x02, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0, 0]);
    const bytes = Buffer.concat([good, header, Buffer.alloc(100, 0x6b)]);
    expect(long.binary.parseDatagram(bytes, 0, bytes.length)).toBe(1);
    expect(long.reasons()).toEqual({ key_too_long: 1 });
  });
});
