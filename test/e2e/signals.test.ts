// Signals at the wrong moment: a SIGHUP while the program is still loading, and a SIGHUP and a
// second SIGTERM while the final flush is being written. None of them may end the process or cut
// the final flush short; only SIGKILL does.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { waitForStats } from '../helpers/admin.js';
import { sendUdp } from '../helpers/clients.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

afterEach(() => stopAllServers());

/** Whether the process has a handler for SIGHUP (bit 1 of SigCgt in /proc/PID/status). */
function catchesSighup(pid: number): boolean {
  try {
    const mask = /SigCgt:\s*([0-9a-f]+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return mask !== undefined && (BigInt(`0x${mask}`) & 1n) === 1n;
  } catch {
    return false;
  }
}

it('applies a SIGHUP that arrives while the program is still starting, once it is up', async () => {
  const port = await freePort();
  const server = await startServer({ port, args: ['--flush-interval', '1'], waitForTcp: false });
  // As early as the process can catch it: long before it listens.
  await waitFor(() => catchesSighup(server.pid) || server.exitInfo !== undefined, { intervalMs: 2, what: 'a SIGHUP handler' });
  process.kill(server.pid, 'SIGHUP');
  // The program loads synchronously (bin/statsite-ts), so Node may hand the signal over on its
  // first event-loop turn after the server is already up: then it reloads at once rather than
  // "applying the SIGHUP that came during start-up". Either way it is applied, exactly once.
  await server.waitForStderr(/configuration reloaded/);
  await sendUdp(port, 'alive:1|c\n');
  await server.waitForKey('counts.alive');
  expect(server.stderr.match(/configuration reloaded/g)).toHaveLength(1);
});

it('finishes the final flush through a SIGHUP, a second SIGTERM and a SIGINT', async () => {
  const admin = await freePort();
  const out = join(mkdtempSync(join(tmpdir(), 'statsite-ts-signals-')), 'final.out');
  // A slow reader: the final flush is still being written when the signals arrive.
  const sink = `stream:sleep 1; cat > ${out}`;
  const server = await startServer({ args: ['--flush-interval', '60', '--sink', sink, '--admin', String(admin)] });
  await sendUdp(server.port, 'final.flush:7|c\n');
  await waitForStats(admin, (s) => s['lines.udp'] >= 1, { what: 'the counter received' });
  process.kill(server.pid, 'SIGTERM');
  await server.waitForStderr(/shutting down: final flush/);
  for (const signal of ['SIGHUP', 'SIGTERM', 'SIGINT'] as const) process.kill(server.pid, signal);
  const exit = await server.exited;
  expect(exit).toMatchObject({ code: 0, signal: null });
  expect(readFileSync(out, 'utf8')).toMatch(/^counts\.final\.flush\|7\.000000\|\d+$/m);
  expect(server.stderr).toMatch(/SIGHUP during the shutdown: ignored/);
  expect(server.stderr).toMatch(/already shutting down: the final flush goes on/);
});
