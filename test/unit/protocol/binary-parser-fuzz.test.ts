// Property tests for statsite's binary messages: whatever bytes arrive, in whatever reads, the
// parser neither throws nor hangs, and every message is accounted for — accepted, or rejected with
// a reason — up to a framing fault, after which nothing is read.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BinaryParser } from '../../../src/protocol/binary-parser.js';
import { LineParser } from '../../../src/protocol/parser.js';
import { parseDatagram } from '../../../src/protocol/parsers.js';
import { RejectCounter } from '../../../src/protocol/rejects.js';
import { StreamFramer } from '../../../src/protocol/stream-framer.js';
import type { SampleHandler } from '../../../src/model/sample-handler.js';
import { binaryMessage, binarySet } from '../../helpers/binary-messages.js';

function harness() {
  let samples = 0;
  const count = () => void samples++;
  const handler: SampleHandler = { counter: count, timer: count, gauge: count, set: count, kv: count };
  const rejects = new RejectCounter();
  const lines = new LineParser(handler, rejects, { maxKeyBytes: 64 });
  const parsers = { lines, binary: new BinaryParser(handler, rejects, lines) };
  return { parsers, rejects, samples: () => samples };
}

const key = fc.uint8Array({ minLength: 1, maxLength: 20 }).map((b) => Buffer.from(b.map((x) => (x === 0 || x === 0x0a ? 0x61 : x))));
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const goodMessage = fc.oneof(
  fc.tuple(fc.constantFrom('kv', 'counter', 'timer', 'gauge', 'gaugeDelta') as fc.Arbitrary<'kv'>, key, finite)
    .map(([type, k, v]) => binaryMessage(type, k, v)),
  fc.tuple(key, fc.uint8Array({ maxLength: 20 })).map(([k, m]) => binarySet(k, Buffer.from(m.map((x) => x || 1)))),
);
/** Well framed, rejected alone. */
const badMessage = fc.oneof(
  fc.constant(binaryMessage('counter', '', 1)),
  fc.constant(binaryMessage('timer', 'a\nb', 1)),
  fc.constant(binaryMessage('gauge', 'nan', NaN)),
  fc.constant(binaryMessage('counter', 'k'.repeat(100), 1)),
);
/**
 * No way to read on after it. (Text after binary is one too, but only when it arrives in the same
 * read: a short piece of it waits for the next read, which takes it as text — stream-framer.test.ts.)
 */
const fault = fc.oneof(
  fc.integer({ min: 7, max: 255 }).map((type) => Buffer.from([0xaa, type, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x61, 0])),
  fc.constant(Buffer.from([0xaa, 0x02, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x61, 0x62])),
  fc.constant(Buffer.from([0xaa, 0x04, 2, 0, 2, 0, 0x61, 0, 0x62, 0x63])),
);

/** Splits `bytes` into reads at the given cut points. */
function reads(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of [...at, bytes.length]) {
    if (c > from) out.push(Buffer.from(bytes.subarray(from, c)));
    from = Math.max(from, c);
  }
  return out;
}

describe('binary parser under hostile input', () => {
  it('never throws on random bytes after a magic byte, as a datagram or as a stream in any reads', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.array(fc.nat(), { maxLength: 8 }), (tail, cuts) => {
        const bytes = Buffer.concat([Buffer.of(0xaa), tail]);
        const datagram = harness();
        const accepted = parseDatagram(datagram.parsers, bytes);
        // Every message takes at least 6 bytes; a fault or a cut stops the datagram.
        expect(accepted + datagram.rejects.total).toBeLessThanOrEqual(Math.floor(bytes.length / 6) + 1);
        expect(datagram.samples()).toBe(accepted);

        const stream = harness();
        const framer = new StreamFramer(stream.parsers);
        let streamed = 0;
        for (const read of reads(bytes, cuts)) streamed += framer.push(read);
        streamed += framer.end();
        expect(stream.samples()).toBe(streamed);
      }),
      { numRuns: 500 },
    );
  });

  it('accounts for every message up to a fault, in any reads: accepted + rejected add up', () => {
    const item = fc.oneof(
      { weight: 6, arbitrary: goodMessage.map((m) => ({ m, good: true })) },
      { weight: 2, arbitrary: badMessage.map((m) => ({ m, good: false })) },
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 40 }), fc.option(fault), fc.array(fc.nat(), { maxLength: 10 }), (items, faulty, cuts) => {
        const cutAt = faulty === null ? items.length : Math.floor(items.length / 2);
        const parts = items.map((i) => i.m);
        if (faulty !== null) parts.splice(cutAt, 0, faulty);
        const bytes = Buffer.concat(parts);
        const before = items.slice(0, cutAt);
        const good = before.filter((i) => i.good).length;
        const expectedRejects = before.length - good + (faulty === null ? 0 : 1);
        const stream = harness();
        const framer = new StreamFramer(stream.parsers);
        let accepted = 0;
        for (const read of reads(bytes, cuts)) accepted += framer.push(read);
        accepted += framer.end();
        expect(accepted).toBe(good);
        expect(stream.rejects.total).toBe(expectedRejects);
        expect(framer.fault !== null).toBe(faulty !== null);

        if (bytes.length === 0) return;
        const datagram = harness();
        expect(parseDatagram(datagram.parsers, bytes)).toBe(good);
        expect(datagram.rejects.total).toBe(expectedRejects);
      }),
      { numRuns: 300 },
    );
  });
});
