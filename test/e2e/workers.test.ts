// Multi-core ingest (`--workers N`, `[ingest] workers`): worker processes share the UDP socket
// and TCP port, fill partial buckets, and the primary merges them into each flush. Nothing may
// be lost or counted twice, whichever worker a datagram lands on, through crashes, reloads and
// shutdown. (The statsite vectors also replay with 2 workers: test/e2e/vectors.test.ts.)

import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { health, waitForMoreFlushes, waitForStats } from '../helpers/admin.js';
import { sendTcp, sendUdp } from '../helpers/clients.js';
import { freePort } from '../helpers/ports.js';
import { BIN, startServer, stopAllServers, type ServerProcess } from '../helpers/server.js';
import { parseStreamOutput, sumOf, valuesOf } from '../helpers/stream-output.js';
import { waitForUdpRead } from '../helpers/udp-queue.js';
import { sleep, waitFor } from '../helpers/wait.js';

afterEach(() => stopAllServers());

const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-workers-'));

/** Pids whose parent is `pid`, from /proc. */
function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the parenthesised command name, which may contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function workersOf(server: ServerProcess, count: number): Promise<number[]> {
  // TCP answers as soon as one worker listens; start-up is over only when the server says so.
  await server.waitForStderr(/statsite-ts listening/);
  return waitFor(() => {
    const pids = childPids(server.pid);
    return pids.length === count ? pids : undefined;
  }, { what: `${count} ingest workers under pid ${server.pid}` });
}

/** `datagrams` datagrams of `perDatagram` lines each, from one socket, in paced bursts. */
async function blast(port: number, datagrams: number, line: (i: number) => string, perDatagram = 20): Promise<void> {
  const socket = createSocket('udp4');
  try {
    for (let d = 0; d < datagrams; d++) {
      let payload = '';
      for (let l = 0; l < perDatagram; l++) payload += line(d * perDatagram + l);
      await new Promise<void>((resolve, reject) => socket.send(payload, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
      if (d % 200 === 199) await sleep(5); // stay well inside the socket buffer
    }
  } finally {
    socket.close();
  }
}

describe('ingest workers', () => {
  it('share UDP and TCP and merge every type exactly into the flushes', async () => {
    const admin = await freePort();
    const server = await startServer({ args: ['--workers', '2', '--flush-interval', '1', '--admin', `127.0.0.1:${admin}`] });
    expect(await workersOf(server, 2)).toHaveLength(2);

    const datagrams = 2000;
    await Promise.all([
      blast(server.port!, datagrams, (i) => `c:1|c\nt:${i % 100}|ms\ng:+1|g\nu:${i % 60}|s\n`, 5),
      blast(server.port!, datagrams, () => 'r:1|c|@0.5\n', 10),
      ...Array.from({ length: 6 }, () => sendTcp(server.port!, ['tc:2|c\n'.repeat(500)])),
    ]);
    const lines = datagrams * 5 * 4;
    await server.waitUntil((s) => sumOf(s.flushes(), 'counts.c') === lines / 4 && sumOf(s.flushes(), 'counts.tc') === 6000 || undefined, {
      what: 'every counter line in the flushes', timeoutMs: 15_000,
    });
    // /stats adds up what the workers counted (reported at their hand-over).
    await waitForStats(admin, (s) => s['lines.udp'] === lines + datagrams * 10, { what: '/stats lines.udp' });
    const { body } = await health(admin);
    expect(body.listeners.map((l) => l.name)).toEqual(['udp', 'tcp']);

    await server.stop();
    const flushes = server.flushes();
    expect(sumOf(flushes, 'counts.c')).toBe(lines / 4);
    expect(sumOf(flushes, 'counts.r')).toBe(datagrams * 10 * 2);
    expect(sumOf(flushes, 'timers.t.count')).toBe(lines / 4);
    expect(sumOf(flushes, 'timers.t.sum')).toBe((lines / 4 / 100) * 4950);
    // Only deltas were sent: each flush's value is that interval's sum, whichever worker added it.
    expect(sumOf(flushes, 'gauges.g')).toBe(lines / 4);
    // A set seen by both workers in one interval counts each member once (exact up to 64 members).
    for (const size of valuesOf(flushes, 'sets.u')) expect(Number(size)).toBeLessThanOrEqual(60);
    expect(valuesOf(flushes, 'sets.u')).toContain('60');
  });

  it('hands a bucket of many series over before the flush asks, and the flush still counts each sample once', async () => {
    const server = await startServer({ args: ['--workers', '2', '--flush-interval', '4', '--log-level', 'debug'] });
    await workersOf(server, 2);
    // 80k distinct series (40k counters, 40k timers): each worker holds more than a part (16000).
    await blast(server.port!, 4000, (i) => `many.k${i}:1|c\nmany.t${i}:${i % 7}|ms\n`, 10);
    await server.waitForStderr(/handing the interval over early/, 0, { timeoutMs: 10_000 });
    await blast(server.port!, 100, () => 'again:1|c\n');
    await waitForUdpRead(server.port!);
    await server.stop();
    const lines = server.flushes().flatMap((f) => f.lines);
    const counters = new Map<string, number>();
    for (const { key, value } of lines) if (key.startsWith('counts.many.k')) counters.set(key, (counters.get(key) ?? 0) + Number(value));
    expect(counters.size).toBe(40_000);
    expect([...counters.values()].every((v) => v === 1)).toBe(true);
    const timerCounts = lines.filter((l) => /^timers\.many\.t\d+\.count$/.test(l.key)).reduce((n, l) => n + Number(l.value), 0);
    expect(timerCounts).toBe(40_000);
    expect(sumOf(server.flushes(), 'counts.again')).toBe(2000);
  });

  it('names the server process statsite-ts and its workers statsite-ts-worker, for ps, pgrep and lsof', async () => {
    const server = await startServer({ args: ['--workers', '2', '--flush-interval', '3600'] });
    const workers = await workersOf(server, 2);
    const comm = (pid: number) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/[\0 ]+$/, '');
    expect([comm(server.pid), cmdline(server.pid)]).toEqual(['statsite-ts', 'statsite-ts']);
    // The kernel keeps 15 bytes of a process name.
    for (const pid of workers) expect([comm(pid), cmdline(pid)]).toEqual(['statsite-ts-wor', 'statsite-ts-worker']);
  });

  it('hands the last interval of every worker to the final flush on SIGTERM, and leaves no worker behind', async () => {
    const server = await startServer({ args: ['--workers', '2', '--flush-interval', '3600'] });
    const workers = await workersOf(server, 2);
    await blast(server.port!, 1000, () => 'last:1|c\n');
    await sendTcp(server.port!, ['last:5|c\n']);
    await waitForUdpRead(server.port!); // SIGTERM must find every datagram in a worker's bucket
    const exit = await server.stop();
    expect(exit).toMatchObject({ code: 0, forced: false });
    expect(sumOf(server.flushes(), 'counts.last')).toBe(20_000 + 5);
    expect(workers.filter(alive)).toEqual([]);
  });

  it('replaces a worker that dies and keeps counting', async () => {
    const admin = await freePort();
    const server = await startServer({ args: ['--workers', '2', '--flush-interval', '1', '--admin', `127.0.0.1:${admin}`] });
    const [victim] = await workersOf(server, 2);
    process.kill(victim, 'SIGKILL');
    await server.waitForStderr(/ingest worker died/);
    const replaced = await waitFor(() => {
      const pids = childPids(server.pid);
      return pids.length === 2 && !pids.includes(victim) ? pids : undefined;
    }, {
      what: 'a replacement worker', timeoutMs: 10_000,
      detail: () => `children: ${childPids(server.pid).join(', ')}\n${server.diagnostics()}`,
    });
    expect(replaced).toHaveLength(2);
    await waitFor(async () => (await health(admin)).status === 200, { what: 'health to recover' });

    await blast(server.port!, 500, () => 'after:1|c\n');
    await server.waitUntil((s) => sumOf(s.flushes(), 'counts.after') === 10_000 || undefined, { what: 'the lines sent after the crash' });
  });

  it('flushes without a stalled worker and merges its interval when it answers late, losing nothing', async () => {
    const admin = await freePort();
    const server = await startServer({ args: ['--workers', '2', '--flush-interval', '1', '--admin', `127.0.0.1:${admin}`] });
    const workers = await workersOf(server, 2);
    await blast(server.port!, 2000, () => 'stall:1|c\n', 5);
    await waitForUdpRead(server.port!); // both workers hold part of the interval when one stalls
    process.kill(workers[0], 'SIGSTOP');
    try {
      await server.waitForStderr(/slow to hand over their interval/, 0, { timeoutMs: 10_000 });
      await blast(server.port!, 100, () => 'stall:1|c\n', 5); // the running worker takes it all meanwhile
    } finally {
      process.kill(workers[0], 'SIGCONT');
    }
    await server.waitUntil((s) => sumOf(s.flushes(), 'counts.stall') === 10_500 || undefined, {
      what: 'every line, the stalled worker\'s included',
    });
    // A late hand-over counted twice would show in the next flushes.
    await waitForMoreFlushes(admin, 2);
    expect(sumOf(server.flushes(), 'counts.stall')).toBe(10_500);
  });

  it('moves the workers to a new port on SIGHUP', async () => {
    const [first, second] = [await freePort(), await freePort()];
    const config = join(dir, 'reload.toml');
    const listen = (port: number) =>
      `[statsite]\nflush_interval = 1\nbind_address = "127.0.0.1"\nudp_port = ${port}\ntcp_port = ${port}\n\n[ingest]\nworkers = 2\n`;
    writeFileSync(config, listen(first));
    const server = await startServer({ args: ['--config', config], port: false, bind: false, waitForTcp: false });
    await server.waitForStderr(/statsite-ts listening/);
    await sendUdp(first, 'before:1|c\n');
    await server.waitForKey('counts.before');

    writeFileSync(config, listen(second));
    process.kill(server.pid, 'SIGHUP');
    await server.waitForStderr(/configuration reloaded/);
    await sendUdp(second, 'moved:1|c\n');
    await sendTcp(second, ['moved:1|c\n']);
    await server.waitUntil((s) => sumOf(s.flushes(), 'counts.moved') === 2 || undefined, { what: 'lines on the new port' });
  });

  it('refuses to start when the port is taken, with the reason', async () => {
    const port = await freePort();
    const blocker = createSocket('udp4');
    await new Promise<void>((resolve) => blocker.bind(port, '127.0.0.1', resolve));
    try {
      const server = await startServer({ args: ['--workers', '2'], port, waitForTcp: false });
      const exit = await server.exited;
      expect(exit.code).toBe(1);
      expect(server.stderr).toMatch(new RegExp(`cannot listen on udp 127.0.0.1:${port}: .*EADDRINUSE`));
    } finally {
      blocker.close();
    }
  });

  it('exits, workers and all, when something after them cannot start', async () => {
    const blocker = createServer();
    const adminPort = await freePort();
    await new Promise<void>((resolve) => blocker.listen(adminPort, '127.0.0.1', resolve));
    try {
      const server = await startServer({ args: ['--workers', '2', '--admin', `127.0.0.1:${adminPort}`], waitForTcp: false });
      const exit = await server.exited;
      expect(exit).toMatchObject({ code: 1, forced: false });
      expect(server.stderr).toMatch(/cannot start/);
    } finally {
      blocker.close();
    }
  });

  it('reads parse_stdin in the main process only, next to the workers', async () => {
    const config = join(dir, 'stdin.toml');
    const port = await freePort();
    writeFileSync(config, [
      '[statsite]', 'flush_interval = 1', 'bind_address = "127.0.0.1"', `port = ${port}`, `udp_port = ${port}`, 'parse_stdin = true',
      '', '[ingest]', 'workers = 2', '',
    ].join('\n'));
    const child = spawn(BIN, ['--config', config], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await waitFor(() => err.includes('statsite-ts listening'), { what: 'the server to listen', detail: () => err });
      child.stdin.write('in:1|c\n'.repeat(3000));
      await sendUdp(port, 'in:10|c\n');
      await waitFor(() => sumOf(parseStreamOutput(out).flushes, 'counts.in') === 3010, {
        what: 'stdin and UDP lines', detail: () => out.slice(-500) + err,
      });
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    expect(sumOf(parseStreamOutput(out).flushes, 'counts.in')).toBe(3010);
  });
});
