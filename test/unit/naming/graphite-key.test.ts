import { describe, expect, it } from 'vitest';
import { GRAPHITE_KEYS, sanitizeGraphitePath } from '../../../src/naming/graphite-key.js';

describe('Graphite key rules', () => {
  it('leaves clean paths alone', () => {
    expect(sanitizeGraphitePath('statsite.timers.api.latency.p95')).toBe('statsite.timers.api.latency.p95');
  });

  it("applies statsite's rules and removes empty path segments", () => {
    expect(sanitizeGraphitePath('bad key/with space')).toBe('bad_key-with_space');
    expect(sanitizeGraphitePath('.a..b...c.')).toBe('a.b.c');
    expect(sanitizeGraphitePath('émoji💥.x#y')).toBe('moji.xy');
    expect(sanitizeGraphitePath('t.histogram.bin_<0.00')).toBe('t.histogram.bin_lt0.00');
    expect(sanitizeGraphitePath('t.histogram.bin_>100.00')).toBe('t.histogram.bin_gt100.00');
  });

  it("follows Graphite's tag rules", () => {
    expect(GRAPHITE_KEYS.tags('env:prod,route:/a b')).toBe(';env=prod;route=/a_b');
    expect(GRAPHITE_KEYS.tags('bare')).toBe(';bare=true');
    expect(GRAPHITE_KEYS.tags('a=b!:~x;y')).toBe(';ab=xy');
    expect(GRAPHITE_KEYS.tags('k:;')).toBe('');
  });
});
