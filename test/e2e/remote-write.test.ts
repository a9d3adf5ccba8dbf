// The remote-write sink against real receivers — Prometheus (--web.enable-remote-write-receiver)
// and VictoriaMetrics — read back through each one's HTTP query API, as Grafana would. The same
// StatsD traffic and the same checks run against both. VictoriaMetrics also takes the Graphite
// sink's plaintext and serves it through its Graphite metrics API.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { sendUdp } from '../helpers/clients.js';
import { describeIfInstalled } from '../helpers/external-tools.js';
import { PROMETHEUS, startPrometheus, type InstantSample, type Prometheus } from '../helpers/prometheus.js';
import { startServer, stopAllServers, type ServerProcess } from '../helpers/server.js';
import { startVictoriaMetrics, VICTORIA_METRICS, type VictoriaMetrics } from '../helpers/victoria-metrics.js';

/** The one value of an instant query, or undefined while it has none (or several). */
const only = (samples: InstantSample[]) => (samples.length === 1 ? samples[0].value : undefined);

interface Receiver {
  query(expr: string): Promise<InstantSample[]>;
  waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
}

/** The checks both receivers must pass; `server` writes to `receiver` and prints flushes on stdout. */
function remoteWriteCases(ctx: () => { server: ServerProcess; receiver: Receiver }): void {
  const valueOf = async (expr: string) => only(await ctx().receiver.query(expr));

  it('stores counters as cumulative _total series that add up across flushes', async () => {
    const { server, receiver } = ctx();
    await sendUdp(server.port!, 'rw.hits:3|c|#env:prod\nrw.hits:0|c|#env:dev');
    await receiver.waitFor(async () => (await valueOf('rw_hits_total{env="prod"}')) === 3);
    await sendUdp(server.port!, 'rw.hits:4|c|#env:prod');
    await receiver.waitFor(async () => (await valueOf('rw_hits_total{env="prod"}')) === 7);
    expect(await valueOf('rw_hits_total{env="dev"}')).toBe(0);
  }, 60_000);

  it('stores timers as summaries: the flushed quantiles, cumulative _sum and _count', async () => {
    const { server, receiver } = ctx();
    await sendUdp(server.port!, [10, 20, 30, 40].map((v) => `rw.latency:${v}|ms`).join('\n'));
    await receiver.waitFor(async () => (await valueOf('rw_latency_count')) === 4);
    expect(await valueOf('rw_latency_sum')).toBe(100);
    // The interval's quantiles are the ones statsite-ts printed for that flush; the flushes after
    // it have no samples and write NaN, which max_over_time skips.
    const printed = await server.waitForKey('timers.rw.latency.median');
    const p99 = await server.waitForKey('timers.rw.latency.p99');
    expect(await valueOf('max_over_time(rw_latency{quantile="0.5"}[5m])')).toBe(Number(printed.value));
    expect(await valueOf('max_over_time(rw_latency{quantile="0.99"}[5m])')).toBe(Number(p99.value));
    const quantiles = (await receiver.query('rw_latency')).map((s) => s.metric.quantile).sort();
    expect(quantiles).toEqual(['0.5', '0.9', '0.99']);
  }, 60_000);

  it('stores gauges and set sizes', async () => {
    const { server, receiver } = ctx();
    await sendUdp(server.port!, 'rw.queue:7|g|#host:a\nrw.users:alice|s\nrw.users:bob|s\nrw.users:alice|s');
    await receiver.waitFor(async () => (await valueOf('rw_queue{host="a"}')) === 7);
    // A set's size belongs to its interval (0 in the flushes after it), as in a scrape.
    await receiver.waitFor(async () => (await valueOf('max_over_time(rw_users[5m])')) === 2);
  }, 60_000);

  it('was never refused: every request was a valid WriteRequest', () => {
    expect(ctx().server.stderr).not.toMatch(/refused|unavailable|dropped/);
  });
}

describeIfInstalled([PROMETHEUS], 'remote-write sink into a real Prometheus', () => {
  let prometheus: Prometheus;
  let server: ServerProcess;

  beforeAll(async () => {
    prometheus = await startPrometheus({ remoteWriteReceiver: true });
    server = await startServer({
      args: ['--flush-interval', '1', '--sink', 'stdout', '--sink', `remote-write+${prometheus.url}/api/v1/write`],
    });
  }, 60_000);

  afterAll(async () => {
    await stopAllServers();
    await prometheus?.stop();
  }, 30_000);

  remoteWriteCases(() => ({ server, receiver: prometheus }));
});

describeIfInstalled([VICTORIA_METRICS], 'remote-write and Graphite sinks into a real VictoriaMetrics', () => {
  let vm: VictoriaMetrics;
  let server: ServerProcess;

  beforeAll(async () => {
    vm = await startVictoriaMetrics();
    server = await startServer({
      args: [
        '--flush-interval', '1',
        '--sink', 'stdout',
        // No path: the sink writes to /api/v1/write.
        '--sink', `remote-write+${vm.url}`,
        '--sink', `graphite://127.0.0.1:${vm.graphitePort}`,
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await stopAllServers();
    await vm?.stop();
  }, 30_000);

  remoteWriteCases(() => ({ server, receiver: vm }));

  it('takes the Graphite sink’s plaintext and serves the tree through its Graphite API', async () => {
    await sendUdp(server.port!, 'gr.jobs.done:5|c\ngr.jobs.time:12|ms\ngr.jobs.time:30|ms');
    const leaves = await vm.waitFor(async () => {
      const nodes = await vm.find('statsite.timers.gr.jobs.time.*');
      return nodes.length > 0 && nodes.map((n) => n.text);
    });
    expect(leaves).toEqual(expect.arrayContaining(['count', 'lower', 'mean', 'median', 'p95', 'p99', 'upper']));
    expect((await vm.find('statsite.counts.gr.jobs.*')).map((n) => [n.text, n.leaf])).toEqual([['done', 1]]);
    // Values through MetricsQL's Graphite selector, as a Grafana Prometheus data source would ask.
    await vm.waitFor(async () => only(await vm.query('{__graphite__="statsite.counts.gr.jobs.done"}')) === 5);
    expect(only(await vm.query('max_over_time({__graphite__="statsite.timers.gr.jobs.time.upper"}[5m])'))).toBe(30);
  }, 60_000);
});
