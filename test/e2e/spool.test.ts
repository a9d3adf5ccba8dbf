// The Graphite disk spool across a real crash: carbon is down, statsite-ts is SIGKILLed with
// flushed lines still waiting on disk, a new process starts on the same spool, carbon comes
// back — and every flushed line arrives, in order.

import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { sendUdp } from '../helpers/clients.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { TcpReceiver } from '../helpers/tcp-receiver.js';
import { waitFor } from '../helpers/wait.js';

const carbon = new TcpReceiver();
afterEach(async () => {
  await stopAllServers();
  await carbon.stop();
});

it('delivers spooled lines after a SIGKILL and restart', async () => {
  const carbonPort = await freePort();
  const spool = mkdtempSync(join(tmpdir(), 'statsite-ts-spool-e2e-'));
  const sink = `graphite://127.0.0.1:${carbonPort}?spool_dir=${encodeURIComponent(spool)}`;

  // stdout too, to see each flush happen while carbon is away.
  const first = await startServer({ args: ['--flush-interval', '1', '--sink', sink, '--sink', 'stdout'] });
  for (let i = 1; i <= 3; i++) {
    await sendUdp(first.port, `spooled.n:${i}|c\n`);
    await first.waitForFlushesWith('counts.spooled.n', i); // one value per flush
  }
  await first.waitForStderr(/destination unreachable/);
  // A segment is written (and fsync'd) just after its flush, off the event loop: wait for the third.
  const segments = () => readdirSync(join(spool, `127.0.0.1_${carbonPort}`)).filter((f) => f.endsWith('.spool')).length;
  await first.waitUntil(() => segments() === 3, { what: 'three segments on disk' });
  first.kill(); // SIGKILL: no final flush, no goodbye
  await first.exited;

  await carbon.start(carbonPort);
  const second = await startServer({ args: ['--flush-interval', '1', '--sink', sink] });
  await second.waitForStderr(/spool holds lines from before the restart/);
  const received = () => carbon.linesStartingWith('statsite.counts.spooled.n ');
  await waitFor(() => received().length >= 3, { timeoutMs: 15_000, what: 'the spooled lines at carbon' });
  expect(received().slice(0, 3).map((l) => l.split(' ')[1])).toEqual(['1.000000', '2.000000', '3.000000']);
}, 40_000);
