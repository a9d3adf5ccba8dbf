import { describe, expect, it } from 'vitest';
import { Bucket } from '../../../src/aggregate/bucket.js';
import { createDefaultSketch } from '../../../src/aggregate/sketch.js';
import { defaultConfig } from '../../../src/config/defaults.js';
import { STREAM_KEYS } from '../../../src/naming/key-style.js';
import { formatCount, formatFixed } from '../../../src/naming/c-format.js';
import { renderPoints, type PointWriter, type ValueFormat } from '../../../src/naming/points.js';
import { LineBytes } from '../../../src/naming/line-bytes.js';

/** The same lines built as strings: what LineBytes must produce byte for byte. */
class LineStrings implements PointWriter {
  text = '';
  private head = '';
  private tags = '';
  private readonly fields: string[] = [];
  field(text: string): number {
    return this.fields.push(text) - 1;
  }
  series(prefix: string, name: string, tags: string): void {
    this.head = prefix + name;
    this.tags = tags;
  }
  point(field: number, value: number, format: ValueFormat): void {
    const text = format === 'fixed' ? formatFixed(value) : formatCount(value);
    this.text += this.head + this.fields[field] + this.tags + '|' + text + '|1700000000\n';
  }
}

/** Passes each point to both writers, taking LineBytes' chunk every few points. */
class Both implements PointWriter {
  readonly chunks: Buffer[] = [];
  private points = 0;
  constructor(
    readonly bytes: LineBytes,
    readonly strings: LineStrings,
    private readonly takeEvery: number,
    private readonly copy = false,
  ) {}
  field(text: string): number {
    const id = this.bytes.field(text);
    expect(this.strings.field(text)).toBe(id);
    return id;
  }
  series(prefix: string, name: string, tags: string): void {
    this.bytes.series(prefix, name, tags);
    this.strings.series(prefix, name, tags);
  }
  point(field: number, value: number, format: ValueFormat): void {
    this.bytes.point(field, value, format);
    this.strings.point(field, value, format);
    if (++this.points % this.takeEvery === 0) this.chunks.push(this.copy ? this.bytes.takeCopy() : this.bytes.take());
  }
}

function sampleBucket(extraSeries = 0): Bucket {
  const histograms = [{ prefix: 'h', min: 0, max: 100, width: 25 }];
  const bucket = new Bucket({ histograms, setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 });
  const names = ['api.latency', 'café.requêtes', 'emoji.🚀.launch', 'h.sized', 'x'.repeat(3000), 'tagged\nenv:prod,région:eu'];
  names.forEach((name, i) => {
    for (let s = 0; s <= i * 40; s++) bucket.timer(name, (s * 7.3) % 97, s % 3 === 0 ? 0.5 : 1);
    bucket.counter(name, i + 0.25, 1);
    bucket.gauge(name, -i * 1e12 - 0.5, false);
    bucket.kv(name, 1e300);
    bucket.set(name, `m${i}`);
  });
  bucket.gauge('nan.gauge', NaN, false);
  for (let i = 0; i < extraSeries; i++) bucket.timer(`many.série.${i}`, i / 7, 1);
  return bucket;
}

describe('LineBytes', () => {
  // 30k more series write ~20 MB: lines pending at the end of a slab move to the next one.
  // takeCopy() writes the slab over again; mixed with take() it must not overwrite a view.
  const cases: [number, number, boolean][] = [
    [1, 0, false], [7, 0, false], [1_000_000, 0, false], [997, 30_000, false], [1_000_000, 30_000, false],
    [7, 0, true], [997, 30_000, true],
  ];
  for (const [takeEvery, extraSeries, copy] of cases) {
    const chunking = `${copy ? 'copying' : 'taking'} a chunk every ${takeEvery} points`;
    it(`writes the UTF-8 of the lines a string writer builds (${chunking}, ${extraSeries} more series)`, () => {
      const both = new Both(new LineBytes('|', '|1700000000\n'), new LineStrings(), takeEvery, copy);
      for (const _ of renderPoints(sampleBucket(extraSeries), { ...defaultConfig().naming, extendedCounters: true }, STREAM_KEYS, both)) {
        // all slices
      }
      both.chunks.push(both.bytes.take());
      expect(both.bytes.lines).toBe(0);
      both.chunks.push(both.bytes.takeCopy()); // empty, after a view
      const text = Buffer.concat(both.chunks).toString('utf8');
      expect(text).toBe(both.strings.text);
      expect(text).toContain('timers.café.requêtes.p95|');
      expect(text).toContain('timers.emoji.🚀.launch.sum|');
      expect(text).toContain('gauges.tagged;env=prod;région=eu|-5000000000000.500000|1700000000\n');
    });
  }

  it('copies stems and suffixes of every length byte for byte (four bytes a store, then the rest)', () => {
    for (let suffixLength = 1; suffixLength <= 9; suffixLength++) {
      const suffix = '7'.repeat(suffixLength - 1) + '\n';
      const out = new LineBytes(' ', suffix);
      let expected = '';
      for (let stemLength = 1; stemLength <= 9; stemLength++) {
        const stem = 'abcdefghi'.slice(0, stemLength);
        out.series('', stem, '');
        for (const field of ['.sum', '.p95', '']) {
          out.point(out.field(field), stemLength, 'count');
          expected += `${stem}${field} ${stemLength}${suffix}`;
        }
      }
      expect(out.takeCopy().toString()).toBe(expected);
    }
  });

  it('never writes over a view it handed out, and reuses its slab when it only handed out copies', () => {
    const out = new LineBytes(' ', ' 1\n');
    const [sum, max, none] = ['.sum', '.max', ''].map((field) => out.field(field));
    out.series('a.', 'b', '');
    out.point(sum, 1, 'fixed');
    const view = out.take();
    out.point(max, 2, 'fixed');
    const copy = out.takeCopy();
    out.series('c.', 'd', '');
    out.point(none, 3, 'count');
    expect(view.toString()).toBe('a.b.sum 1.000000 1\n');
    expect(copy.toString()).toBe('a.b.max 2.000000 1\n');
    expect(out.takeCopy().toString()).toBe('c.d 3 1\n');

    const reused = new LineBytes(' ', ' 1\n');
    reused.series('x.', 'y', '');
    reused.point(reused.field('.sum'), 1, 'fixed');
    const first = reused.takeCopy();
    reused.point(reused.field('.max'), 2, 'fixed'); // the stem's old bytes were written over
    expect([first.toString(), reused.takeCopy().toString()]).toEqual(['x.y.sum 1.000000 1\n', 'x.y.max 2.000000 1\n']);
  });
});
