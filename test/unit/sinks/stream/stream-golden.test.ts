// statsite's stream format, `KEY|VALUE|TS\n`, byte for byte: what the stdout and stream-command
// sinks write (both through streamLineBuffers). The golden interval is test/helpers/golden-bucket.ts;
// order, keys and value spelling follow statsite (/work/shared/STATSITE.md "Output").

import { describe, expect, it } from 'vitest';
import type { NamingConfig } from '../../../../src/naming/naming-config.js';
import { streamLineBuffers } from '../../../../src/sinks/stream/stream-lines.js';
import { goldenBucket, goldenNaming, GOLDEN_TIMESTAMP } from '../../../helpers/golden-bucket.js';

async function render(naming: NamingConfig, lines?: readonly string[]): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of streamLineBuffers(goldenBucket(lines), naming, GOLDEN_TIMESTAMP)) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

describe('stream format', () => {
  it('writes the golden interval as these lines: kv (newest first), counters, timers, gauges, sets', async () => {
    expect(await render(goldenNaming())).toBe(`\
kv.deploy.version|43.000000|1700000000
kv.deploy.version|42.000000|1700000000
counts.api.hits|5.333333|1700000000
counts.api.errors;canary=true;env=prod|1.000000|1700000000
timers.api.latency.sum|247.000000|1700000000
timers.api.latency.sum_sq|19369.000000|1700000000
timers.api.latency.mean|49.400000|1700000000
timers.api.latency.lower|12.000000|1700000000
timers.api.latency.upper|120.000000|1700000000
timers.api.latency.count|5|1700000000
timers.api.latency.stdev|42.329659|1700000000
timers.api.latency.median|30.000000|1700000000
timers.api.latency.p50|30.000000|1700000000
timers.api.latency.p95|120.000000|1700000000
timers.api.latency.p99|120.000000|1700000000
timers.api.latency.rate|24.700000|1700000000
timers.api.latency.sample_rate|0.500000|1700000000
timers.api.latency.histogram.bin_<0.00|0|1700000000
timers.api.latency.histogram.bin_0.00|1|1700000000
timers.api.latency.histogram.bin_25.00|2|1700000000
timers.api.latency.histogram.bin_50.00|1|1700000000
timers.api.latency.histogram.bin_75.00|0|1700000000
timers.api.latency.histogram.bin_>100.00|1|1700000000
timers.db.query.sum|12.000000|1700000000
timers.db.query.sum_sq|80.000000|1700000000
timers.db.query.mean|6.000000|1700000000
timers.db.query.lower|4.000000|1700000000
timers.db.query.upper|8.000000|1700000000
timers.db.query.count|4|1700000000
timers.db.query.stdev|2.828427|1700000000
timers.db.query.median|4.000000|1700000000
timers.db.query.p50|4.000000|1700000000
timers.db.query.p95|8.000000|1700000000
timers.db.query.p99|8.000000|1700000000
timers.db.query.rate|1.200000|1700000000
timers.db.query.sample_rate|0.400000|1700000000
gauges.queue.depth|5.000000|1700000000
gauges.workers.busy|3.000000|1700000000
sets.users|2|1700000000
`);
  });

  // The same counter and sampled timer under statsite's naming options.
  const sampled = ['api.hits:1|c|@0.3', 'api.hits:2|c', 'db.query:4|ms|@0.5', 'db.query:8|ms|@0.5'];

  it('prefixes with global_prefix; legacy extended counters print the sample count as an integer', async () => {
    const naming = goldenNaming({ globalPrefix: 'app.', extendedCounters: true, timersInclude: new Set(['count']), quantiles: [] });
    expect(await render(naming, sampled)).toBe(`\
app.counts.api.hits.count|4|1700000000
app.counts.api.hits.rate|0.533333|1700000000
app.timers.db.query.count|4|1700000000
`);
  });

  it('drops type prefixes; non-legacy counts print the sum; quantiles print whatever timers_include says', async () => {
    const naming = goldenNaming({
      useTypePrefix: false, extendedCounters: true, legacyExtendedCounters: false,
      timersInclude: new Set(['count', 'median']), quantiles: [0.5, 0.999],
    });
    expect(await render(naming, sampled)).toBe(`\
api.hits.count|5.333333|1700000000
api.hits.rate|0.533333|1700000000
db.query.count|4|1700000000
db.query.median|4.000000|1700000000
db.query.p50|4.000000|1700000000
db.query.p100|8.000000|1700000000
`);
  });
});
