// Sinks work side by side: one slow sink never delays another.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { sendUdp } from '../helpers/clients.js';
import { startServer, stopAllServers } from '../helpers/server.js';

afterEach(() => stopAllServers());

const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-sinks-'));

it('keeps flushing to stdout every interval while a stream command is stuck on its first flush', async () => {
  // The stream command waits until the test releases it: whatever stdout prints meanwhile, it
  // prints while the other sink has not finished a single delivery.
  const release = join(dir, 'release');
  const stuck = `stream:while [ ! -e ${release} ]; do sleep 0.05; done; cat > /dev/null`;
  const server = await startServer({ args: ['--flush-interval', '1', '--sink', stuck, '--sink', 'stdout'] });
  try {
    for (let i = 1; i <= 3; i++) {
      await sendUdp(server.port, `side.by.side:${i}|c\n`);
      await server.waitForFlushesWith('counts.side.by.side', i);
    }
  } finally {
    writeFileSync(release, '');
  }
  const values = server.flushes().flatMap((f) => f.lines.filter((l) => l.key === 'counts.side.by.side').map((l) => l.value));
  expect(values).toEqual(['1.000000', '2.000000', '3.000000']);
});

it('aborts a hanging sink after sink_timeout and keeps the others flushing', async () => {
  const config = join(dir, 'hang.toml');
  writeFileSync(config, '[statsite]\nflush_interval = 1\n\n[limits]\nsink_timeout = 2\n');
  const server = await startServer({ args: ['--config', config, '--sink', 'stream:sleep 3600', '--sink', 'stdout'] });
  for (let i = 1; i <= 4; i++) {
    await sendUdp(server.port, 'alive:1|c\n');
    await server.waitForFlushesWith('counts.alive', i);
  }
  await server.waitForStderr(/delivery took longer than 2 s: aborted/);
  const stop = await server.stop();
  expect(stop.code).toBe(0);
  // The killed command's children went with it.
  const left = execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((l) => l.trim() === 'sleep 3600');
  expect(left).toEqual([]);
}, 40_000);
