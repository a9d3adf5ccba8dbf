// The seed workflow against a real Graphite: app clients → statsite-ts → carbon-cache, read back
// through graphite-web as Grafana would; plus carbon outages and carbon_ch placement.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeIfInstalled } from '../helpers/external-tools.js';
import { GRAPHITE, startGraphite, type Graphite } from '../helpers/graphite.js';
import { sendUdp } from '../helpers/clients.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { closeHotShots, hotShots, PYTHON_STATSD, runPythonStatsd } from '../helpers/real-clients.js';
import { sleep } from '../helpers/wait.js';

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

afterEach(() => stopAllServers());

describeIfInstalled([GRAPHITE, PYTHON_STATSD], 'graphite sink with a real carbon-cache and graphite-web', () => {
  let graphite: Graphite;
  beforeAll(async () => {
    graphite = await startGraphite();
  }, 60_000);
  afterAll(() => graphite?.stop(), 30_000);

  it('serves the seed workflow: real clients in, Grafana-style series tree out', async () => {
    const server = await startServer({
      args: ['--flush-interval', '1', '--sink', `graphite://127.0.0.1:${graphite.linePort}`],
    });
    await runPythonStatsd(server.port, [
      "c = statsd.StatsClient('127.0.0.1', port, prefix='source_a')",
      "c.incr('jobs.done', 3)",
      "c.timing('jobs.total', 12.5)",
      "c.gauge('queue.depth', 7)",
      "c.set('users', 'alice')",
      "t = statsd.TCPStatsClient('127.0.0.1', port, prefix='source_a')",
      "t.incr('jobs.done', 2)",
      "t.close()",
    ].join('\n'));
    const hs = hotShots(server.port, { prefix: 'source_b.' });
    hs.increment('jobs.done', 5);
    hs.timing('jobs.total', 20);
    hs.gauge('queue.depth', 9);
    hs.set('users', 'bob');
    hs.increment('tagged.hits', 4, ['env:prod', 'region:eu']);
    await closeHotShots(hs);

    const top = await graphite.waitFor(async () => {
      const names = (await graphite.find('statsite.*')).map((n) => n.text).sort();
      return ['counts', 'gauges', 'sets', 'timers'].every((n) => names.includes(n)) && names;
    }, 20_000);
    expect(top).toEqual(expect.arrayContaining(['counts', 'gauges', 'sets', 'timers']));
    expect((await graphite.find('statsite.timers.*')).map((n) => n.text).sort()).toEqual(['source_a', 'source_b']);
    expect((await graphite.find('statsite.timers.source_a.jobs.total.*')).map((n) => n.text)).toEqual(
      expect.arrayContaining(['count', 'mean', 'p95', 'p99', 'median', 'upper', 'lower']),
    );

    const total = (target: string, want: number) =>
      graphite.waitFor(async () => sum(await graphite.values(target)) === want, 20_000);
    await total('statsite.counts.source_a.jobs.done', 5);
    await total('statsite.counts.source_b.jobs.done', 5);
    await total('statsite.timers.source_a.jobs.total.upper', 12.5);
    await total('statsite.timers.source_b.jobs.total.mean', 20);
    await total('statsite.gauges.source_a.queue.depth', 7);
    await total('statsite.sets.source_b.users', 1);

    // DogStatsD tags become Graphite tagged series, found by tag rather than in the tree.
    const tagged = await graphite.waitFor(async () => {
      const found = await graphite.findSeriesByTag('env=prod');
      return found.length > 0 && found;
    }, 20_000);
    expect(tagged).toEqual(['statsite.counts.source_b.tagged.hits;env=prod;region=eu']);
    await total("seriesByTag('name=statsite.counts.source_b.tagged.hits','env=prod')", 4);
  }, 60_000);

  it('buffers through a carbon outage and delivers every flushed point once carbon is back', async () => {
    const server = await startServer({
      args: ['--flush-interval', '1', '--sink', `graphite://127.0.0.1:${graphite.linePort}`],
    });
    let sent = 0;
    const sendFor = async (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        await sendUdp(server.port, 'outage.n:1|c\n');
        sent++;
        await sleep(100);
      }
    };
    await sendFor(2500);
    await graphite.waitFor(async () => sum(await graphite.values('statsite.counts.outage.n')) > 0, 20_000);
    await graphite.stopCarbon();
    await sendFor(4000); // several flushes while carbon is down
    await server.waitForStderr(/destination unreachable; buffering/);
    await graphite.startCarbon();
    await sendFor(2000);
    await server.waitForStderr(/destination back/);
    const delivered = await graphite.waitFor(async () => {
      const total = sum(await graphite.values('statsite.counts.outage.n'));
      return total === sent && total;
    }, 30_000).catch(async () => sum(await graphite.values('statsite.counts.outage.n')));
    expect(delivered).toBe(sent);
  }, 90_000);
});

describeIfInstalled([GRAPHITE], 'graphite sink with carbon_ch across two carbon-caches', () => {
  let graphite: Graphite;
  beforeAll(async () => {
    graphite = await startGraphite({ caches: 2 });
  }, 60_000);
  afterAll(() => graphite?.stop(), 30_000);

  it("puts each series on exactly one carbon, the one carbon's own ring picks", async () => {
    const [a, b] = graphite.caches;
    const server = await startServer({
      args: [
        '--flush-interval', '1',
        '--sink', `graphite://127.0.0.1:${a.linePort}:${a.instance},127.0.0.1:${b.linePort}:${b.instance}?routing=carbon_ch`,
      ],
    });
    const names = Array.from({ length: 30 }, (_, i) => `hashed.key${i}`);
    await sendUdp(server.port, names.map((n) => `${n}:1|c`).join('\n'));
    const metrics = names.map((n) => `statsite.counts.${n}`);
    await graphite.waitFor(() => {
      const landed = new Set([...a.series(), ...b.series()]);
      return metrics.every((m) => landed.has(m));
    }, 30_000);

    // carbon's placement for the same destinations, from the installed carbon package itself.
    const script = [
      'import json, sys',
      'from carbon.hashing import ConsistentHashRing',
      `ring = ConsistentHashRing([('127.0.0.1', '${a.instance}'), ('127.0.0.1', '${b.instance}')])`,
      'print(json.dumps({m: ring.get_node(m)[1] for m in json.loads(sys.argv[1])}))',
    ].join('\n');
    const env = { ...process.env };
    delete env.PYTHONPATH;
    const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', script, JSON.stringify(metrics)], { env });
    const expected = JSON.parse(stdout) as Record<string, string>;

    const onA = new Set(a.series());
    const onB = new Set(b.series());
    for (const m of metrics) {
      expect(onA.has(m) !== onB.has(m), `${m} must be on exactly one carbon`).toBe(true);
      expect(onA.has(m) ? a.instance : b.instance, m).toBe(expected[m]);
    }
    expect(onA.size).toBeGreaterThan(0);
    expect(onB.size).toBeGreaterThan(0);
  }, 60_000);
});
