// Property tests: whatever bytes arrive, the parser neither throws nor hangs, accounts for every
// line (accepted + rejected + blank/ignored), and good lines survive among bad ones.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineParser } from '../../../src/protocol/parser.js';
import { RejectCounter } from '../../../src/protocol/rejects.js';
import type { SampleHandler } from '../../../src/model/sample-handler.js';

function harness() {
  const seen: string[] = [];
  const rec = (k: string) => void seen.push(k);
  const handler: SampleHandler = { counter: rec, timer: rec, gauge: rec, set: rec, kv: rec };
  const rejects = new RejectCounter();
  return { parser: new LineParser(handler, rejects, { maxKeyBytes: 4096 }), rejects, seen };
}

const goodLine = fc
  .tuple(
    fc.stringMatching(/^[a-z][a-z0-9_.]{0,30}$/),
    // Subnormals print in exponent notation, which statsite (and so the parser) drops as underflow.
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }).filter((v) => v === 0 || Math.abs(v) >= 2 ** -1022),
    fc.constantFrom('c', 'ms', 'g', 'h', 'kv', 'd'),
  )
  .map(([name, value, type]) => `${name}:${value}|${type}`);

const nastyLine = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom(
    ':1|c', 'a:|c', 'a:1|', 'a:1|zz', 'a:NaN|c', 'a:Infinity|ms', 'a:1e999|c', 'a:1|c|@', 'a:1|c|@x', 'a:1|g|@0.5', 'a:12abc|c', 'a:0x10|c',
  ),
  fc.string({ maxLength: 40 }).map((s) => `${s}:${s}|${s}`),
);

describe('parser under hostile input', () => {
  it('never throws on random bytes, including NUL, CR, invalid UTF-8 and huge datagrams', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        const { parser, rejects } = harness();
        const lines = Buffer.from(bytes).toString('latin1').split('\n').length;
        const accepted = parser.parse(Buffer.from(bytes));
        expect(accepted + rejects.total).toBeLessThanOrEqual(lines);
      }),
      { numRuns: 500 },
    );
    const { parser } = harness();
    const huge = Buffer.alloc(65_507, 0x61); // largest UDP payload, all one "line"
    expect(parser.parse(huge)).toBe(0);
  });

  it('keeps every good line among bad ones and counts every bad one', () => {
    const line = fc.oneof(goodLine.map((l) => ({ l, good: true })), nastyLine.map((l) => ({ l, good: false })));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), (items) => {
        const lines = items.map((i) => i.l.replace(/[\n]/g, ''));
        const { parser, rejects, seen } = harness();
        const accepted = parser.parse(Buffer.from(lines.join('\n'), 'utf8'));
        const goodCount = items.filter((i) => i.good).length;
        expect(accepted).toBeGreaterThanOrEqual(goodCount);
        const blank = lines.filter((l) => l.replace(/\r$/, '') === '').length;
        expect(accepted + rejects.total + blank + parser.events + parser.serviceChecks).toBe(lines.length);
        for (const item of items) if (item.good) expect(seen).toContain(item.l.slice(0, item.l.indexOf(':')));
      }),
      { numRuns: 300 },
    );
  });

  it('handles pathological 64 KB lines (a hang would trip the test timeout)', () => {
    const { parser, seen, rejects } = harness();
    expect(parser.parse(Buffer.from('a' + ':1'.repeat(30_000) + '|ms'))).toBe(1);
    expect(seen).toHaveLength(30_000);
    parser.parse(Buffer.from('|'.repeat(60_000)));
    // The series key is name and tags together: 60 KB of tags make it too long, like a long name.
    expect(parser.parse(Buffer.from('a:1|c|#' + 'x:y,'.repeat(15_000)))).toBe(0);
    expect(parser.parse(Buffer.from('k'.repeat(5000) + ':1|c'))).toBe(0);
    expect(rejects.byReason.get('key_too_long')).toBe(2);
  });
});
