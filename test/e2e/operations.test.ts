// Running it as a service: config errors, statsite INI files, SIGHUP reloads, journald logs,
// health and self-metrics, the systemd unit.

import { execFile, spawn } from 'node:child_process';
import { closeSync, cpSync, fstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, type Health, type Stats } from '../helpers/admin.js';
import { askManagement, sendTcp, sendUdp } from '../helpers/clients.js';
import { installed, testDeps, warnSkipped, type ExternalTool } from '../helpers/external-tools.js';
import { freePort } from '../helpers/ports.js';
import { BIN, REPO_ROOT, runCli, startServer, stopAllServers } from '../helpers/server.js';
import { sumOf } from '../helpers/stream-output.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { tempFiles } from '../helpers/temp-files.js';

afterEach(() => stopAllServers());

const { dir, file } = tempFiles('statsite-ts-ops-');

const SYSTEMD_ANALYZE: ExternalTool = { name: 'systemd-analyze', files: ['/usr/bin/systemd-analyze'], install: testDeps('systemd') };

describe('configuration errors', () => {
  for (const [name, text, expected] of [
    ['unknown-key.toml', '[statsite]\nflush_intervall = 1\n', /unknown-key\.toml: statsite\.flush_intervall: unknown option/],
    ['wrong-type.toml', '[statsite]\nport = "eighty"\n', /wrong-type\.toml: statsite\.port: expected a number, got "eighty"/],
    ['bad-range.ini', '[statsite]\nflush_interval = 1\nquantiles = 0.5, 1.5\n',
      /bad-range\.ini:3: statsite\.quantiles: each quantile must be between 0 and 1/],
    ['bad-histogram.toml', '[histogram_api]\nprefix = "api"\nmin = 10\nmax = 0\nwidth = 1\n',
      /histogram_api\.max: must be greater than min/],
    ['bad-sink.toml', '[[sinks]]\ntype = "graphite"\nhost = "x"\nrouting = "round-robin"\n', /routing must be fanout/],
    ['bad-toml.toml', '[statsite\nport = 1\n', /bad-toml\.toml:1: /],
  ] as const) {
    it(`refuses ${name} with file, key and reason, exit 2, no stack trace`, async () => {
      const path = file(name, text);
      for (const args of [['--config', path], ['check-config', path]]) {
        const r = await runCli(args);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(expected);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
    });
  }

  it('refuses a config that can receive nothing', async () => {
    const r = await runCli(['--config', file('deaf.toml', '[statsite]\nport = 0\nudp_port = 0\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/deaf\.toml: nothing to receive metrics on/);
  });

  it('check-config accepts config.example.toml', async () => {
    const r = await runCli(['check-config', 'config.example.toml']);
    expect(r.code).toBe(0);
  });

  it('prints its version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version);
  });

  it('refuses a bad flag value before starting', async () => {
    const r = await runCli(['--port', '99999']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--port/);
  });
});

it('runs from a statsite INI file as-is, started as statsite is (-f FILE)', async () => {
  const ini = file('statsite.ini', [
    '[statsite]', 'flush_interval = 1', 'global_prefix = ini.', 'timers_include = count, upper', 'quantiles = 0.9', 'timer_eps = 0.01',
    '', '[histogram_api]', 'prefix = api', 'min = 0', 'max = 100', 'width = 50',
  ].join('\n'));
  const server = await startServer({ args: ['-f', ini] });
  await sendUdp(server.port, 'api.t:10|ms\napi.t:70|ms\nc:2|c\n');
  await server.waitForKey('ini.timers.api.t.histogram.bin_50.00');
  const lines = server.flushes().flatMap((f) => f.lines.map((l) => `${l.key}|${l.value}`));
  expect(lines).toEqual(expect.arrayContaining([
    'ini.counts.c|2.000000', 'ini.timers.api.t.count|2', 'ini.timers.api.t.upper|70.000000', 'ini.timers.api.t.p90|70.000000',
    'ini.timers.api.t.histogram.bin_0.00|1', 'ini.timers.api.t.histogram.bin_50.00|1',
  ]));
  expect(lines.some((l) => l.startsWith('ini.timers.api.t.mean'))).toBe(false);
  // The start line names the version and the file, for whoever reads the journal.
  const listening = JSON.parse(server.stderr.split('\n').find((l) => l.includes('statsite-ts listening'))!);
  expect(listening).toMatchObject({ version: JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version, config: ini });
  // statsite's timer_eps is taken, and the log says once that it changes nothing.
  expect(server.stderr.match(/timer_eps is accepted for statsite compatibility but not used/g)).toHaveLength(1);
  // -f is --config by another name: not both.
  const both = await runCli(['-f', ini, '--config', ini]);
  expect([both.code, both.stderr]).toEqual([1, expect.stringMatching(/cannot be used with option '-c, --config/)]);
});

describe('SIGHUP reload', () => {
  it('changes the prefix without losing a counted line', async () => {
    const config = file('reload.toml', '[statsite]\nflush_interval = 1\nglobal_prefix = "before."\n');
    const server = await startServer({ args: ['--config', config] });
    // Lines go in all along, paced (not timed): before, during and after the reload.
    let sent = 0;
    let sending = true;
    const sender = (async () => {
      while (sending) {
        await sendUdp(server.port, 'reloaded:1|c\n');
        sent++;
        await sleep(20);
      }
    })();
    try {
      await server.waitForKey('before.counts.reloaded');
      writeFileSync(config, '[statsite]\nflush_interval = 1\nglobal_prefix = "after."\n');
      process.kill(server.pid, 'SIGHUP');
      await server.waitForStderr(/configuration reloaded/);
      await server.waitForKey('after.counts.reloaded');
    } finally {
      sending = false;
      await sender;
    }
    await server.stop();
    const flushes = server.flushes();
    const before = sumOf(flushes, 'before.counts.reloaded');
    const after = sumOf(flushes, 'after.counts.reloaded');
    expect(before).toBeGreaterThan(0);
    expect(after).toBeGreaterThan(0);
    expect(before + after).toBe(sent);
  });

  it('keeps the running config when the new one is bad', async () => {
    const config = file('reload-bad.toml', '[statsite]\nflush_interval = 1\nglobal_prefix = "good."\n');
    const server = await startServer({ args: ['--config', config] });
    writeFileSync(config, '[statsite]\nflush_interval = "often"\n');
    process.kill(server.pid, 'SIGHUP');
    await server.waitForStderr(/config reload rejected/);
    expect(server.stderr).toMatch(/reload-bad\.toml: statsite\.flush_interval: expected a number/);
    await sendUdp(server.port, 'still:1|c\n');
    await server.waitForKey('good.counts.still');
  });
});

it('writes journald lines with syslog priorities when JOURNAL_STREAM names its stderr', async () => {
  const logPath = join(dir, 'journal.log');
  const fd = openSync(logPath, 'w');
  const st = fstatSync(fd);
  const port = await freePort();
  const child = spawn(BIN, ['--bind', '127.0.0.1', '--port', String(port), '--flush-interval', '1'], {
    stdio: ['ignore', 'ignore', fd],
    env: { ...process.env, JOURNAL_STREAM: `${st.dev}:${st.ino}` },
  });
  closeSync(fd);
  try {
    await waitFor(() => readFileSync(logPath, 'utf8').includes('listening'), { timeoutMs: 10_000 });
    await sendUdp(port, 'bad line\n');
    await waitFor(() => readFileSync(logPath, 'utf8').includes('rejected'), { timeoutMs: 10_000 });
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  const lines = readFileSync(logPath, 'utf8').trim().split('\n');
  expect(lines[0]).toMatch(/^<6>statsite-ts listening version=\S+ listeners=/);
  expect(lines.find((l) => l.includes('rejected'))).toMatch(/^<4>rejected malformed metric line reason=missing_value line="bad line"$/);
  for (const line of lines) {
    expect(line).toMatch(/^<\d>/);
    expect(line).not.toContain('\u001b['); // no terminal colours
    expect(line.startsWith('<') && !line.startsWith('<{')).toBe(true);
  }

  // Without JOURNAL_STREAM (and no TTY) the same events are JSON objects.
  const server = await startServer({ args: ['--flush-interval', '1'] });
  await server.waitForStderr(/listening/);
  expect(JSON.parse(server.stderr.trim().split('\n')[0])).toMatchObject({ level: 30, msg: 'statsite-ts listening' });
});

it('writes a fatal start error once, at journal priority 3; wait-ready leaves it to the server', async () => {
  const config = file('fatal.toml', '[statsite]\nflush_interval = "never"\n');
  const run = async (args: string[]) => {
    const logPath = join(dir, `fatal-${args[0]}.log`);
    const fd = openSync(logPath, 'w');
    const st = fstatSync(fd);
    const child = spawn(BIN, args, { stdio: ['ignore', 'ignore', fd], env: { ...process.env, JOURNAL_STREAM: `${st.dev}:${st.ino}` } });
    closeSync(fd);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { code, lines: readFileSync(logPath, 'utf8').trim().split('\n') };
  };
  const server = await run(['--config', config]);
  expect(server.code).toBe(2);
  expect(server.lines).toEqual([expect.stringMatching(/^<3>statsite-ts: .*fatal\.toml: statsite\.flush_interval: expected a number/)]);
  const waitReady = await run(['wait-ready', '--config', config]);
  expect(waitReady.code).toBe(2);
  expect(waitReady.lines).toEqual(['<7>statsite-ts wait-ready: the config cannot be used (the server logs why)']);
  // Not under the journal: the reason, plainly, for whoever runs it by hand.
  expect((await runCli(['wait-ready', '--config', config])).stderr).toMatch(/^statsite-ts: .*statsite\.flush_interval: expected a number/);
});

describe('health, stats and self-metrics', () => {
  it('reports health, readiness per sink, stats, and flips /health when a listener cannot move', async () => {
    const [admin, port] = [await freePort(), await freePort()];
    const listen = (tcp: number) => `[statsite]\nflush_interval = 1\nbind_address = "127.0.0.1"\nudp_port = ${port}\ntcp_port = ${tcp}\n`;
    const config = file('health.toml', listen(port));
    const server = await startServer({ args: ['--config', config, '--admin', `127.0.0.1:${admin}`], port: false, bind: false });
    const base = `http://127.0.0.1:${admin}`;
    await waitFor(async () => (await fetch(`${base}/health`).catch(() => null))?.ok);
    await sendUdp(port, 'h:1|c\nbad\n');
    await server.waitForKey('counts.h');

    const health = await getJson<Health>(`${base}/health`);
    expect(health.status).toBe(200);
    expect(health.body.ok).toBe(true);
    const ready = await getJson<Health>(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body.sinks![0]).toMatchObject({ name: 'stdout', lastError: null });
    expect(ready.body.sinks![0].lastSuccessAt).toEqual(expect.any(String));
    const stats = await getJson<Stats>(`${base}/stats`);
    expect(stats.body).toMatchObject({ 'lines.udp': 1, 'parse_errors.missing_value': 1, 'datagrams.udp': 1 });
    expect(stats.body['udp.kernel_drops']).toEqual(expect.any(Number));
    expect((await fetch(`${base}/nope<script>`)).status).toBe(404);

    // Reload onto a TCP port someone else holds: the old listener keeps serving, health says why.
    const blocker = createServer();
    const taken = await freePort();
    await new Promise<void>((r) => blocker.listen(taken, '127.0.0.1', r));
    try {
      writeFileSync(config, listen(taken));
      process.kill(server.pid, 'SIGHUP');
      await server.waitForStderr(/cannot move listener/);
      const failed = await getJson<Health>(`${base}/health`);
      expect(failed.status).toBe(503);
      expect(failed.body.problems.join(' ')).toMatch(new RegExp(`tcp listener 127.0.0.1:${taken}: .*EADDRINUSE`));
      await sendTcp(port, ['still:1|c\n']); // the old TCP listener still serves
      await server.waitForKey('counts.still');
    } finally {
      blocker.close();
    }
    // Once the port is free again, the next reload moves the listener and health recovers.
    process.kill(server.pid, 'SIGHUP');
    await waitFor(async () => (await fetch(`${base}/health`)).status === 200, { timeoutMs: 10_000 });
  });

  it('flushes self-metrics with the rest when enabled', async () => {
    const config = file('self.toml', '[statsite]\nflush_interval = 1\n\n[self_metrics]\nenabled = true\nprefix = "statsite-ts."\n');
    const server = await startServer({ args: ['--config', config] });
    await sendUdp(server.port, 'a:1|c\nb:2|c\n12abc\n');
    await sendTcp(server.port, ['c:3|c\n']);
    const selfCount = (name: string) => sumOf(server.flushes(), `counts.statsite-ts.${name}`);
    await server.waitUntil(() => selfCount('lines.udp') === 2 && selfCount('lines.tcp') === 1);
    const flushes = server.flushes();
    expect(sumOf(flushes, 'counts.statsite-ts.parse_errors.missing_value')).toBe(1);
    // The test harness's own readiness probe is a TCP connection too.
    expect(sumOf(flushes, 'counts.statsite-ts.connections.tcp')).toBeGreaterThanOrEqual(1);
    expect(flushes.flatMap((f) => f.lines).some((l) => l.key === 'gauges.statsite-ts.series.counters')).toBe(true);
    expect(flushes.flatMap((f) => f.lines).some((l) => l.key === 'counts.statsite-ts.udp.kernel_drops')).toBe(true);
  });

  it("answers etsy statsd's management commands", async () => {
    const mgmt = await freePort();
    const server = await startServer({ args: ['--flush-interval', '30', '--management', `127.0.0.1:${mgmt}`] });
    await sendUdp(server.port, 'm.c:5|c\nm.g:7|g\n');
    const ask = (command: string) => askManagement(mgmt, command);
    // The datagram has no answer to wait for; the stats command says when it has been read.
    await waitFor(async () => /^lines\.udp: 2$/m.test(await ask('stats')), { what: 'the management port to count both lines' });
    expect(await ask('health')).toBe('health: up\n');
    expect(await ask('counters')).toMatch(/"m\.c": 5[\s\S]*END\n\n$/);
    expect(await ask('gauges')).toMatch(/"m\.g": 7/);
  });
});

describe('systemd unit', () => {
  it('refuses to print a unit for an installation its sandbox would hide, unless told --allow-home', async () => {
    // A copy of this installation under /tmp, which PrivateTmp= (implied by DynamicUser=) hides.
    const copy = mkdtempSync(join(tmpdir(), 'statsite-ts-install-'));
    for (const part of ['bin', 'dist', 'packaging', 'package.json']) cpSync(join(REPO_ROOT, part), join(copy, part), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'));
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, [join(copy, 'bin/statsite-ts'), 'unit', ...args]).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      );
    const refused = await run([]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/under \/tmp\/, which the unit's sandbox hides .*--allow-home/);
    expect((await run(['--allow-home'])).code).toBe(0);
  });

  it('writes NAME.service and NAME.socket (the config\'s ports) with --output and --name, both valid for systemd', async () => {
    const port = await freePort();
    const text = `[statsite]\nbind_address = "127.0.0.1"\nport = ${port}\nudp_port = ${port + 1}\n\n[admin]\nhttp = "8127"\n`;
    const config = file('named.toml', text);
    const out = join(dir, 'units');
    mkdirSync(out);
    const r = await runCli(['unit', '--config', config, '--allow-home', '--name', 'statsite', '--output', out]);
    expect(r, r.stderr).toMatchObject({ code: 0, stderr: '' });
    const service = readFileSync(join(out, 'statsite.service'), 'utf8');
    const socket = readFileSync(join(out, 'statsite.socket'), 'utf8');
    for (const line of ['StateDirectory=statsite', 'RuntimeDirectory=statsite', 'SyslogIdentifier=statsite']) {
      expect(service).toContain(`\n${line}\n`);
    }
    expect(service).toContain(`\nExecStart=${process.execPath} ${BIN} --config ${config}\n`);
    expect(service).not.toMatch(/statsite-ts\.(service|socket)/);
    for (const line of [`ListenDatagram=127.0.0.1:${port + 1}`, `ListenStream=127.0.0.1:${port}`, 'Service=statsite.service']) {
      expect(socket).toContain(`\n${line}\n`);
    }
    expect((await runCli(['unit', '--config', config, '--allow-home', '--name', 'statsite', '--socket'])).stdout).toBe(socket);

    if (installed(SYSTEMD_ANALYZE)) {
      const units = [join(out, 'statsite.socket'), join(out, 'statsite.service')];
      const verify = await promisify(execFile)(SYSTEMD_ANALYZE.files[0], ['verify', ...units]).then(
        (o) => o.stdout + o.stderr,
        (e: { stdout: string; stderr: string }) => e.stdout + e.stderr,
      );
      expect(verify.split('\n').filter((l) => /statsite\.(service|socket)/.test(l)), verify).toEqual([]);
    } else {
      warnSkipped('systemd-analyze verify of the service and socket units', SYSTEMD_ANALYZE);
    }
    const bad = await runCli(['unit', '--allow-home', '--name', 'a/b']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--name "a\/b": a unit name is letters/);
  });

  it('prints a hardened unit for this installation that ExecStart can run', async () => {
    const port = await freePort();
    const config = file('unit.toml', `[statsite]\nflush_interval = 1\nbind_address = "127.0.0.1"\nport = ${port}\nudp_port = ${port}\n`);
    // The checkout may be anywhere (CI clones under /tmp): --allow-home prints the unit regardless.
    const r = await runCli(['unit', '--config', config, '--allow-home']);
    expect(r.code).toBe(0);
    const unit = r.stdout;
    for (const line of [
      'Type=simple', 'Restart=on-failure', 'RestartPreventExitStatus=2', 'DynamicUser=yes', 'NoNewPrivileges=yes', 'ProtectSystem=strict',
      'ProtectHome=yes', 'PrivateTmp=yes', 'CapabilityBoundingSet=', 'LimitNOFILE=65536', 'Environment=MALLOC_ARENA_MAX=2',
      'SystemCallFilter=@system-service', 'SystemCallErrorNumber=EPERM', 'ProtectProc=invisible', 'UMask=0077',
      'StateDirectory=statsite-ts',
      `ExecReload=${process.execPath} ${BIN} check-config ${config}`, 'ExecReload=/bin/kill -HUP $MAINPID',
    ]) {
      expect(unit).toContain(`\n${line}\n`);
    }
    const execStart = /\nExecStart=(.+)\n/.exec(unit)![1];
    const execStartPost = /\nExecStartPost=(.+)\n/.exec(unit)![1];
    expect(execStart).toBe(`${process.execPath} ${BIN} --config ${config}`);

    if (installed(SYSTEMD_ANALYZE)) {
      const path = join(dir, 'statsite-ts.service');
      writeFileSync(path, unit);
      const verify = await promisify(execFile)(SYSTEMD_ANALYZE.files[0], ['verify', path]).then(
        (o) => ({ code: 0, out: o.stdout + o.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
      );
      expect(verify.out.split('\n').filter((l) => l.includes('statsite-ts.service')), verify.out).toEqual([]);
    } else {
      warnSkipped('systemd-analyze verify of the unit file (the unit is still run below)', SYSTEMD_ANALYZE);
    }

    // ExecStart and ExecStartPost, run as systemd would (no shell): the server starts, wait-ready
    // returns once it answers, and it flushes what it is sent.
    const [cmd, ...args] = execStart.split(' ');
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      const [postCmd, ...postArgs] = execStartPost.split(' ');
      await promisify(execFile)(postCmd, postArgs, { timeout: 20_000 });
      await sendUdp(port, 'unit.works:1|c\n');
      await waitFor(() => out.includes('counts.unit.works|1.000000|'), { timeoutMs: 10_000 });
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
