// carbon's schema and aggregation for what the Graphite sinks write: the first retention is the
// flush interval, what adds up is summed (xFilesFactor 0: a sparse counter is not dropped), the
// extremes keep their extremes, and the shipped files are what the command prints for the defaults.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { carbonSchema } from '../../../src/cli/carbon-schema.js';
import { defaultConfig } from '../../../src/config/defaults.js';

/** The aggregation method carbon would pick for a path: the first section whose pattern matches. */
function methodFor(aggregation: string, path: string): string {
  for (const section of aggregation.split('\n\n')) {
    const pattern = /^pattern = (.+)$/m.exec(section)?.[1];
    if (pattern !== undefined && new RegExp(pattern).test(path)) return /^aggregationMethod = (.+)$/m.exec(section)![1];
  }
  return 'carbon default';
}

describe('carbon-schema', () => {
  it('sums what adds up, keeps extremes and averages the rest, first match as carbon reads it', () => {
    const { aggregation } = carbonSchema(defaultConfig());
    const expected: Array<[string, string]> = [
      ['statsite.counts.api.hits', 'sum'],
      ['statsite.counts.api.hits.count', 'sum'],
      ['statsite.counts.api.hits.rate', 'average'],
      ['statsite.timers.api.latency.count', 'sum'],
      ['statsite.timers.api.latency.sum', 'sum'],
      ['statsite.timers.api.latency.sum_sq', 'sum'],
      ['statsite.timers.api.latency.histogram.bin_25.00', 'sum'],
      ['statsite.timers.api.latency.upper', 'max'],
      ['statsite.timers.api.latency.lower', 'min'],
      ['statsite.timers.api.latency.mean', 'average'],
      ['statsite.timers.api.latency.p95', 'average'],
      ['statsite.timers.api.latency.rate', 'average'],
      ['statsite.timers.api.latency.sample_rate', 'average'],
      ['statsite.sets.users', 'max'],
      ['statsite.gauges.queue.depth', 'average'],
      ['carbon.agents.x.cpuUsage', 'carbon default'],
    ];
    expect(expected.map(([path]) => [path, methodFor(aggregation, path)])).toEqual(expected);
    expect(aggregation.match(/xFilesFactor = 0$/gm)).toHaveLength(aggregation.match(/^\[/gm)!.length);
  });

  it('starts the retentions at the flush interval and follows the configured prefixes', () => {
    const config = defaultConfig();
    config.naming.flushInterval = 5;
    config.naming.globalPrefix = 'app.';
    config.sinks = ['graphite://127.0.0.1:2003?prefix=stats.'];
    const { schemas, aggregation } = carbonSchema(config);
    expect(schemas).toMatch(/^pattern = \^stats\\\.$/m);
    expect(schemas).toMatch(/^retentions = 5s:1d,30s:30d,1800s:5y$/m);
    expect(methodFor(aggregation, 'stats.app.counts.x')).toBe('sum');
    expect(methodFor(aggregation, 'stats.app.timers.x.upper')).toBe('max');
  });

  it('ships in packaging/carbon what it prints for the defaults', () => {
    const { schemas, aggregation } = carbonSchema(defaultConfig());
    const shipped = (file: string) => readFileSync(new URL(`../../../packaging/carbon/${file}`, import.meta.url), 'utf8');
    expect(shipped('storage-schemas.conf')).toBe(schemas);
    expect(shipped('storage-aggregation.conf')).toBe(aggregation);
  });
});
