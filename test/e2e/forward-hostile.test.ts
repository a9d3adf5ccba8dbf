// The forward endpoint is reachable by anyone who can reach its port: what it is sent must not
// freeze it, grow it without bound or cost the rest of an interval.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
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
  return { server, admin, post, mergePort };
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

it('decodes a snapshot as it arrives: a broken one is answered before its body has ended', async () => {
  const { server, admin, mergePort } = await globalInstance(1024 * 1024);
  const req = request({ host: '127.0.0.1', port: mergePort, method: 'POST', path: '/v1/forward' });
  const answered = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
  // A version-2 header without its source, then the body stays open: a server that read the
  // whole body before decoding it would not answer until the sender ends it.
  req.write('{"format":"statsite-ts/forward","version":2,"timestamp":1,"interval":1}\n["counters","c",[1,1]]\n');
  try {
    expect(await answered).toBe(400);
  } finally {
    req.destroy();
  }
  expect((await stats(admin))['forward.snapshots_refused']).toBe(1);
  expect(server.exitInfo).toBeUndefined();
});

it('merges a version-2 snapshot sent a few bytes at a time', async () => {
  const { server, mergePort } = await globalInstance(1024 * 1024);
  const body = Buffer.from([
    '{"format":"statsite-ts/forward","version":2,"source":"agent","timestamp":1,"interval":1,"id":"agent/1"}',
    '["counters","slow.counter",[7,2]]', '["gauges","slow.gauge",[3,1]]', '',
  ].join('\n'));
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: mergePort, method: 'POST', path: '/v1/forward' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    for (let i = 0; i < body.length; i += 3) req.write(body.subarray(i, i + 3));
    req.end();
  });
  expect(status).toBe(204);
  await server.waitForKey('counts.slow.counter');
  await server.waitForKey('gauges.slow.gauge');
});
