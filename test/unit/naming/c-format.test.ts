import { describe, expect, it } from 'vitest';
import { formatCount, formatFixed } from '../../../src/naming/c-format.js';

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
  });
});

describe('formatFixed on whole numbers', () => {
  it('prints the exact digits C prints, also past 2^53', () => {
    expect(formatFixed(42)).toBe('42.000000');
    expect(formatFixed(-7, 2)).toBe('-7.00');
    expect(formatFixed(2 ** 53 - 1)).toBe('9007199254740991.000000');
    expect(formatFixed(12345678901234567890)).toBe('12345678901234567168.000000');
  });
});
