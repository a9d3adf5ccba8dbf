import { describe, expect, it } from 'vitest';
import { Bucket } from '../../../src/aggregate/bucket.js';
import { createDefaultSketch } from '../../../src/aggregate/sketch.js';
import { defaultConfig } from '../../../src/config/defaults.js';
import { GRAPHITE_KEYS, sanitizeGraphitePath } from '../../../src/naming/graphite-key.js';
import { renderPoints, type PointWriter } from '../../../src/naming/points.js';

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

/** Collects each point's whole key. */
class KeyList implements PointWriter {
  private head = '';
  private tags = '';
  private readonly fields: string[] = [];
  constructor(private readonly keys: string[]) {}
  field(text: string): number {
    return this.fields.push(text) - 1;
  }
  series(prefix: string, name: string, tags: string): void {
    this.head = prefix + name;
    this.tags = tags;
  }
  point(field: number): void {
    this.keys.push(this.head + this.fields[field] + this.tags);
  }
}

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
    const graphiteWriter = new KeyList(rendered);
    const identity = { path: (p: string) => p, tags: GRAPHITE_KEYS.tags };
    const rawWriter = new KeyList(raw);
    // Output prefixes clean and not: a name is checked alone only after a clean prefix.
    for (const outputPrefix of ['statsite.', 'my stats.', 'dotted..', '']) {
      for (const _ of renderPoints(bucket, naming, GRAPHITE_KEYS, graphiteWriter, outputPrefix)) {
        // all slices
      }
      for (const _ of renderPoints(bucket, naming, identity, rawWriter, outputPrefix)) {
        // all slices
      }
    }
    const spelled = raw.map((key) => {
      const at = key.indexOf(';');
      return at < 0 ? sanitizeGraphitePath(key) : sanitizeGraphitePath(key.slice(0, at)) + key.slice(at);
    });
    expect(rendered).toEqual(spelled);
    expect(rendered).toContain('statsite.timers.api.latency.histogram.bin_lt0.00');
    expect(rendered).toContain('statsite.timers.trailing.sum');
    expect(rendered).toContain('statsite.timers.bad_name-x.p95');
    expect(rendered).toContain('my_stats.timers.api.latency.p95');
  });

  // The KeyStyle rule renderPoints relies on to check a name without its prefix.
  it('leave a clean prefix followed by a clean name clean', () => {
    const alphabet = ['a', 'Z', '9', '_', '-', '.', '..', ' ', '/', '<', 'é'];
    let seed = 7;
    const pick = () => alphabet[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % alphabet.length];
    const word = (n: number) => Array.from({ length: n }, pick).join('');
    const clean = (path: string) => sanitizeGraphitePath(path) === path;
    let checked = 0;
    for (let i = 0; i < 20_000; i++) {
      const prefix = word(i % 5);
      const name = word(1 + (i % 4));
      if (clean(prefix + 'x') && clean(name)) {
        checked++;
        expect(clean(prefix + name), JSON.stringify([prefix, name])).toBe(true);
      }
    }
    expect(checked).toBeGreaterThan(500);
  });
});
