import { describe, expect, it } from 'vitest';
import { randomSeed } from '../../../src/util/random-seed.js';

describe('randomSeed', () => {
  it('gives 32-bit integers that differ from call to call', () => {
    const seeds = Array.from({ length: 64 }, () => randomSeed());
    expect(seeds.every((s) => Number.isInteger(s) && s >= -(2 ** 31) && s < 2 ** 31)).toBe(true);
    expect(new Set(seeds).size).toBeGreaterThan(60);
  });
});
