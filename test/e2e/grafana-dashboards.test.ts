// Every query of the shipped Grafana dashboards, run against the real back ends after real
// traffic: each Graphite target (variables filled in as Grafana would) renders data from
// graphite-web's /render, each variable's query finds the tree it walks, and each Prometheus
// expression answers samples from /api/v1/query. A renamed self-metric, a wrong node index or
// a typo in a function name fails here.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitForStats } from '../helpers/admin.js';
import { describeIfInstalled } from '../helpers/external-tools.js';
import { fill, loadDashboard, queriesOf } from '../helpers/grafana-dashboard.js';
import { GRAPHITE, startGraphite, type Graphite } from '../helpers/graphite.js';
import { freePort } from '../helpers/ports.js';
import { PROMETHEUS, startPrometheus, type Prometheus } from '../helpers/prometheus.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { tempFiles } from '../helpers/temp-files.js';
import { startTraffic, type Traffic } from '../helpers/traffic.js';

const { file } = tempFiles('statsite-ts-dashboards-');
/** What the test's clients send: a counter, a timer, a gauge under app.api, and a line that is rejected. */
const TRAFFIC = 'app.api.hits:1|c\napp.api.latency:12|ms\napp.api.latency:30|ms\napp.api.queue_depth:7|g\napp.api.broken:1|q\n';

let traffic: Traffic | null = null;

/** A server with self-metrics on, flushing every second to `sinks`, its admin port returned. */
async function startWithSelfMetrics(sinks: string): Promise<{ admin: number; port: number }> {
  const admin = await freePort();
  const config = file(`${admin}.toml`, `[statsite]\nflush_interval = 1\n\n[admin]\nhttp = "127.0.0.1:${admin}"\n\n`
    + `[self_metrics]\nenabled = true\n\n${sinks}`);
  const server = await startServer({ args: ['--config', config] });
  traffic = startTraffic(server.port, TRAFFIC, { maxDatagrams: 4000 });
  await waitForStats(admin, (s) => s['lines.udp'] > 0 && s.flushes > 2, { what: 'traffic flushed' });
  return { admin, port: server.port };
}

async function stopAll(): Promise<void> {
  await traffic?.stop();
  traffic = null;
  await stopAllServers();
}

describeIfInstalled([GRAPHITE], 'the Graphite dashboards against graphite-web', () => {
  let graphite: Graphite;
  beforeAll(async () => {
    graphite = await startGraphite();
    await startWithSelfMetrics(`[[sinks]]\ntype = "graphite"\nhost = "127.0.0.1"\nport = ${graphite.linePort}\n`);
  }, 60_000);
  afterAll(async () => {
    await stopAll();
    await graphite?.stop();
  });

  // `All` for the sinks, and the tree the traffic made for the overview.
  const values = { root: 'statsite', self: 'statsite-ts', sink: '*', source_a: 'app', source_b: 'api' };

  for (const name of ['statsite-ts-graphite.json', 'statsd-overview-graphite.json']) {
    it(`${name}: every panel's target renders data`, async () => {
      for (const q of queriesOf(loadDashboard(name))) {
        const target = fill(q.query, values);
        const series = await graphite.waitFor(async () => {
          const rendered = await graphite.render(target, '-5min');
          return rendered.some((s) => s.datapoints.some(([v]) => v !== null)) && rendered;
        }, 30_000).catch(() => {
          throw new Error(`panel "${q.panel}" ${q.refId}: ${target} renders no data`);
        });
        expect(series.length, target).toBeGreaterThan(0);
      }
    }, 180_000);
  }

  it('the variables walk the tree: sources, then their parts; the sinks by name', async () => {
    const find = async (dashboard: string, variable: string) => {
      const query = loadDashboard(dashboard).templating.list.find((v) => v.name === variable)!.query;
      return (await graphite.find(fill(query, values))).map((n) => n.text);
    };
    expect(await find('statsd-overview-graphite.json', 'source_a')).toContain('app');
    expect(await find('statsd-overview-graphite.json', 'source_b')).toContain('api');
    expect(await find('statsite-ts-graphite.json', 'sink')).toEqual(['graphite']);
  });
});

describeIfInstalled([PROMETHEUS], 'the Prometheus dashboard against Prometheus', () => {
  let prometheus: Prometheus;
  beforeAll(async () => {
    const [scrapePort, deadCarbon] = [await freePort(), await freePort()];
    await startWithSelfMetrics(`[[sinks]]\ntype = "prometheus"\nport = ${scrapePort}\n\n`
      + `[[sinks]]\ntype = "graphite"\nhost = "127.0.0.1"\nport = ${deadCarbon}\nname = "carbon"\n`);
    prometheus = await startPrometheus({ targets: [`127.0.0.1:${scrapePort}`] });
  }, 60_000);
  afterAll(async () => {
    await stopAll();
    await prometheus?.stop();
  });

  it("statsite-ts-prometheus.json: every panel's expression answers samples, for every sink", async () => {
    const dashboard = loadDashboard('statsite-ts-prometheus.json');
    const queries = queriesOf(dashboard);
    // The sink variable as Grafana fills it: the metric names its query lists, through its regex.
    const variable = dashboard.templating.list.find((v) => v.name === 'sink')!;
    const pattern = /^metrics\((.+)\)$/.exec(variable.query)![1];
    const names = await prometheus.waitFor(async () => {
      const found = (await prometheus.query(`{__name__=~"${pattern}"}`)).map((s) => s.metric.__name__);
      return found.length >= 2 && found;
    }, 60_000);
    const regex = new RegExp(variable.regex!.slice(1, -1));
    const sinks = names.map((n) => regex.exec(n)![1]).sort();
    expect(sinks).toEqual(['carbon', 'prometheus']);
    for (const sink of sinks) {
      for (const q of queries) {
        const expr = fill(q.query, { job: 'statsite', sink, __rate_interval: '30s' });
        const samples = await prometheus.waitFor(async () => {
          const answer = await prometheus.query(expr);
          return answer.length > 0 && answer;
        }, 60_000).catch(() => {
          throw new Error(`panel "${q.panel}" ${q.refId}: ${expr} answers nothing`);
        });
        expect(samples.every((s) => Number.isFinite(s.value)), expr).toBe(true);
      }
    }
  }, 240_000);
});
