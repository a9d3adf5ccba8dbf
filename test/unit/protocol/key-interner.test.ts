import { describe, expect, it } from 'vitest';
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
    expect([a, b, c]).toEqual(['api.hits', 'api.hits', 'api.hit']);
    expect(made).toBe(2);
  });

  it('tells name and tag ranges apart', () => {
    const k = new KeyInterner();
    const buf = Buffer.from('abc');
    expect(k.intern(buf, 0, 2, 2, 3, make)).toBe('ab|c');
    expect(k.intern(buf, 0, 1, 1, 3, make)).toBe('a|bc');
    expect(k.intern(buf, 0, 3, 0, 0, make)).toBe('abc');
  });

  it('stays correct through growth and when its bounds force a reset', () => {
    const k = new KeyInterner(1000, 8 * 1024);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5000; i++) {
        const buf = Buffer.from(`metric.number.${i}`);
        expect(k.intern(buf, 0, buf.length, 0, 0, make)).toBe(`metric.number.${i}`);
      }
    }
  });
});
