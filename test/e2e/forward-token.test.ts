// [forward] token: the global instance takes snapshots only with the shared bearer token, which the
// forwarding instances send; without it a POST is refused with 401 and counted.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { stats, waitForStats } from '../helpers/admin.js';
import { sendUdp } from '../helpers/clients.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';

afterEach(() => stopAllServers());

it('merges what a forwarder with the token sends and refuses a POST without it', async () => {
  const [mergePort, admin] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-forward-token-'));
  const env = { ...process.env, STATSITE_TEST_FORWARD_TOKEN: 's3cret-token' };
  const globalConfig = join(dir, 'global.toml');
  const token = 'token = "env:STATSITE_TEST_FORWARD_TOKEN"';
  writeFileSync(globalConfig, `[statsite]\nflush_interval = 1\n[forward]\nlisten = "127.0.0.1:${mergePort}"\n${token}\n`);
  const localConfig = join(dir, 'local.toml');
  writeFileSync(localConfig, `[statsite]\nflush_interval = 1\n[forward]\nurl = "http://127.0.0.1:${mergePort}/v1/forward"\n${token}\n`);
  const global = await startServer({ args: ['--config', globalConfig, '--admin', String(admin), '--sink', 'stdout'], env });
  const local = await startServer({ args: ['--config', localConfig], env });

  await sendUdp(local.port, 'with.token:3|c\n');
  await global.waitForKey('counts.with.token');

  const body = JSON.stringify({
    format: 'statsite-ts/forward', version: 1, source: 'x', timestamp: 1, interval: 1,
    counters: { 'without.token': [1, 1] }, gauges: {}, sets: {}, timers: {}, kv: {},
  });
  const url = `http://127.0.0.1:${mergePort}/v1/forward`;
  expect((await fetch(url, { method: 'POST', body })).status).toBe(401);
  const wrong = await fetch(url, { method: 'POST', body, headers: { authorization: 'Bearer s3cret-tokeN' } });
  expect(wrong.status).toBe(401);
  await waitForStats(admin, (s) => s['forward.unauthorized'] === 2, { what: 'two refusals counted' });
  expect((await stats(admin))['forward.snapshots_merged']).toBeGreaterThanOrEqual(1);
  expect(global.stdout).not.toMatch(/without\.token/);
});
