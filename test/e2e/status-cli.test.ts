// `statsite-ts status` against a live server: its exit code is what a script or a monitoring
// check reads (0 ready, 1 answers but not ready, 2 unreachable or no admin address), and its
// screen shows the same facts as the status page, client text escaped, colours only on a terminal.

import { afterEach, expect, it } from 'vitest';
import { getJson, waitForStats } from '../helpers/admin.js';
import { answersOk } from '../helpers/child-process.js';
import { freePort } from '../helpers/ports.js';
import { runCli, startServer, stopAllServers } from '../helpers/server.js';
import { tempFiles } from '../helpers/temp-files.js';
import { startTraffic } from '../helpers/traffic.js';
import { waitFor } from '../helpers/wait.js';

afterEach(() => stopAllServers());

const { file } = tempFiles('statsite-ts-status-cli-');

it('exits 0 and shows the server when it is ready; finds the admin address in the config file', async () => {
  const admin = await freePort();
  const config = file('ready.toml', `[statsite]\nflush_interval = 1\nbind_address = "127.0.0.1"\nport = ${await freePort()}\n\n`
    + `[admin]\nhttp = "127.0.0.1:${admin}"\n\n[[sinks]]\ntype = "stdout"\nname = "console"\n`);
  await startServer({ args: ['--config', config], bind: false, port: false, waitForTcp: false });
  await waitFor(() => answersOk(`http://127.0.0.1:${admin}/health`), { what: 'the admin endpoint' });
  await waitForStats(admin, (s) => s.flushes >= 2, { what: 'two flushes' });
  for (const args of [['status', '--config', config], ['status', '--admin', `127.0.0.1:${admin}`]]) {
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^statsite-ts \S+ {2}READY {2}up /);
    expect(r.stdout).toMatch(/\n {11}console +up +/);
    expect(r.stdout).toContain(`config ${config}`);
    expect(r.stdout).not.toContain('\x1b['); // not a terminal: no colours
  }
}, 30_000);

it('exits 1 while a sink is down, naming it and why; client text is shown escaped', async () => {
  const [admin, carbonPort] = [await freePort(), await freePort()];
  const server = await startServer({
    args: ['--flush-interval', '1', '--admin', String(admin), '--sink', `graphite://127.0.0.1:${carbonPort}?name=carbon`],
  });
  const traffic = startTraffic(server.port, 'ok.hits:1|c\n\x1b[2Jwiped:1|q\n<script>x</script>:1|c\n', { maxDatagrams: 1000 });
  await waitForStats(admin, (s) => s['parse_errors.total'] >= 1 && s.flushes >= 2, { what: 'the lines read and flushed' });
  const r = await runCli(['status', '--admin', String(admin)]);
  await traffic.stop();
  expect(r.code, r.stderr).toBe(1);
  expect(r.stdout).toMatch(/NOT READY/);
  expect(r.stdout).toMatch(new RegExp(`! sink carbon: 127\\.0\\.0\\.1:${carbonPort}: .*ECONNREFUSED`));
  expect(r.stdout).toMatch(/\n {11}carbon +down +/);
  expect(r.stdout).toContain(`graphite://127.0.0.1:${carbonPort}`);
  // The rejected line's escape sequence is shown, not sent to the terminal.
  expect(r.stdout).toContain('\\x1b[2Jwiped:1|q');
  expect(r.stdout).not.toContain('\x1b');
  expect(r.stdout).toContain('<script>x</script> 1');
}, 30_000);

it('exits 2 when the server cannot be reached, or the config names no admin address', async () => {
  const nobody = await freePort();
  const unreachable = await runCli(['status', '--admin', `127.0.0.1:${nobody}`]);
  expect(unreachable.code).toBe(2);
  expect(unreachable.stderr).toMatch(new RegExp(`cannot reach the admin endpoint at http://127\\.0\\.0\\.1:${nobody}: .*ECONNREFUSED`));
  const config = file('no-admin.toml', '[statsite]\nport = 8125\n');
  const noAdmin = await runCli(['status', '--config', config]);
  expect(noAdmin.code).toBe(2);
  expect(noAdmin.stderr).toContain(`${config} sets no admin address ([admin] http)`);
  const neither = await runCli(['status']);
  expect(neither.code).toBe(2);
  expect(neither.stderr).toMatch(/needs --config FILE or --admin HOST:PORT/);
});

it('--watch redraws until stopped', async () => {
  const admin = await freePort();
  await startServer({ args: ['--flush-interval', '1', '--admin', String(admin)] });
  const watch = await startServer({ args: ['status', '--admin', String(admin), '--watch'], bind: false, port: false, waitForTcp: false });
  await watch.waitUntil(() => watch.stdout.split('statsite-ts ').length > 2, { what: 'two screens', timeoutMs: 15_000 });
  expect(watch.stdout).toMatch(/READY/);
  await watch.stop();
}, 30_000);

it('exits 1 while a sink is degraded — delivering, but dropping — though /ready passes', async () => {
  const [admin, scrape] = [await freePort(), await freePort()];
  const server = await startServer({ args: ['--flush-interval', '1', '--admin', String(admin), '--sink', `prometheus://127.0.0.1:${scrape}`] });
  // One name as a counter and as a gauge: the Prometheus sink drops the clashing updates, every interval.
  const traffic = startTraffic(server.port, 'clash.name:1|c\nclash.name:5|g\n', { maxDatagrams: 1000 });
  try {
    const r = await waitFor(async () => {
      const run = await runCli(['status', '--admin', String(admin)]);
      return run.stdout.includes('DEGRADED') && run;
    }, { what: 'the prometheus sink degraded', timeoutMs: 20_000 });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\n {11}prometheus +degraded +/);
    expect(r.stdout).toMatch(/dropped \d+ in the last interval/);
    expect((await getJson(`http://127.0.0.1:${admin}/ready`)).status).toBe(200);
  } finally {
    await traffic.stop();
  }
}, 40_000);
