// A Prometheus sink's series registry fed with buckets as the aggregator fills them, and read as
// a scrape would, for the unit tests of both compat schemes:
//
//   registryHarness(options): { registry, warnings, apply(fill, now?), text(format?, now?), samples(format?, now?) }
//   key(name, tags?): the bucket key of a StatsD name with DogStatsD-style tags
//
// apply() takes one flush in and expires what its ttl says, as the sink does after each flush;
// samples() is the exposition's sample lines only, for compact assertions.

import { pino } from 'pino';
import { Bucket } from '../../src/aggregate/bucket.js';
import { createDefaultSketch } from '../../src/aggregate/sketch.js';
import { seriesKey } from '../../src/model/series-key.js';
import { canonicalTags } from '../../src/protocol/tags.js';
import { renderExposition, type ExpositionFormat } from '../../src/sinks/prometheus/exposition.js';
import type { SeriesOptions } from '../../src/sinks/prometheus/prometheus-options.js';
import { SeriesRegistry } from '../../src/sinks/prometheus/series-registry.js';

export const key = (name: string, tags = ''): string => seriesKey(name, canonicalTags(tags));
export const newBucket = (): Bucket => new Bucket({ histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 });

export function registryHarness(options: SeriesOptions) {
  const warnings: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line) as Record<string, unknown>) });
  const registry = new SeriesRegistry(options, log);
  const apply = (fill: (b: Bucket) => void, now = 0) => {
    const bucket = newBucket();
    fill(bucket);
    for (const _ of registry.apply(bucket, now));
    for (const _ of registry.expire(now));
  };
  const text = (format: ExpositionFormat = 'text', now = 0) => [...renderExposition(registry, format, now)].join('');
  const samples = (format: ExpositionFormat = 'text', now = 0) =>
    text(format, now).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  return { registry, warnings, apply, text, samples };
}
