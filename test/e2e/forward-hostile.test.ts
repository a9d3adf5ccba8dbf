// The forward endpoint is reachable by anyone who can reach its port: what it is sent must not
// freeze it, grow it without bound or cost the rest of an interval.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { stats } from '../helpers/admin.js';
import { sendUdp } from '../helpers/clients.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';

afterEach(() => stopAllServers());

const snapshot = (over: Record<string, unknown>) => ({
  format: 'statsite-ts/forward', version: 1, source: 'test', timestamp: 1, interval: 1,
  counters: {}, gauges: {}, sets: {}, timers: {}, kv: {}, ...over,
});

async function globalInstance(maxBodyBytes: number) {
  const [mergePort, admin] = [await freePort(), await freePort()];
  const config = join(mkdtempSync(join(tmpdir(), 'statsite-ts-forward-hostile-')), 'global.toml');
  writeFileSync(config, `[statsite]\nflush_interval = 1\n[forward]\nlisten = "127.0.0.1:${mergePort}"\nmax_body_bytes = ${maxBodyBytes}\n`);
  const server = await startServer({ args: ['--config', config, '--admin', String(admin), '--sink', 'stdout'] });
  const post = (body: string) =>
    fetch(`http://127.0.0.1:${mergePort}/v1/forward`, { method: 'POST', body, signal: AbortSignal.timeout(5000) });
  return { server, admin, post };
}

it('answers a snapshot that asks for a billion samples at once, keeping its valid series', async () => {
  const { server, admin, post } = await globalInstance(1024 * 1024);
  const huge = { count: 1, samples: 1, sum: 1, sumSquares: 1, min: 1, max: 1, exactPoints: 1e9, points: [1, 1], bins: null };
  // 1e200 squared does not fit a double: JSON carries it as null.
  const unrepresentable = { ...huge, sum: 1e200, sumSquares: null, min: 1e200, max: 1e200, exactPoints: 1, points: [1e200, 1] };
  const res = await post(JSON.stringify(snapshot({ counters: { 'kept.counter': [5, 1] }, timers: { huge, unrepresentable } })));
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ refusedSeries: 2 });
  await server.waitForKey('counts.kept.counter');
  expect((await stats(admin))['forward.series_refused']).toBe(2);
  // Still ingesting as before.
  await sendUdp(server.port!, 'after.hostile:1|c\n');
  await server.waitForKey('counts.after.hostile');
});

it('refuses a body past max_body_bytes with 413 and stays up', async () => {
  const { server, admin, post } = await globalInstance(4096);
  const res = await post(JSON.stringify(snapshot({ kv: { big: Array.from({ length: 2000 }, (_, i) => i) } })));
  expect(res.status).toBe(413);
  expect((await stats(admin))['forward.snapshots_refused']).toBe(1);
  const ok = await post(JSON.stringify(snapshot({ counters: { small: [1, 1] } })));
  expect(ok.status).toBe(204);
  await server.waitForKey('counts.small');
});

it('merges a snapshot sent again (the same id, its answer lost) only once', async () => {
  const { server, admin, post } = await globalInstance(1024 * 1024);
  const body = JSON.stringify(snapshot({ id: 'agent-1/5f3c/1700000000', counters: { 'resent.counter': [5, 1] } }));
  expect((await post(body)).status).toBe(204);
  expect((await post(body)).status).toBe(204);
  await server.waitForKey('counts.resent.counter');
  expect((await stats(admin))['forward.duplicates']).toBe(1);
  const values = server.flushes().flatMap((f) => f.lines).filter((l) => l.key === 'counts.resent.counter').map((l) => l.value);
  expect(values).toEqual(['5.000000']);
});
