// Starting, watching and stopping the servers under test. Each prints its flushes on stdout; a
// Tally reads them as they come and keeps running sums (counter values, timer counts) per key
// prefix, so the bench counts what each server actually aggregated and flushed.

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ephemeralPorts, tcpListening, udpSocket } from './proc.mjs';
import { StatsiteLineReader } from './statsite-lines.mjs';

export const ROOT = new URL('../..', import.meta.url).pathname;
const BENCH = join(ROOT, 'bench');

/** Every process the bench started and that has not exited yet, so an interrupted run can stop them. */
const running = new Set();

/** Registers a child process; it leaves the set when it exits. */
export function track(child) {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** SIGKILL, by pid, whatever the bench started and is still running (for an interrupted run). */
export function killAll() {
  for (const child of running) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Running sums of what a server flushed, per key prefix (`k17` -> `k`). */
class Tally {
  counters = new Map();
  timers = new Map();
  lastChangeAt = Date.now();

  add(table, prefix, value) {
    if (value === 0) return;
    table.set(prefix, (table.get(prefix) ?? 0) + value);
    this.lastChangeAt = Date.now();
  }

  get(type, prefix) {
    const table = type === 'ms' ? this.timers : this.counters;
    return table.get(prefix) ?? table.get('*') ?? 0;
  }
}


/** Per peer kind: how to read a complete chunk of its stdout lines (text) into the tally. */
const TEXT_READERS = {
  etsy(text, tally) {
    for (const line of text.split('\n')) {
      if (!line.startsWith('flush ')) continue;
      const { counters, timers } = JSON.parse(line.slice(6));
      for (const [prefix, v] of Object.entries(counters)) tally.add(tally.counters, prefix, v);
      for (const [prefix, v] of Object.entries(timers)) tally.add(tally.timers, prefix, v);
    }
  },
  // The bare socket cannot tell keys or types apart: its count stands for every prefix and type.
  bare(text, tally) {
    for (const m of text.matchAll(/^count (\d+)$/gm)) {
      tally.add(tally.counters, '*', Number(m[1]));
      tally.add(tally.timers, '*', Number(m[1]));
    }
  },
};

function command(kind, port, flushS, tmpDir, options) {
  switch (kind) {
    case 'statsite-ts':
      return [
        process.execPath,
        ...(options.nodeArgs ?? []),
        join(ROOT, 'bin/statsite-ts'),
        '--bind', '127.0.0.1', '--port', String(port), '--flush-interval', String(flushS), '--sink', options.sink ?? 'stdout',
        '--log-level', options.logLevel ?? 'warn',
        ...(options.workers > 1 ? ['--workers', String(options.workers)] : []),
        ...(options.extraArgs ?? []),
      ];
    case 'etsy': {
      const config = {
        port,
        address: '127.0.0.1',
        mgmt_address: '127.0.0.1',
        mgmt_port: port + 1, // randomPort() checked that it is free too
        flushInterval: flushS * 1000,
        backends: [join(BENCH, 'servers/etsy-sum-backend.cjs')],
        dumpMessages: false,
      };
      const file = join(tmpDir, `etsy-${port}.js`);
      writeFileSync(file, `(${JSON.stringify(config)})\n`);
      return [
        process.execPath, '-r', join(BENCH, 'servers/rcvbuf-preload.cjs'),
        join(ROOT, 'node_modules/statsd/stats.js'), file,
      ];
    }
    case 'bare':
      return [process.execPath, join(BENCH, 'bare-socket.mjs'), String(port), String(flushS * 1000)];
    default:
      throw new Error(`unknown server ${kind}`);
  }
}

/**
 * Starts a server of `kind` on a random free port (pinned with `pin`, e.g. ['taskset', '-c', '1'])
 * and resolves once its UDP socket (and statsite-ts's TCP listener) is bound. A port taken in
 * the meantime means another try on another port, three at most.
 */
export async function startServer(kind, options) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(kind, randomPort(), options);
    } catch (err) {
      if (attempt >= 3 || !/EADDRINUSE|did not start/.test(err.message)) throw err;
    }
  }
}

async function startOn(kind, port, { flushS, tmpDir, pin = [], env: extraEnv = {}, ...options }) {
  const [cmd, ...args] = [...pin, ...command(kind, port, flushS, tmpDir, options)];
  // Under systemd statsite-ts would log in journald form; the bench reads its JSON logs.
  const env = { ...process.env, ...extraEnv };
  delete env.JOURNAL_STREAM;
  const child = track(spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  const tally = new Tally();
  const server = {
    kind,
    port,
    pid: child.pid,
    tally,
    stderr: '',
    /** Called with (chunkLength, now) after each output chunk is tallied; the flush bench times output with it. */
    onOutput: null,
    /** Takes a chunk of the server's output (its stdout, or what its graphite sink sent). */
    output: null,
    /** Called with each stderr line; the flush bench reads statsite-ts's debug `flush` log with it. */
    onStderrLine: null,
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    stop: () => stopProcess(child, server.exited),
    stopWithin: (graceMs) => stopProcess(child, server.exited, graceMs),
  };

  // statsite-ts's output is read as bytes (a 1M-timer flush is ~600 MB); the peers' as text.
  let read;
  if (kind === 'statsite-ts') {
    const reader = new StatsiteLineReader((type, prefix, value) => tally.add(type === 'ms' ? tally.timers : tally.counters, prefix, value));
    read = (chunk) => reader.push(chunk);
  } else {
    let rest = '';
    read = (chunk) => {
      const text = rest + chunk.latin1Slice(0, chunk.length);
      const end = text.lastIndexOf('\n') + 1;
      rest = text.slice(end);
      if (end > 0) TEXT_READERS[kind](text.slice(0, end), tally);
    };
  }
  server.output = (chunk) => {
    read(chunk);
    server.onOutput?.(chunk.length, Date.now());
  };
  child.stdout.on('data', server.output);
  let errRest = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    if (server.stderr.length < 20_000) server.stderr += chunk;
    const text = errRest + chunk;
    const lines = text.split('\n');
    errRest = lines.pop();
    for (const line of lines) server.onStderrLine?.(line, Date.now());
  });

  let exited = false;
  server.exited.then(() => (exited = true));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && !exited) {
    const udp = udpSocket(port) !== null;
    if (udp && (kind !== 'statsite-ts' || tcpListening(port))) return server;
    await sleep(50);
  }
  await server.stop();
  throw new Error(`${kind} did not start on port ${port}: ${server.stderr.trim().slice(-500)}`);
}

/**
 * SIGTERM by pid, then SIGKILL if it is still there after `graceMs`. The bench never needs the
 * final flush (it waits for interval flushes), so the grace is short; `killed` tells if it ran out.
 */
export async function stopProcess(child, exited, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return { ...(await exited), killed: false };
  child.kill('SIGTERM');
  // The grace timer is cancelled on exit: a pending timer would keep the bench itself alive.
  const grace = new AbortController();
  const timeout = sleep(graceMs, null, { signal: grace.signal }).catch(() => null);
  const result = await Promise.race([exited, timeout]);
  grace.abort();
  if (result !== null) return { ...result, killed: false };
  child.kill('SIGKILL');
  return { ...(await exited), killed: true };
}

/**
 * A random high port, outside the kernel's ephemeral range (where client sockets would take it
 * from under us), with it and the next one unused by any UDP or TCP socket.
 */
export function randomPort() {
  const eph = ephemeralPorts();
  const free = (p) => udpSocket(p) === null && !tcpListening(p, true);
  for (let i = 0; i < 100; i++) {
    const port = 10_000 + Math.floor(Math.random() * 50_000);
    if (port + 1 >= eph.lo && port <= eph.hi) continue;
    if (free(port) && free(port + 1)) return port;
  }
  throw new Error('no free port found');
}
