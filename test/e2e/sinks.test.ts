// Sinks work side by side: one slow sink never delays another.

import { afterEach, expect, it } from 'vitest';
import { sendUdp } from '../helpers/clients.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { sleep } from '../helpers/wait.js';

afterEach(() => stopAllServers());

it('keeps flushing to stdout every interval while a stream command takes seconds per flush', async () => {
  const server = await startServer({
    args: ['--flush-interval', '1', '--sink', 'stream:sleep 3; cat > /dev/null', '--sink', 'stdout'],
  });
  for (let i = 0; i < 4; i++) {
    await sendUdp(server.port, `side.by.side:${i + 1}|c\n`);
    await sleep(1000);
  }
  await server.waitUntil(() => server.flushes().filter((f) => f.lines.some((l) => l.key === 'counts.side.by.side')).length >= 3);
  const values = server.flushes().flatMap((f) => f.lines.filter((l) => l.key === 'counts.side.by.side').map((l) => Number(l.value)));
  expect(values.length).toBeGreaterThanOrEqual(3);
}, 30_000);

it('aborts a hanging sink after sink_timeout and keeps the others flushing', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-sinks-'));
  const config = join(dir, 'hang.toml');
  writeFileSync(config, '[statsite]\nflush_interval = 1\n\n[limits]\nsink_timeout = 2\n');
  const server = await startServer({ args: ['--config', config, '--sink', 'stream:sleep 3600', '--sink', 'stdout'] });
  for (let i = 0; i < 6; i++) {
    await sendUdp(server.port, 'alive:1|c\n');
    await sleep(1000);
  }
  await server.waitForStderr(/delivery took longer than 2 s: aborted/);
  expect(server.flushes().filter((f) => f.lines.some((l) => l.key === 'counts.alive')).length).toBeGreaterThanOrEqual(4);
  const stop = await server.stop();
  expect(stop.code).toBe(0);
  // The killed command's children went with it.
  const { execFileSync } = await import('node:child_process');
  const left = execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((l) => l.trim() === 'sleep 3600');
  expect(left).toEqual([]);
}, 40_000);
