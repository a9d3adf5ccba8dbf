import { describe, expect, it } from 'vitest';
import { parseNumber } from '../../../src/protocol/number.js';

const p = (s: string) => parseNumber(Buffer.from(s), 0, s.length);

describe('parseNumber', () => {
  it('is correctly rounded like Number()', () => {
    const texts = [
      '0', '1', '-1', '0.1', '24.9', '99.99', '1.23456789', '123456789.123456789', '1e3', '-2.5e-3',
      '9007199254740993', '0.30000000000000004',
    ];
    for (const s of texts) {
      expect(p(s)).toBe(Number(s));
    }
  });

  it('gives plain integers, short and long, exactly what Number() gives', () => {
    const texts = [
      '00', '007', '42', '999999999999999', '1000000000000000', '9007199254740993', '123456789012345678901234', '-42', '+42', '-0',
    ];
    for (const s of texts) {
      expect(p(s)).toBe(Number(s));
    }
  });

  it('rejects what statsite would half-read', () => {
    const texts = [
      '', '12abc', '0x10', '.', '-', '+', 'NaN', 'Infinity', '1e', '1e+', '1..2', ' 1', '1 ', '1e999', '1/', '1:', '12345678901234x',
    ];
    for (const s of texts) {
      expect(p(s)).toBeNaN();
    }
  });

  it('drops a number with an exponent that underflows, as statsite does (strtod sets ERANGE)', () => {
    for (const s of ['1.964393875E-314', '1e-310', '4.9e-324', '-1e-310', '1e-400', '2.2250738585072011e-308']) {
      expect(p(s)).toBeNaN();
    }
  });

  it('keeps DBL_MIN, zero with an exponent and a long fraction without one, as statsite does', () => {
    expect(p('2.2250738585072014e-308')).toBe(2 ** -1022);
    expect(p('-2.2250738585072014E-308')).toBe(-(2 ** -1022));
    expect(p('0e-5')).toBe(0);
    expect(p('0.0e-400')).toBe(0);
    const longFraction = '0.' + '0'.repeat(330) + '1';
    expect(p(longFraction)).toBe(Number(longFraction));
    expect(p('1.5e-300')).toBe(1.5e-300);
  });
});
