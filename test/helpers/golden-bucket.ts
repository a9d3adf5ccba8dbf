// One interval with every metric type, as a client sends it: the input of the sinks' golden-payload
// tests (test/unit/sinks/<name>/*-golden.test.ts). The lines go through the real parser into a
// real Bucket, so each golden reads as "these StatsD lines came in, this payload goes out", and
// its values can be checked by hand against statsite's semantics (/work/shared/STATSITE.md).
//
// What each golden's numbers come from:
//   api.hits       counter  1/0.3 + 2 = 5.333…; sample count trunc(1/0.3) + 1 = 4
//   api.errors     counter  tagged (canary, env:prod), 1
//   api.latency    timer    12 30 30 55 120: sum 247, sum_sq 19369, mean 49.4, stdev √1791.8,
//                           nearest-rank p50 30, p95 and p99 120; in the `api.` histogram
//                           (0…100 by 25): <0 0, [0,25) 1, [25,50) 2, [50,75) 1, [75,100) 0, ≥100 1
//   db.query       timer    4 and 8 at @0.5: count 4 (Σ 1/rate), sum 12, mean 6 over the raw samples
//   queue.depth    gauge    7 then -2: 5
//   workers.busy   gauge    +3 with no value set: 3, a delta from 0
//   users          set      alice bob alice: 2
//   deploy.version kv       42 then 43: every value of the interval

import { Bucket } from '../../src/aggregate/bucket.js';
import type { HistogramConfig } from '../../src/aggregate/histogram.js';
import { createDefaultSketch } from '../../src/aggregate/sketch.js';
import { defaultConfig } from '../../src/config/defaults.js';
import type { NamingConfig } from '../../src/naming/naming-config.js';
import { LineParser } from '../../src/protocol/parser.js';
import { RejectCounter } from '../../src/protocol/rejects.js';

/** The flush time every golden is rendered at (unix seconds). */
export const GOLDEN_TIMESTAMP = 1700000000;

/** The interval rates are computed over, seconds. */
export const GOLDEN_INTERVAL = 10;

export const GOLDEN_HISTOGRAM: HistogramConfig = { prefix: 'api.', min: 0, max: 100, width: 25 };

export const GOLDEN_LINES = [
  'api.hits:1|c|@0.3',
  'api.hits:2|c',
  'api.errors:1|c|#env:prod,canary',
  'api.latency:12|ms',
  'api.latency:30|ms',
  'api.latency:30|ms',
  'api.latency:55|ms',
  'api.latency:120|ms',
  'db.query:4|ms|@0.5',
  'db.query:8|ms|@0.5',
  'queue.depth:7|g',
  'queue.depth:-2|g',
  'workers.busy:+3|g',
  'users:alice|s',
  'users:bob|s',
  'users:alice|s',
  'deploy.version:42|kv',
  'deploy.version:43|kv',
];

/** statsite's defaults (quantiles 0.5, 0.95, 0.99, every timer field, type prefixes), over GOLDEN_INTERVAL. */
export function goldenNaming(overrides: Partial<NamingConfig> = {}): NamingConfig {
  return { ...defaultConfig().naming, flushInterval: GOLDEN_INTERVAL, ...overrides };
}

/** A bucket holding GOLDEN_LINES (or `lines`), parsed as the server parses them; throws on a rejected line. */
export function goldenBucket(lines: readonly string[] = GOLDEN_LINES): Bucket {
  const bucket = new Bucket({ histograms: [GOLDEN_HISTOGRAM], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 });
  const rejects = new RejectCounter();
  new LineParser(bucket, rejects).parse(Buffer.from(lines.join('\n') + '\n'));
  if (rejects.total > 0) throw new Error(`golden lines rejected: ${JSON.stringify(Object.fromEntries(rejects.byReason))}`);
  return bucket;
}
