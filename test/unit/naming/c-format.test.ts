import { describe, expect, it } from 'vitest';
import { formatCount, formatFixed, formatFixedExact, MAX_FIXED_BYTES, writeCount, writeFixed } from '../../../src/naming/c-format.js';
import { seeded } from '../../helpers/random.js';

describe('formatFixed (C %f)', () => {
  it('prints six decimals', () => {
    expect(formatFixed(1)).toBe('1.000000');
    expect(formatFixed(6.666666666666667)).toBe('6.666667');
    expect(formatFixed(-3)).toBe('-3.000000');
    expect(formatFixed(1.23456789)).toBe('1.234568');
  });

  it('rounds exact ties to even, as glibc does', () => {
    expect(formatFixed(0.0078125)).toBe('0.007812'); // 1/128
    expect(formatFixed(0.0234375)).toBe('0.023438'); // 3/128
    expect(formatFixed(-0.0078125)).toBe('-0.007812');
    expect(formatFixed(12.5, 0)).toBe('12');
    expect(formatFixed(13.5, 0)).toBe('14');
    expect(formatFixed(99.9, 0)).toBe('100');
  });

  it('never switches to exponent notation and spells specials like C', () => {
    expect(formatFixed(1e21)).toBe('1000000000000000000000.000000');
    expect(formatFixed(-0)).toBe('-0.000000');
    expect(formatFixed(NaN)).toBe('nan');
    expect(formatFixed(-Infinity)).toBe('-inf');
  });

  it('prints counts as integers', () => {
    expect(formatCount(11)).toBe('11');
    // Huge counts keep their digits, as C's integer formats print them.
    expect(formatCount(1e21)).toBe('1000000000000000000000');
    expect(formatCount(9.999999999999999e299)).toBe(BigInt(9.999999999999999e299).toString());
    expect(formatCount(9.999999999999999e299)).not.toMatch(/e/);
    expect(formatCount(Infinity)).toBe('inf');
  });
});

describe('formatFixed on whole numbers', () => {
  it('prints the exact digits C prints, also past 2^53', () => {
    expect(formatFixed(42)).toBe('42.000000');
    expect(formatFixed(-7, 2)).toBe('-7.00');
    expect(formatFixed(2 ** 53 - 1)).toBe('9007199254740991.000000');
    expect(formatFixed(12345678901234567168)).toBe('12345678901234567168.000000'); // the double nearest 12345678901234567890
  });
});

describe('formatFixed fast path', () => {
  // Seeded, so a failure names a reproducible value. C's printf is the outside reference: c-format-reference.test.ts.
  const random = seeded(12345);

  it('matches the exact algorithm on values of every magnitude the fast path takes', () => {
    for (let i = 0; i < 200_000; i++) {
      const magnitude = 10 ** Math.floor(random() * 16 - 7);
      const value = (random() - 0.5) * 2 * magnitude;
      expect(formatFixed(value), String(value)).toBe(formatFixedExact(value, 6));
    }
  });

  it('matches it next to ties, where the product of a double and 10^6 could round the wrong way', () => {
    for (let i = 0; i < 100_000; i++) {
      const micros = Math.floor(random() * 1e12) + 0.5;
      for (const value of [micros / 1e6, (micros / 1e6) * (1 + 2 ** -52), (micros / 1e6) * (1 - 2 ** -52), -micros / 1e6]) {
        expect(formatFixed(value), String(value)).toBe(formatFixedExact(value, 6));
      }
    }
    expect(formatFixed(-1e-9)).toBe('-0.000000');
    expect(formatFixed(0.9999999)).toBe('1.000000');
    expect(formatFixed(999999999.9999999)).toBe(formatFixedExact(999999999.9999999, 6));
  });
});

describe('writeFixed and writeCount (the same text, as bytes)', () => {
  const random = seeded(777);
  const out = new Uint8Array(MAX_FIXED_BYTES + 8);
  const written = (write: (o: Uint8Array, at: number, v: number) => number, value: number) => {
    const end = write(out, 3, value);
    return Buffer.from(out.subarray(3, end)).toString('latin1');
  };

  it('writes what formatFixed prints, fast path, ties and specials alike', () => {
    const specials = [0, -0, 1, -1, 0.5, 1e-7, -1e-9, 0.9999999, 999999999.9999999, 1e9, 1e21, -1.7976931348623157e308,
      Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity, 0.0078125, 2 ** 53 + 2];
    for (const value of specials) expect(written(writeFixed, value), String(value)).toBe(formatFixed(value));
    for (let i = 0; i < 100_000; i++) {
      const magnitude = 10 ** Math.floor(random() * 20 - 8);
      const value = (random() - 0.5) * 2 * magnitude;
      expect(written(writeFixed, value), String(value)).toBe(formatFixed(value));
      const tie = (Math.floor(random() * 1e12) + 0.5) / 1e6;
      expect(written(writeFixed, tie), String(tie)).toBe(formatFixed(tie));
    }
  });

  it('writes whole numbers (their own fast path) of every length, at each power of ten and either side', () => {
    for (let p = 1; p <= 1e15; p *= 10) {
      for (const value of [p - 1, p, p + 1, -p, p + 0.5, p - 0.000001, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 7]) {
        expect(written(writeFixed, value), String(value)).toBe(formatFixed(value));
        expect(written(writeCount, value), String(value)).toBe(formatCount(value));
      }
    }
  });

  it('writes what formatCount prints', () => {
    for (const value of [0, 1, 9, 10, 99, 100, 12345.9, 2 ** 53 - 1, 2 ** 53 + 2, 1e21, 1e300, -3, NaN, Infinity]) {
      expect(written(writeCount, value), String(value)).toBe(formatCount(value));
    }
  });
});
