import { describe, expect, it } from 'vitest';
import { Bucket } from '../../../src/aggregate/bucket.js';
import { createDefaultSketch } from '../../../src/aggregate/sketch.js';
import { defaultConfig } from '../../../src/config/defaults.js';
import { GRAPHITE_KEYS, sanitizeGraphitePath } from '../../../src/naming/graphite-key.js';
import { renderPoints } from '../../../src/naming/points.js';

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

describe('rendered Graphite keys', () => {
  // renderPoints skips path() for the fields of a clean series; every key must still come out
  // exactly as path() would spell the whole of it.
  it('are spelled as sanitizeGraphitePath spells each whole key, clean series or not', () => {
    const histogram = { prefix: '', min: 0, max: 10, width: 5 };
    const bucket = new Bucket({ histograms: [histogram], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 });
    for (const name of ['api.latency', 'bad name/x', 'trailing.', '.leading', 'a..b', 'ok-name_1', 'x<y']) {
      bucket.timer(name, 3, 1);
      bucket.counter(name, 1, 1);
      bucket.gauge(name, 1, false);
    }
    bucket.timer('tagged\nenv:prod', 1, 1);
    const naming = { ...defaultConfig().naming, extendedCounters: true };
    const rendered: string[] = [];
    const raw: string[] = [];
    const graphiteWriter = { point: (stem: string, field: string, tags: string) => void rendered.push(stem + field + tags) };
    for (const _ of renderPoints(bucket, naming, GRAPHITE_KEYS, graphiteWriter, 'statsite.')) {
      // all slices
    }
    const identity = { path: (p: string) => p, tags: GRAPHITE_KEYS.tags };
    const rawWriter = { point: (stem: string, field: string, tags: string) => void raw.push(stem + field + tags) };
    for (const _ of renderPoints(bucket, naming, identity, rawWriter, 'statsite.')) {
      // all slices
    }
    const spelled = raw.map((key) => {
      const at = key.indexOf(';');
      return at < 0 ? sanitizeGraphitePath(key) : sanitizeGraphitePath(key.slice(0, at)) + key.slice(at);
    });
    expect(rendered).toEqual(spelled);
    expect(rendered).toContain('statsite.timers.api.latency.histogram.bin_lt0.00');
    expect(rendered).toContain('statsite.timers.trailing.sum');
    expect(rendered).toContain('statsite.timers.bad_name-x.p95');
  });
});
