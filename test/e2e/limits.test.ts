// A metrics host faces every client's bugs at once: over-long lines, connection floods, idle and
// half-open clients, cardinality explosions, garbage. Each is bounded and accounted for.

import { readdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { stats, waitForMoreFlushes, waitForStats } from '../helpers/admin.js';
import { sendTcp, sendUdp } from '../helpers/clients.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { sumOf } from '../helpers/stream-output.js';
import { waitFor } from '../helpers/wait.js';

afterEach(() => stopAllServers());

const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-limits-'));
function config(name: string, limits: string): string {
  const path = join(dir, name);
  writeFileSync(path, `[statsite]\nflush_interval = 1\n\n[limits]\n${limits}\n`);
  return path;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

it('drops a TCP line over max_line_bytes up to its newline and keeps the connection', async () => {
  const admin = await freePort();
  const server = await startServer({ args: ['--config', config('line.toml', 'max_line_bytes = 1024'), '--admin', String(admin)] });
  await sendTcp(server.port, ['before:1|c\n', 'x'.repeat(3000), 'y'.repeat(3000) + ':1|c\nafter:1|c\n']);
  await server.waitForKey('counts.after');
  expect(sumOf(server.flushes(), 'counts.before')).toBe(1);
  expect((await stats(admin))['parse_errors.line_too_long']).toBe(1);
});

it('refuses connections past tcp_max_connections, counts them, and keeps serving', async () => {
  const admin = await freePort();
  const server = await startServer({ args: ['--config', config('conns.toml', 'tcp_max_connections = 5'), '--admin', String(admin)] });
  await waitFor(async () => (await stats(admin))['connections.tcp_open'] === 0);
  const sockets = await Promise.all(Array.from({ length: 12 }, () => open(server.port)));
  await waitFor(async () => (await stats(admin))['connections.tcp_refused'] >= 7);
  for (const s of sockets) s.destroy();
  await waitFor(async () => (await stats(admin))['connections.tcp_open'] === 0);
  await sendTcp(server.port, ['served:1|c\n']);
  await server.waitForKey('counts.served');
});

it('closes idle connections after tcp_idle_timeout, using what they sent', async () => {
  const admin = await freePort();
  const server = await startServer({ args: ['--config', config('idle.toml', 'tcp_idle_timeout = 1'), '--admin', String(admin)] });
  const s = await open(server.port);
  s.write('idle:1|c'); // no newline: the line is only complete when the server gives up on it
  const closed = new Promise((r) => s.once('close', r));
  s.on('error', () => undefined);
  await closed;
  await server.waitForKey('counts.idle');
  expect((await stats(admin))['connections.tcp_idle_closed']).toBeGreaterThanOrEqual(1);
});

it('opens and closes 10k TCP connections without leaking sockets or memory', async () => {
  const admin = await freePort();
  const server = await startServer({ args: ['--flush-interval', '1', '--admin', String(admin)] });
  const fds = () => readdirSync(`/proc/${server.pid}/fd`).length;
  // The baseline once start-up is over: a flush done, the harness's readiness probe closed.
  await waitForStats(admin, (s) => s.flushes >= 1 && s['connections.tcp_open'] === 0, { what: 'the server to settle' });
  const before = fds();
  const total = 10_000;
  for (let done = 0; done < total; done += 200) {
    await Promise.all(Array.from({ length: 200 }, async (_, i) => {
      const s = await open(server.port);
      s.end(`conn:1|c\n`);
      await new Promise((r) => s.once('close', r));
      void i;
    }));
  }
  await waitFor(async () => (await stats(admin))['connections.tcp_open'] === 0, { timeoutMs: 15_000 });
  await server.waitUntil(() => sumOf(server.flushes(), 'counts.conn') === total, { timeoutMs: 15_000 });
  const s = await stats(admin);
  expect(s['connections.tcp']).toBeGreaterThanOrEqual(total);
  expect(fds()).toBeLessThanOrEqual(before + 2);
}, 60_000);

it('caps series per flush and names the offending prefixes', async () => {
  const admin = await freePort();
  const server = await startServer({ args: ['--config', config('card.toml', 'max_series = 10'), '--admin', String(admin)] });
  const lines = Array.from({ length: 50 }, (_, i) => `api.request.${i}:1|c`).join('\n');
  await sendUdp(server.port, lines);
  await server.waitForStderr(/series limit reached/);
  expect(server.stderr).toMatch(/"api\.request":40/);
  const keys = () => new Set(server.flushes().flatMap((f) => f.lines.map((l) => l.key)));
  await server.waitUntil(() => keys().size >= 10);
  await waitForMoreFlushes(admin, 2); // another interval: still only the 10 admitted series
  expect(keys().size).toBe(10);
});

it('accounts for every line of a mixed good and bad flood', async () => {
  const admin = await freePort();
  const server = await startServer({ args: ['--flush-interval', '1', '--admin', String(admin)] });
  const good = 'ok:1|c';
  const bad = ['x:12abc|c', ':1|c', 'nocolon', 'x:1|q', '\u00ff\u0000:1|ms|@', 'x:1|g|@0.5'];
  let sent = 0;
  let sentGood = 0;
  for (let d = 0; d < 200; d++) {
    const lines = Array.from({ length: 10 }, (_, i) => ((d + i) % 3 === 0 ? bad[(d + i) % bad.length] : good));
    sentGood += lines.filter((l) => l === good).length;
    sent += lines.length;
    await sendUdp(server.port, lines.join('\n'));
  }
  await server.waitUntil(() => sumOf(server.flushes(), 'counts.ok') === sentGood, { timeoutMs: 10_000 });
  const s = await stats(admin);
  expect(s['lines.udp'] + s['parse_errors.total']).toBe(sent);
  expect(s['lines.udp']).toBe(sentGood);
});
