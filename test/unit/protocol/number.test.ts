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
});
