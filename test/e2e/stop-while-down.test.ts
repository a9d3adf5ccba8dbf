// Stopping while a destination is down: what was buffered in memory for it is lost with the
// process, and said so with a count; what a disk spool holds stays for the next start.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { waitForStats } from '../helpers/admin.js';
import { sendUdp } from '../helpers/clients.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';

afterEach(() => stopAllServers());

async function stopWithCarbonDown(sinkQuery: string): Promise<{ code: number | null; stderr: string }> {
  const [carbonPort, admin] = [await freePort(), await freePort()];
  const sink = `graphite://127.0.0.1:${carbonPort}${sinkQuery}`;
  const server = await startServer({ args: ['--flush-interval', '1', '--sink', sink, '--admin', String(admin)] });
  await sendUdp(server.port, 'lost.one:1|c\nlost.two:2|c\n');
  const buffered = (s: Record<string, number>) => Object.entries(s).some(([k, v]) => k.endsWith('.buffered_lines') && v >= 2);
  await waitForStats(admin, buffered, { what: 'the flushed lines buffered for the carbon that is down' });
  const exit = await server.stop();
  return { code: exit.code, stderr: server.stderr };
}

it('counts the lines a memory buffer loses at stop, in the log and the shutdown line', async () => {
  const { code, stderr } = await stopWithCarbonDown('');
  expect(code).toBe(0);
  expect(stderr).toMatch(/closing with lines still queued; they are dropped/);
  const stopped = stderr.split('\n').find((l) => l.includes('statsite-ts stopped'))!;
  expect(JSON.parse(stopped).droppedLines).toBeGreaterThanOrEqual(2);
});

it('keeps what a disk spool holds, and drops nothing', async () => {
  const spool = mkdtempSync(join(tmpdir(), 'statsite-ts-stop-spool-'));
  const { code, stderr } = await stopWithCarbonDown(`?spool_dir=${encodeURIComponent(spool)}`);
  expect(code).toBe(0);
  expect(stderr).toMatch(/closing with lines in the spool; they go first at the next start/);
  const stopped = stderr.split('\n').find((l) => l.includes('statsite-ts stopped'))!;
  expect(JSON.parse(stopped).droppedLines).toBe(0);
});
