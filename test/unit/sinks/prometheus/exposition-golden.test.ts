// The Prometheus sink's exposition, byte for byte, in both formats of openmetrics compat and in
// statsd_exporter compat (the default): the golden interval
// (test/helpers/golden-bucket.ts) flushed into a real PrometheusSink and scraped over loopback.
// Counters are cumulative (one flush here, so the interval's sums); timers are summaries whose
// _sum is scaled by the sample rate like _count (db.query: 4 events of mean 6), quantiles are the
// sink's defaults (0.5, 0.9, 0.99); sets and kv are gauges (a kv shows its newest value).

import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePrometheusSpec } from '../../../../src/sinks/prometheus/prometheus-options.js';
import { PrometheusSink } from '../../../../src/sinks/prometheus/prometheus-sink.js';
import { goldenBucket, GOLDEN_TIMESTAMP } from '../../../helpers/golden-bucket.js';
import { freePort } from '../../../helpers/ports.js';
import { waitFor } from '../../../helpers/wait.js';

let sink: PrometheusSink | null = null;
afterEach(async () => {
  await sink?.close();
  sink = null;
});

/** The exposition of the golden interval, as a scraper asking with `accept` gets it from a sink with `query`. */
async function scrape(accept: string, query = '?compat=openmetrics'): Promise<string> {
  const port = await freePort();
  sink = new PrometheusSink(parsePrometheusSpec(`prometheus://127.0.0.1:${port}${query}`), pino({ level: 'silent' }));
  const get = () => fetch(`http://127.0.0.1:${port}/metrics`, { headers: { accept }, signal: AbortSignal.timeout(5000) });
  await waitFor(async () => (await get().catch(() => null))?.ok, { timeoutMs: 5000, what: 'the scrape endpoint' });
  await sink.flush(goldenBucket(), GOLDEN_TIMESTAMP);
  return (await get()).text();
}

/** Every family but the counters, the same in both formats. */
const NON_COUNTERS = `\
# HELP api_latency StatsD timer api.latency; quantiles over the last flush interval
# TYPE api_latency summary
api_latency{quantile="0.5"} 30
api_latency{quantile="0.9"} 120
api_latency{quantile="0.99"} 120
api_latency_sum 247
api_latency_count 5
# HELP db_query StatsD timer db.query; quantiles over the last flush interval
# TYPE db_query summary
db_query{quantile="0.5"} 4
db_query{quantile="0.9"} 8
db_query{quantile="0.99"} 8
db_query_sum 24
db_query_count 4
# HELP queue_depth StatsD gauge queue.depth
# TYPE queue_depth gauge
queue_depth 5
# HELP workers_busy StatsD gauge workers.busy
# TYPE workers_busy gauge
workers_busy 3
# HELP users StatsD set users: distinct members in the last flush interval
# TYPE users gauge
users 2
# HELP deploy_version StatsD gauge deploy.version
# TYPE deploy_version gauge
deploy_version 43
`;

describe('Prometheus exposition of the golden interval', () => {
  it('is this text (0.0.4): counter families named with _total', async () => {
    expect(await scrape('text/plain;version=0.0.4')).toBe(`\
# HELP api_hits_total StatsD counter api.hits
# TYPE api_hits_total counter
api_hits_total 5.333333333333334
# HELP api_errors_total StatsD counter api.errors
# TYPE api_errors_total counter
api_errors_total{canary="true",env="prod"} 1
${NON_COUNTERS}`);
  });

  it('is this OpenMetrics: counter families without _total, their samples with it, # EOF last', async () => {
    expect(await scrape('application/openmetrics-text;version=1.0.0')).toBe(`\
# HELP api_hits StatsD counter api.hits
# TYPE api_hits counter
api_hits_total 5.333333333333334
# HELP api_errors StatsD counter api.errors
# TYPE api_errors counter
api_errors_total{canary="true",env="prod"} 1
${NON_COUNTERS}# EOF
`);
  });

  it('is this text in statsd_exporter compat (the default), whatever the scraper asks for', async () => {
    const text = await scrape('application/openmetrics-text;version=1.0.0', '');
    // Without a server around it the sink's operational series count only its own events.
    expect(text.slice(0, text.indexOf('# HELP statsite_ts_'))).toBe(GOLDEN_EXPORTER);
    expect(text).toContain('statsite_ts_events_total{type="counter"} 5\n');
    expect(text).toContain('statsite_ts_events_total{type="observer"} 9\n');
    expect(text).toContain('statsite_ts_tag_errors_total 1\n');
  });
});

/** Counters without _total, ms in seconds, quantiles over the window, the bare tag left out (a tag error). */
const GOLDEN_EXPORTER = `\
# HELP api_hits StatsD counter api.hits
# TYPE api_hits counter
api_hits 5.333333333333334
# HELP api_errors StatsD counter api.errors
# TYPE api_errors counter
api_errors{env="prod"} 1
# HELP api_latency StatsD timer api.latency
# TYPE api_latency summary
api_latency{quantile="0.5"} 0.03
api_latency{quantile="0.9"} 0.12
api_latency{quantile="0.99"} 0.12
api_latency_sum 0.247
api_latency_count 5
# HELP db_query StatsD timer db.query
# TYPE db_query summary
db_query{quantile="0.5"} 0.004
db_query{quantile="0.9"} 0.008
db_query{quantile="0.99"} 0.008
db_query_sum 0.024
db_query_count 4
# HELP queue_depth StatsD gauge queue.depth
# TYPE queue_depth gauge
queue_depth 5
# HELP workers_busy StatsD gauge workers.busy
# TYPE workers_busy gauge
workers_busy 3
# HELP users StatsD set users
# TYPE users gauge
users 2
# HELP deploy_version StatsD kv deploy.version
# TYPE deploy_version gauge
deploy_version 43
`;

