// The Graphite disk spool when its files are damaged while carbon is down: a segment deleted, one
// replaced by something unreadable. When carbon comes back the server keeps running, delivers
// every segment it can read, and counts the lines of the others as dropped.

import { mkdirSync, mkdtempSync, readdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { waitForStats, type Stats } from '../helpers/admin.js';
import { sendUdp } from '../helpers/clients.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { TcpReceiver } from '../helpers/tcp-receiver.js';
import { waitFor } from '../helpers/wait.js';

afterEach(() => stopAllServers());

const segments = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.spool')).sort();

it('skips a deleted and an unreadable spool segment, counts their lines, and keeps running', async () => {
  const [carbonPort, admin] = [await freePort(), await freePort()];
  const spool = mkdtempSync(join(tmpdir(), 'statsite-ts-spool-faults-'));
  const destination = join(spool, `127.0.0.1_${carbonPort}`);
  const sink = `graphite://127.0.0.1:${carbonPort}?spool_dir=${encodeURIComponent(spool)}`;
  const server = await startServer({ args: ['--flush-interval', '1', '--sink', sink, '--admin', String(admin)] });
  await server.waitForStderr(/destination unreachable/);

  // One segment per flush that had lines: four flushes of this counter.
  for (let value = 1; value <= 4; value++) {
    const before = segments(destination).length;
    await sendUdp(server.port, `spooled.n:${value}|c\n`);
    await server.waitUntil(() => segments(destination).length > before, { what: `spool segment ${value}` });
  }
  const [, deleted, unreadable] = segments(destination);
  unlinkSync(join(destination, deleted));
  unlinkSync(join(destination, unreadable));
  mkdirSync(join(destination, unreadable)); // reading it fails with EISDIR

  const carbon = new TcpReceiver();
  await carbon.start(carbonPort);
  try {
    const droppedLines = (st: Stats) => Object.entries(st).find(([k]) => k.startsWith('sinks.') && k.endsWith('.dropped_lines'))?.[1] ?? 0;
    const dropped = droppedLines(await waitForStats(admin, (st) => droppedLines(st) > 0, { timeoutMs: 15_000, what: 'dropped lines' }));
    await waitFor(() => carbon.linesStartingWith('statsite.counts.spooled.n ').length >= 2, { timeoutMs: 15_000 });
    expect(dropped).toBeGreaterThan(0);
    expect(server.exitInfo).toBeUndefined();
    expect(server.stderr).toMatch(/spool segment cannot be read; skipping it/);
  } finally {
    await carbon.stop();
  }
}, 60_000);
