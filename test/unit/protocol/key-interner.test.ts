import { describe, expect, it } from 'vitest';
import { NO_GENERATION } from '../../../src/model/sample-handler.js';
import { KeyInterner } from '../../../src/protocol/key-interner.js';

const make = (buf: Uint8Array, ns: number, ne: number, ts: number, te: number) =>
  Buffer.from(buf).toString('latin1', ns, ne) + (te > ts ? '|' + Buffer.from(buf).toString('latin1', ts, te) : '');

describe('KeyInterner', () => {
  it('returns the same string for the same bytes and builds it only once', () => {
    const k = new KeyInterner();
    let made = 0;
    const counting = (...args: Parameters<typeof make>) => {
      made++;
      return make(...args);
    };
    const buf = Buffer.from('api.hits api.hits api.hit');
    const a = k.intern(buf, 0, 8, 0, 0, counting);
    const b = k.intern(buf, 9, 17, 0, 0, counting);
    const c = k.intern(buf, 18, 25, 0, 0, counting);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect([a, b, c].map((id) => k.key(id))).toEqual(['api.hits', 'api.hits', 'api.hit']);
    expect(made).toBe(2);
  });

  it('tells name and tag ranges apart', () => {
    const k = new KeyInterner();
    const buf = Buffer.from('abc');
    expect(k.key(k.intern(buf, 0, 2, 2, 3, make))).toBe('ab|c');
    expect(k.key(k.intern(buf, 0, 1, 1, 3, make))).toBe('a|bc');
    expect(k.key(k.intern(buf, 0, 3, 0, 0, make))).toBe('abc');
  });

  it('stays correct through growth and when its bounds force a reset', () => {
    const k = new KeyInterner(1000, 8 * 1024);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5000; i++) {
        const buf = Buffer.from(`metric.number.${i}`);
        expect(k.key(k.intern(buf, 0, buf.length, 0, 0, make))).toBe(`metric.number.${i}`);
      }
    }
  });

  it('starts a new generation whenever ids are reused, never one another interner has', () => {
    const k = new KeyInterner();
    const other = new KeyInterner();
    expect(k.generation).not.toBe(NO_GENERATION);
    expect(other.generation).not.toBe(k.generation);
    const a = Buffer.from('a');
    const b = Buffer.from('b');
    const first = k.generation;
    expect(k.intern(a, 0, 1, 0, 0, make)).toBe(0);
    expect(k.intern(b, 0, 1, 0, 0, make)).toBe(1);
    expect(k.generation).toBe(first);
    k.clear();
    expect(k.generation).not.toBe(first);
    expect(k.generation).not.toBe(other.generation);
    expect(k.intern(b, 0, 1, 0, 0, make)).toBe(0);
    expect(k.key(0)).toBe('b');
  });

  it('shrinks back to the size of a new interner and forgets every key, in a new generation', () => {
    const k = new KeyInterner();
    const initial = k.tableSize;
    for (let i = 0; i < 50_000; i++) {
      const buf = Buffer.from(`flood.${i}`);
      k.intern(buf, 0, buf.length, 0, 0, make);
    }
    expect(k.tableSize).toBeGreaterThan(initial);
    const before = k.generation;
    k.shrink();
    expect(k.tableSize).toBe(initial);
    expect(k.generation).not.toBe(before);
    const again = Buffer.from('flood.49999');
    const id = k.intern(again, 0, again.length, 0, 0, make);
    expect(id).toBe(0);
    expect(k.key(id)).toBe('flood.49999');
  });

  it('moves to a new generation when its bounds force a reset', () => {
    const k = new KeyInterner(2, 1024);
    const generations = new Set<number>();
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      const buf = Buffer.from(name);
      const id = k.intern(buf, 0, 1, 0, 0, make);
      expect(k.key(id)).toBe(name);
      generations.add(k.generation);
    }
    expect(generations.size).toBe(3); // a b | c d | e
  });

  it('gives a key too big to remember an id for its generation all the same', () => {
    const k = new KeyInterner(1000, 16);
    const small = Buffer.from('small');
    const big = Buffer.from('x'.repeat(40));
    k.intern(small, 0, small.length, 0, 0, make);
    const before = k.generation;
    const id = k.intern(big, 0, big.length, 0, 0, make);
    expect(k.generation).not.toBe(before);
    expect(k.key(id)).toBe('x'.repeat(40));
    const next = k.intern(small, 0, small.length, 0, 0, make);
    expect(next).not.toBe(id);
    expect(k.key(next)).toBe('small');
  });
});
