// Start-up to listening: from spawning a server to its UDP socket (and statsite-ts's TCP
// listener) appearing in /proc/net, polled every few milliseconds. The bare socket is the peer:
// Node's own start-up plus one dgram bind, the floor for any Node server.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tcpListening, udpSocket } from './proc.mjs';
import { randomPort, ROOT, stopProcess, track } from './servers.mjs';

const POLL_MS = 2;
const RUNS = 7;
const LIMIT_MS = 10_000;

const COMMANDS = {
  'statsite-ts': (port) => [join(ROOT, 'bin/statsite-ts'), '--bind', '127.0.0.1', '--port', String(port), '--sink', 'stdout'],
  bare: (port) => [join(ROOT, 'bench/bare-socket.mjs'), String(port)],
};

async function once(kind, pin) {
  const port = randomPort();
  const [cmd, ...args] = [...pin, process.execPath, ...COMMANDS[kind](port)];
  const started = performance.now();
  const child = track(spawn(cmd, args, { stdio: 'ignore' }));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  try {
    while (performance.now() - started < LIMIT_MS && child.exitCode === null) {
      if (udpSocket(port) !== null && (kind !== 'statsite-ts' || tcpListening(port))) return performance.now() - started;
      await sleep(POLL_MS);
    }
    throw new Error(`${kind} was not listening within ${LIMIT_MS} ms`);
  } finally {
    await stopProcess(child, exited);
  }
}

/** Median and spread of RUNS start-ups of statsite-ts (stdout sink only) and of the bare socket, pinned like the servers. */
export async function startupTimes(pin) {
  const result = {};
  for (const kind of Object.keys(COMMANDS)) {
    const ms = [];
    for (let i = 0; i < RUNS; i++) ms.push(await once(kind, pin));
    ms.sort((a, b) => a - b);
    result[kind] = { medianMs: Math.round(ms[RUNS >> 1]), minMs: Math.round(ms[0]), maxMs: Math.round(ms.at(-1)) };
  }
  return result;
}
