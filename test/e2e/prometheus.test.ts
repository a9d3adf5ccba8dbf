// The statsd-exporter workflow against a real Prometheus: hot-shots (with tags) → statsite-ts →
// its scrape endpoint → Prometheus, read back through Prometheus's HTTP API as Grafana would,
// with the queries dashboards written for statsd_exporter run (sum(increase(my_counter[1m])),
// rate(my_counter[1m]), the mean in seconds from _sum and _count, a quantile series).
// One statsite-ts serves two endpoints: the defaults (statsd_exporter compat) and openmetrics
// compat with classic histograms in seconds; Prometheus scrapes both every second.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sendThenFlush, waitForMoreFlushes } from '../helpers/admin.js';
import { describeIfInstalled, installed, warnSkipped } from '../helpers/external-tools.js';
import { freePort } from '../helpers/ports.js';
import { PROMETHEUS, PROMTOOL, PROMTOOL_BINARY, startPrometheus, type InstantSample, type Prometheus } from '../helpers/prometheus.js';
import { closeHotShots, hotShots } from '../helpers/real-clients.js';
import { startServer, stopAllServers, type ServerProcess } from '../helpers/server.js';

const run = promisify(execFile);
/** The one value of an instant query, or undefined while it has none (or several). */
const only = (samples: InstantSample[]) => (samples.length === 1 ? samples[0].value : undefined);

describeIfInstalled([PROMETHEUS], 'prometheus sink scraped by a real Prometheus', () => {
  let prometheus: Prometheus;
  let server: ServerProcess;
  let summaries: number;
  let histograms: number;
  let admin: number;

  beforeAll(async () => {
    summaries = await freePort();
    histograms = await freePort();
    admin = await freePort();
    server = await startServer({
      args: [
        '--flush-interval', '1',
        '--admin', `127.0.0.1:${admin}`,
        '--sink', `prometheus://127.0.0.1:${summaries}`,
        '--sink', `prometheus://127.0.0.1:${histograms}?compat=openmetrics&timer_unit=seconds&histogram_buckets=0.01,0.025,0.05`,
      ],
    });
    prometheus = await startPrometheus({ targets: [`127.0.0.1:${summaries}`, `127.0.0.1:${histograms}`] });
    // Both targets scraped and healthy before anything is sent.
    await prometheus.waitFor(async () => (await prometheus.query('up == 1')).length === 2, 30_000);
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await stopAllServers();
  }, 30_000);

  it('keeps a counter sent as 0 at deploy through idle intervals, so increase() sees its first increment', async () => {
    const hs = hotShots(server.port!);
    const selector = `deploy_marker{env="prod",instance="127.0.0.1:${summaries}"}`;
    hs.increment('deploy.marker', 0, 1, ['env:prod']);
    await prometheus.waitFor(async () => only(await prometheus.query(selector)) === 0);
    // Idle for several flush intervals: with ttl 0 (the default) the series stays exposed at 0.
    await waitForMoreFlushes(admin, 4);
    expect(only(await prometheus.query(selector))).toBe(0);
    await sendThenFlush(admin, 1, () => hs.increment('deploy.marker', 1, 1, ['env:prod']));
    await closeHotShots(hs);
    await prometheus.waitFor(async () => only(await prometheus.query(selector)) === 1);
    const [series] = await prometheus.samples(selector);
    const last = series.values.at(-1)![0];
    expect(only(await prometheus.query(`sum(increase(${selector}[1m]))`, last))).toBeCloseTo(1, 9);
  }, 60_000);

  it('gives sum(increase(my_counter[1m])) and rate(my_counter[1m]) exactly what hot-shots sent', async () => {
    const hs = hotShots(server.port!);
    const tags = ['env:prod', 'region:eu'];
    // statsd_exporter's name: no _total added.
    const selector = `my_counter{env="prod",region="eu",instance="127.0.0.1:${summaries}"}`;
    // Seed practice: increment by 0 at deploy, so the series starts at 0 and increase() misses nothing.
    hs.increment('my.counter', 0, 1, tags);
    await prometheus.waitFor(async () => only(await prometheus.query(selector)) === 0);

    let sent = 0;
    for (let i = 1; i <= 5; i++) {
      // Spread over several flushes: each increment in a flush of its own.
      await sendThenFlush(admin, 1, () => hs.increment('my.counter', i, 1, tags));
      sent += i;
    }
    await closeHotShots(hs);
    await prometheus.waitFor(async () => only(await prometheus.query(selector)) === sent);

    // Evaluated at the newest scrape, with the series starting at 0 inside the window, Prometheus
    // has nothing to extrapolate: increase() is exact, and rate() is it per second.
    const [series] = await prometheus.samples(selector);
    const last = series.values.at(-1)![0];
    expect(series.values[0][1]).toBe(0);
    expect(only(await prometheus.query(`sum(increase(${selector}[1m]))`, last))).toBeCloseTo(sent, 9);
    expect(only(await prometheus.query(`rate(${selector}[1m])`, last))).toBeCloseTo(sent / 60, 9);
  }, 60_000);

  it('gives the mean of ms timers in seconds from increase() of _sum and _count, and quantiles over a sliding window', async () => {
    const hs = hotShots(server.port!);
    const at = `env="prod",instance="127.0.0.1:${summaries}"`;
    // Two flushes with the same mean (25 ms): Prometheus extrapolates _sum and _count alike.
    await sendThenFlush(admin, 2, () => {
      hs.timing('my.measurement', 20, ['env:prod']);
      hs.timing('my.measurement', 30, ['env:prod']);
    });
    await prometheus.waitFor(async () => only(await prometheus.query(`my_measurement_count{${at}}`)) === 2);
    await sendThenFlush(admin, 2, () => {
      hs.timing('my.measurement', 10, ['env:prod']);
      hs.timing('my.measurement', 40, ['env:prod']);
    });
    await closeHotShots(hs);
    await prometheus.waitFor(async () => only(await prometheus.query(`my_measurement_count{${at}}`)) === 4);
    await prometheus.waitFor(async () => (await prometheus.samples(`my_measurement_count{${at}}`))[0].values.length >= 6);

    const [series] = await prometheus.samples(`my_measurement_count{${at}}`);
    const last = series.values.at(-1)![0];
    const mean = `sum(increase(my_measurement_sum{${at}}[5m])) / sum(increase(my_measurement_count{${at}}[5m]))`;
    expect(only(await prometheus.query(mean, last))).toBeCloseTo(0.025, 9);
    expect(only(await prometheus.query(`my_measurement_sum{${at}}`))).toBeCloseTo(0.1, 12);
    // The quantile covers the window (all four samples), not the last interval, and outlives idle intervals.
    await waitForMoreFlushes(admin, 3);
    await prometheus.waitFor(async () => only(await prometheus.query(`my_measurement{${at},quantile="0.9"}`)) === 0.04);
    const quantiles = await prometheus.query(`count(my_measurement{${at}}) by (quantile)`);
    expect(quantiles.map((s) => s.metric.quantile).sort()).toEqual(['0.5', '0.9', '0.99']);
  }, 60_000);

  it('gives the same mean from classic histograms in seconds on the openmetrics endpoint', async () => {
    const hs = hotShots(server.port!);
    for (const v of [10, 20, 30, 40]) hs.timing('my.histogram', v, ['env:prod']);
    await closeHotShots(hs);
    await prometheus.waitFor(async () => only(await prometheus.query(`my_histogram_seconds_count{env="prod"}`)) === 4);
    const secondsMean = `my_histogram_seconds_sum{env="prod"} / my_histogram_seconds_count{env="prod"}`;
    expect(only(await prometheus.query(secondsMean))).toBeCloseTo(0.025, 12);
    const buckets = await prometheus.query(`my_histogram_seconds_bucket{env="prod"}`);
    expect(Object.fromEntries(buckets.map((b) => [b.metric.le, b.value]))).toEqual({ '0.01': 1, '0.025': 2, '0.05': 4, '+Inf': 4 });
  }, 60_000);

  it('shows one name sent with two different tag sets as two series, and warns once', async () => {
    const hs = hotShots(server.port!);
    for (let i = 0; i < 3; i++) {
      // Three flushes, each with both tag sets: the warning must still come once.
      await sendThenFlush(admin, 2, () => {
        hs.gauge('my.inconsistent', 1, ['a:x']);
        hs.gauge('my.inconsistent', 2, ['b:y']);
      });
    }
    await closeHotShots(hs);
    const found = await prometheus.waitFor(async () => {
      const s = await prometheus.query(`my_inconsistent{instance="127.0.0.1:${summaries}"}`);
      return s.length === 2 && s;
    });
    const seen = found.map((s) => ({ a: s.metric.a, b: s.metric.b, value: s.value })).sort((x, y) => x.value - y.value);
    expect(seen).toEqual([{ a: 'x', b: undefined, value: 1 }, { a: undefined, b: 'y', value: 2 }]);
    // Both targets stayed healthy: no scrape was refused.
    expect((await prometheus.query('up')).map((s) => s.value)).toEqual([1, 1]);
    // One warning per name and endpoint, not one per flush.
    expect(server.stderr.match(/different tag names/g)).toHaveLength(2);
  }, 60_000);

  it('keeps serving when tags collide with the labels Prometheus reserves (they crash statsd_exporter)', async () => {
    const hs = hotShots(server.port!);
    hs.timing('hostile.timer', 5, ['quantile:x', 'le:y', '__name__:z']);
    hs.increment('hostile.counter', 1, 1, ['__name__:z']);
    await closeHotShots(hs);
    const at = `instance="127.0.0.1:${summaries}"`;
    const found = await prometheus.waitFor(async () => {
      const s = await prometheus.query(`hostile_timer_count{${at}}`);
      return s.length === 1 && s[0];
    });
    expect(found.metric).toMatchObject({
      exported_quantile: 'x', exported_le: 'y', exported___name__: 'z', __name__: 'hostile_timer_count',
    });
    expect(only(await prometheus.query(`hostile_counter{${at},exported___name__="z"}`))).toBe(1);
    expect((await prometheus.query('up')).map((s) => s.value)).toEqual([1, 1]);
  }, 60_000);

  it('serves text that promtool accepts; OpenMetrics only from the openmetrics endpoint', async () => {
    const text = await (await fetch(`http://127.0.0.1:${summaries}/metrics`)).text();
    expect(text).toContain('# TYPE my_counter counter');
    if (installed(PROMTOOL)) {
      // promtool parses with Prometheus's own parser; it also lints names (exit 1 for e.g. a
      // counter called my_counter), which is about the clients' names, not the format.
      const lint = run(PROMTOOL_BINARY, ['check', 'metrics'], { timeout: 10_000 });
      lint.child.stdin!.end(text);
      const report = await lint.then((r) => r.stdout + r.stderr, (err: { stdout: string; stderr: string }) => err.stdout + err.stderr);
      expect(report).not.toMatch(/error while linting|parsing error/);
    } else {
      warnSkipped('the promtool check of the exposition (only the content checks below run)', PROMTOOL);
    }
    const accept = { accept: 'application/openmetrics-text;version=1.0.0' };
    // OpenMetrics would force `_total` onto the exporter's counter names: that endpoint stays 0.0.4.
    const exporterStyle = await fetch(`http://127.0.0.1:${summaries}/metrics`, { headers: accept });
    expect(exporterStyle.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const om = await fetch(`http://127.0.0.1:${histograms}/metrics`, { headers: accept });
    expect(om.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    const body = await om.text();
    expect(body).toContain('# TYPE my_counter counter\n');
    expect(body).toContain('my_counter_total{');
    expect(body.endsWith('# EOF\n')).toBe(true);
  }, 30_000);
});
