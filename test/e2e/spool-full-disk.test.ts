// The disk spool on a file system that fills up (a 1 MiB tmpfs): segments the disk will not take
// wait in memory within buffer_lines, nothing is left half-written, and once carbon is back every
// line sent is either delivered or counted as dropped — none vanish.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stats, waitForStats, type Stats } from '../helpers/admin.js';
import { sendTcp } from '../helpers/clients.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { TcpReceiver } from '../helpers/tcp-receiver.js';
import { waitFor } from '../helpers/wait.js';

let mountPoint = '';
let mounted = false;

beforeAll(() => {
  mountPoint = mkdtempSync(join(tmpdir(), 'statsite-ts-small-fs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    mounted = true;
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0];
    console.warn(`!! spool-full-disk: cannot mount a 1 MiB tmpfs (${reason}): test SKIPPED. Run as root to include it.`);
  }
});

afterAll(async () => {
  await stopAllServers();
  if (mounted) execFileSync('umount', [mountPoint]);
  rmdirSync(mountPoint);
});

const sinkValue = (s: Stats, field: string) => Object.entries(s).find(([k]) => k.startsWith('sinks.') && k.endsWith(field))?.[1] ?? 0;

it('keeps what a full disk will not take in memory, and accounts for every line', async (ctx) => {
  if (!mounted) return ctx.skip();
  const [carbonPort, admin] = [await freePort(), await freePort()];
  const sink = `graphite://127.0.0.1:${carbonPort}?spool_dir=${encodeURIComponent(mountPoint)}&buffer_lines=60000`;
  const server = await startServer({ args: ['--flush-interval', '1', '--sink', sink, '--admin', String(admin)] });
  // 10 flushes of 10k distinct counters: ~5 MB of Graphite lines for a 1 MiB file system.
  const FLUSHES = 10;
  const PER_FLUSH = 10_000;
  for (let f = 0; f < FLUSHES; f++) {
    const before = (await stats(admin)).flushes;
    const lines = Array.from({ length: PER_FLUSH }, (_, i) => `full.disk.f${f}.n${i}:1|c`);
    for (let i = 0; i < lines.length; i += 1000) await sendTcp(server.port!, lines.slice(i, i + 1000).join('\n') + '\n');
    await waitForStats(admin, (s) => s.flushes >= before + 2, { what: `flush ${f}` });
  }
  await server.waitForStderr(/cannot write the spool: keeping its lines in memory/);
  expect(server.stderr.match(/cannot write the spool/g)).toHaveLength(1); // once per outage
  expect(readdirSync(mountPoint).flatMap((d) => readdirSync(join(mountPoint, d))).filter((f) => f.endsWith('.tmp'))).toEqual([]);

  const carbon = new TcpReceiver();
  await carbon.start(carbonPort);
  try {
    const settled = await waitForStats(admin, (s) => sinkValue(s, '.buffered_lines') === 0 && sinkValue(s, '.sent_lines') > 0, {
      timeoutMs: 30_000, what: 'the backlog delivered',
    });
    const dropped = sinkValue(settled, '.dropped_lines');
    // Sent means the kernel took it: the receiver may still be reading the last of it.
    const deliveredNow = () => new Set(carbon.linesStartingWith('statsite.counts.full.disk.').map((l) => l.split(' ')[0])).size;
    const delivered = await waitFor(() => deliveredNow() + dropped >= FLUSHES * PER_FLUSH && deliveredNow(), {
      timeoutMs: 10_000, what: 'the receiver to read what was sent',
    }).catch(() => deliveredNow());
    expect(dropped).toBeGreaterThan(0); // 100k lines for 1 MiB of disk and 60k of memory
    // Each counter is one line: every one sent was delivered or is counted as dropped.
    expect(delivered + dropped).toBeGreaterThanOrEqual(FLUSHES * PER_FLUSH);
    expect(server.exitInfo).toBeUndefined();
  } finally {
    await carbon.stop();
  }
}, 90_000);
