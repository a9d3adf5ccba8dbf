// A metrics host under systemd, end to end: a real systemd booted as PID 1 of private namespaces
// (helpers/systemd.ts), the README's "Install on a metrics host" steps run inside it line by line,
// a real carbon-cache and graphite-web with the schema and aggregation `carbon-schema` writes, and
// python's `statsd` clients over UDP and TCP. What is sent across a restart, a reload and an upgrade reads
// back from graphite-web exactly (nothing overwritten in a carbon slot, no datagram lost while
// restarting); a carbon outage fails /ready and loses nothing; a broken config fails the reload and
// the old one keeps serving, and at start stops the unit after one try with the reason at priority
// err; journal lines carry their priorities. Nothing is left on the host.
//
// Alone: `npx vitest run test/e2e/systemd.test.ts` (as root, after `npm run build`; about a minute).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { health, waitForMoreFlushes } from '../helpers/admin.js';
import { describeIfInstalled } from '../helpers/external-tools.js';
import { GRAPHITE, startGraphite, type Graphite } from '../helpers/graphite.js';
import { NPM_ENV, PACKAGE, packTarball } from '../helpers/package.js';
import { freePort } from '../helpers/ports.js';
import { PYTHON_STATSD, runPythonStatsd } from '../helpers/real-clients.js';
import { REPO_ROOT, runCli } from '../helpers/server.js';
import { SYSTEMD, SystemdSandbox, type JournalEntry } from '../helpers/systemd.js';
import { tempFiles } from '../helpers/temp-files.js';
import { waitFor } from '../helpers/wait.js';

const INTERVAL_S = 2;
/** Flushes while carbon is down. */
const OUTAGE_FLUSHES = 5;
/** Samples per client per batch. */
const PER_BATCH = 40;
const files = tempFiles('statsite-ts-systemd-');
let sandbox: SystemdSandbox | null = null;
let graphite: Graphite | null = null;

afterAll(async () => {
  await sandbox?.shutdown();
  await graphite?.stop();
});

/** The README's install block: its lines after "On the metrics host", up to the log tail. */
function readmeSteps(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('## Install on a metrics host')))![1].split('\n');
  const steps = block.slice(block.findIndex((l) => l.startsWith('# On the metrics host')) + 1);
  return steps
    .slice(0, steps.findIndex((l) => l.startsWith('journalctl -u statsite-ts -f')))
    .map((l) => l.replace(/\s+#.*$/, '').replaceAll('VERSION', PACKAGE.version))
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** The operator's edit of the shipped config: this test's ports, and a short interval. */
function edits(ports: { statsd: number; carbon: number; admin: number }): [RegExp, string][] {
  return [
    [/^port = 8125$/m, `port = ${ports.statsd}`],
    [/^udp_port = 8125$/m, `udp_port = ${ports.statsd}`],
    [/^port = 2003$/m, `port = ${ports.carbon}`],
    [/127\.0\.0\.1:8127/, `127.0.0.1:${ports.admin}`],
    [/^flush_interval = 10$/m, `flush_interval = ${INTERVAL_S}`],
  ];
}

/** carbon's schema and aggregation for that config, as `carbon-schema --output` writes them. */
async function carbonSchemaFor(config: string): Promise<{ schemas: string; aggregation: string }> {
  const r = await runCli(['carbon-schema', '--config', files.file('schema.toml', config), '--output', files.dir]);
  if (r.code !== 0) throw new Error(r.stderr);
  const read = (name: string) => readFileSync(join(files.dir, name), 'utf8');
  return { schemas: read('storage-schemas.conf'), aggregation: read('storage-aggregation.conf') };
}

/** What was sent, per series. */
const sent = { udp: 0, tcp: 0, timings: 0 };

/** PER_BATCH increments and timings over UDP, paced over about a second; with `tcp`, as many increments over a new TCP connection. */
async function batch(port: number, tcp: boolean): Promise<void> {
  await runPythonStatsd(port, [
    'import time',
    "udp = statsd.StatsClient('127.0.0.1', port)",
    `for i in range(${PER_BATCH}):`,
    "    udp.incr('e2e.udp')",
    "    udp.timing('e2e.timer', i)",
    `    time.sleep(${1 / PER_BATCH})`,
    ...(tcp ? ["tcp = statsd.TCPStatsClient('127.0.0.1', port)", `for i in range(${PER_BATCH}):`, "    tcp.incr('e2e.tcp')", 'tcp.close()']
      : []),
  ].join('\n'));
  sent.udp += PER_BATCH;
  sent.timings += PER_BATCH;
  if (tcp) sent.tcp += PER_BATCH;
}

async function stored(): Promise<typeof sent> {
  const total = async (target: string) => (await graphite!.values(target, '-15min')).reduce((a, b) => a + b, 0);
  return {
    udp: await total('statsite.counts.e2e.udp'),
    tcp: await total('statsite.counts.e2e.tcp'),
    timings: await total('statsite.timers.e2e.timer.count'),
  };
}

/** Waits until Graphite holds exactly what was sent (more would be counted twice, less lost or overwritten). */
async function allStored(stage: string): Promise<void> {
  let last: typeof sent | null = null;
  await waitFor(async () => {
    last = await stored();
    return last.udp === sent.udp && last.tcp === sent.tcp && last.timings === sent.timings;
  }, {
    timeoutMs: 60_000, intervalMs: 500, what: `Graphite to hold what was sent ${stage}`,
    detail: () => `sent ${JSON.stringify(sent)}, stored ${JSON.stringify(last)}`,
  });
}

const byMessage = (entries: JournalEntry[], pattern: RegExp) => entries.filter((e) => pattern.test(String(e.MESSAGE)));

describeIfInstalled([SYSTEMD, GRAPHITE, PYTHON_STATSD], 'a metrics host under systemd as PID 1', () => {
  const root = process.getuid?.() === 0;
  if (!root) console.warn('\n!!!!!!!! SKIPPING the systemd e2e: it must run as root (unshare, mounts).\n');

  it.skipIf(!root)('installs as the README says, restarts, reloads and upgrades without losing or overwriting a count', async () => {
    const hostHadRunMount = existsSync('/run/mount');
    const ports = { statsd: await freePort(), carbon: 0, admin: await freePort() };
    const shipped = readFileSync(join(REPO_ROOT, 'packaging', 'metrics-host.toml'), 'utf8');
    // carbon's port is not known yet, and does not change the schema.
    const edited = edits({ ...ports, carbon: 2003 }).reduce((text, [from, to]) => text.replace(from, to), shipped);
    graphite = await startGraphite({ schema: await carbonSchemaFor(edited) });
    ports.carbon = graphite.linePort;
    await packTarball(files.dir);
    sandbox = await SystemdSandbox.boot(files.dir);

    // The README's lines, as root in the sandbox, with the operator's edit after the copy.
    const sed = edits(ports).map(([from, to]) => `-e 's/${from.source.replace(/\//g, '\\/')}/${to}/'`).join(' ');
    const steps = readmeSteps().flatMap((line) => (line.startsWith('cp ') ? [line, `sed -i ${sed} /etc/statsite-ts/config.toml`] : [line]));
    expect(steps.some((l) => l.startsWith('npm install --global --prefix /opt/statsite-ts'))).toBe(true);
    await sandbox.must(['set -e', `cd ${files.dir}`, ...steps].join('\n'), NPM_ENV);
    expect((await sandbox.run('systemctl is-active statsite-ts.socket statsite-ts.service')).stdout).toBe('active\nactive\n');
    await waitFor(async () => (await health(ports.admin)).status === 200, { what: 'the service to answer /health' });
    // The unit's environment reaches the server (glibc reads it at the start only).
    const environ = await sandbox.must('tr "\\0" "\\n" < /proc/$(systemctl show -p MainPID --value statsite-ts)/environ');
    expect(environ.split('\n')).toContain('MALLOC_ARENA_MAX=2');

    // Across a restart, a reload, and the README's upgrade (install over, units again, restart) with
    // UDP traffic during it.
    await batch(ports.statsd, true);
    await sandbox.must('systemctl restart statsite-ts');
    await batch(ports.statsd, true);
    await sandbox.must('systemctl reload statsite-ts');
    await batch(ports.statsd, true);
    const config = await sandbox.must('cat /etc/statsite-ts/config.toml');
    const upgrade = [
      'set -e', `cd ${files.dir}`, `npm install --global --prefix /opt/statsite-ts ./${PACKAGE.name}-${PACKAGE.version}.tgz`,
      '/opt/statsite-ts/bin/statsite-ts unit --config /etc/statsite-ts/config.toml --output /etc/systemd/system',
      'systemctl daemon-reload && systemctl restart statsite-ts',
    ].join('\n');
    await Promise.all([batch(ports.statsd, false), sandbox.must(upgrade, NPM_ENV)]);
    expect(await sandbox.must('cat /etc/statsite-ts/config.toml')).toBe(config);
    await batch(ports.statsd, true);
    await allStored('across the restarts, the reload and the upgrade');
    const journal = await sandbox.journal('statsite-ts');
    expect(byMessage(journal, /^handed the unfinished interval over to the next start/)).toHaveLength(2);
    expect(byMessage(journal, /^took over the stopped process's interval/)).toHaveLength(2);

    // Carbon down: /ready names the sink within an interval or two, and nothing is lost.
    await graphite.stopCarbon();
    await batch(ports.statsd, true);
    const down = await waitFor(async () => {
      const r = await health(ports.admin, '/ready');
      return r.status === 503 && r;
    }, { timeoutMs: 5 * INTERVAL_S * 1000, what: '/ready to fail while carbon is down' });
    expect(down.body.problems.join('\n')).toMatch(new RegExp(`sink graphite: 127\\.0\\.0\\.1:${ports.carbon}`));
    expect((await health(ports.admin)).status).toBe(200);
    // Several intervals go to the spool meanwhile.
    await batch(ports.statsd, true);
    await waitForMoreFlushes(ports.admin, OUTAGE_FLUSHES, { timeoutMs: 3 * OUTAGE_FLUSHES * INTERVAL_S * 1000 });
    await graphite.startCarbon();
    const ready = async () => (await health(ports.admin, '/ready')).status === 200;
    await waitFor(ready, { timeoutMs: 60_000, what: '/ready once carbon is back' });
    await allStored('through the carbon outage');

    // A broken config: the reload fails at the prompt, the old config keeps serving.
    await sandbox.must(`sed -i 's/^flush_interval = ${INTERVAL_S}$/flush_interval = "soon"/' /etc/statsite-ts/config.toml`);
    const reload = await sandbox.run('systemctl reload statsite-ts');
    expect(reload.code).not.toBe(0);
    expect(reload.stderr).toMatch(/Job for statsite-ts\.service failed/);
    expect((await sandbox.run('systemctl is-active statsite-ts')).stdout).toBe('active\n');
    await batch(ports.statsd, true);
    await allStored('after the refused reload');

    // ... and at start: one try, the reason at priority err, once.
    const before = Date.now() * 1000;
    await sandbox.run('systemctl restart statsite-ts');
    await waitFor(async () => (await sandbox!.run('systemctl show -p ActiveState --value statsite-ts')).stdout === 'failed\n', {
      what: 'the unit to fail on the broken config',
    });
    expect((await sandbox.must('systemctl show -p NRestarts --value statsite-ts')).trim()).toBe('0');
    const errors = (await sandbox.journal('statsite-ts'))
      .filter((e) => Number(e.__REALTIME_TIMESTAMP) > before && Number(e.PRIORITY) <= 3);
    expect(byMessage(errors, /statsite\.flush_interval: expected a number/), JSON.stringify(errors)).toHaveLength(1);
    expect((await sandbox.must('journalctl -u statsite-ts -p err --no-pager -o cat'))).toMatch(/flush_interval: expected a number/);

    // Every line of the server has its priority, none shows a raw <N> prefix.
    const all = (await sandbox.journal('statsite-ts')).filter((e) => e.SYSLOG_IDENTIFIER === 'statsite-ts');
    expect(all.filter((e) => /^<\d>/.test(String(e.MESSAGE)))).toEqual([]);
    expect(new Set(byMessage(all, /^statsite-ts listening /).map((e) => e.PRIORITY))).toEqual(new Set(['6']));
    expect(byMessage(all, /^destination (unreachable|still down)/).every((e) => e.PRIORITY === '4')).toBe(true);

    await sandbox.shutdown();
    expect(sandbox.leftCgroups()).toEqual([]);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(files.dir);
    expect(existsSync('/run/mount'), "mount(8)'s record on the host").toBe(hostHadRunMount);
    sandbox = null;
  }, 240_000);
});
