import { describe, expect, it } from 'vitest';
import { murmur3Hash2 } from '../../../src/aggregate/murmur3.js';
import { SetMetric, EXACT_MEMBERS } from '../../../src/aggregate/set.js';
import { precisionForError } from '../../../src/aggregate/hyperloglog.js';
import { Bucket } from '../../../src/aggregate/bucket.js';
import { createDefaultSketch } from '../../../src/aggregate/sketch.js';
import { LineParser } from '../../../src/protocol/parser.js';
import { RejectCounter } from '../../../src/protocol/rejects.js';

function hex(s: string): string {
  const out = new Uint32Array(2);
  murmur3Hash2(Buffer.from(s), out);
  return out[0].toString(16).padStart(8, '0') + out[1].toString(16).padStart(8, '0');
}

describe('murmur3Hash2', () => {
  it("matches the C MurmurHash3_x64_128 statsite links (second half, seed 0)", () => {
    // Values printed by statsite's deps/murmurhash/MurmurHash3.c compiled with gcc.
    expect(hex('a')).toBe('e6b53a48510e895a');
    expect(hex('hello')).toBe('5b1e906a48ae1d19');
    expect(hex('x y')).toBe('385b81c0f225a102');
    expect(hex('0123456789abcdef')).toBe('87c35b5c63a708da');
    expect(hex('0123456789abcdefg')).toBe('0800f4c206c372ee');
    expect(hex('a somewhat longer string of members 123')).toBe('17a2cec02a8a9b5f');
    expect(hex('')).toBe('0000000000000000');
  });
});

describe('SetMetric', () => {
  it('counts distinct members exactly up to the exact bound', () => {
    const s = new SetMetric(12);
    for (const m of ['a', 'b', 'a', 'c', 'b', '1', '1.0']) s.add(m);
    expect(s.size()).toBe(5);
  });

  it('estimates within the HyperLogLog error past the exact bound', () => {
    expect(precisionForError(0.02)).toBe(12);
    for (const n of [EXACT_MEMBERS + 1, 1000, 50_000]) {
      const s = new SetMetric(12);
      for (let i = 0; i < n; i++) s.add(`member-${i}`);
      for (let i = 0; i < n; i += 7) s.add(`member-${i}`); // repeats change nothing
      expect(Math.abs(s.size() - n) / n).toBeLessThan(0.05);
    }
  });

  it('merges into the size of the union', () => {
    const a = new SetMetric(12);
    const b = new SetMetric(12);
    for (let i = 0; i < 3000; i++) a.add(`m${i}`);
    for (let i = 2000; i < 5000; i++) b.add(`m${i}`);
    a.mergeState(b.state());
    expect(Math.abs(a.size() - 5000) / 5000).toBeLessThan(0.05);
  });
});

describe('set members as bytes', () => {
  it('hashes the bytes that arrived: members that are not UTF-8 stay distinct, UTF-8 ones match their text', () => {
    const bucket = new Bucket({ histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 });
    const parser = new LineParser(bucket, new RejectCounter());
    // 0xff and 0xfe would both decode to U+FFFD; statsite hashes the raw bytes and counts two.
    const bytes = [Buffer.from('u:'), Buffer.from([0xff]), Buffer.from('|s\nu:'), Buffer.from([0xfe]), Buffer.from('|s\nu:é|s\n')];
    parser.parse(Buffer.concat(bytes));
    bucket.set('u', 'é'); // the same member given as text
    expect(bucket.sets.get('u')!.size()).toBe(3);
  });
});
