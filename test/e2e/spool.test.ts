// The Graphite disk spool across a real crash: carbon is down, statsite-ts is SIGKILLed with
// flushed lines still waiting on disk, a new process starts on the same spool, carbon comes
// back — and every flushed line arrives, in order.

import { mkdtempSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { sendUdp } from '../helpers/clients.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { sleep, waitFor } from '../helpers/wait.js';

afterEach(() => stopAllServers());

it('delivers spooled lines after a SIGKILL and restart', async () => {
  const carbonPort = await freePort();
  const spool = mkdtempSync(join(tmpdir(), 'statsite-ts-spool-e2e-'));
  const sink = `graphite://127.0.0.1:${carbonPort}?spool_dir=${encodeURIComponent(spool)}`;

  const first = await startServer({ args: ['--flush-interval', '1', '--sink', sink] });
  for (let i = 1; i <= 3; i++) {
    await sendUdp(first.port, `spooled.n:${i}|c\n`);
    await sleep(1100); // one value per flush
  }
  await first.waitForStderr(/destination unreachable/);
  await first.kill(); // SIGKILL: no final flush, no goodbye

  const received: string[] = [];
  const sockets = new Set<Socket>();
  const carbon = createServer((s) => {
    sockets.add(s);
    s.on('data', (d) => received.push(...d.toString().split('\n').filter((l) => l.startsWith('statsite.counts.spooled.n '))));
  });
  await new Promise<void>((r) => carbon.listen(carbonPort, '127.0.0.1', r));
  try {
    const second = await startServer({ args: ['--flush-interval', '1', '--sink', sink] });
    await second.waitForStderr(/spool holds lines from before the restart/);
    await waitFor(() => received.length >= 3, { timeoutMs: 15_000 });
    expect(received.slice(0, 3).map((l) => l.split(' ')[1])).toEqual(['1.000000', '2.000000', '3.000000']);
  } finally {
    for (const s of sockets) s.destroy();
    carbon.close();
  }
}, 40_000);
