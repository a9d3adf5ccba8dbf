// etsy's management port under load and abuse: state changes only when allowed, replies as long
// as the current bucket, clients that never read them, and clients that flood it with commands.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { health, stats, waitForStats } from '../helpers/admin.js';
import { askManagement, sendTcp, sendUdp } from '../helpers/clients.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';

afterEach(() => stopAllServers());

const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-management-'));

async function withManagement(extra = '') {
  const [mgmt, admin] = [await freePort(), await freePort()];
  const config = join(dir, `m${mgmt}.toml`);
  const adminTable = `[admin]\nmanagement = "127.0.0.1:${mgmt}"\nhttp = "127.0.0.1:${admin}"\n${extra}`;
  writeFileSync(config, `[statsite]\nflush_interval = 60\n${adminTable}`);
  const server = await startServer({ args: ['--config', config] });
  const ask = (commands: string) => askManagement(mgmt, commands);
  return { server, admin, mgmt, ask };
}

it('refuses health down unless [admin] management_write is on', async () => {
  const ro = await withManagement();
  expect(await ro.ask('health down')).toBe('ERROR: [admin] management_write is off\n');
  expect((await health(ro.admin)).status).toBe(200);
  expect((await stats(ro.admin))['management.refused']).toBe(1);

  const rw = await withManagement('management_write = true\n');
  expect(await rw.ask('health down')).toBe('health: down\n');
  expect((await health(rw.admin)).status).toBe(503);
});

it('writes a long counters reply that parses as the JSON etsy prints, while a client that never reads stalls nothing', async () => {
  const { server, admin, mgmt, ask } = await withManagement();
  const SERIES = 20_000;
  const lines = Array.from({ length: SERIES }, (_, i) => `many.series.n${i}:${i}|c`);
  for (let i = 0; i < lines.length; i += 500) await sendTcp(server.port!, lines.slice(i, i + 500).join('\n') + '\n');
  await waitForStats(admin, (s) => s['lines.tcp'] >= SERIES, { what: 'every series counted' });

  // 40 replies of a few MB each that are never read: the server stops reading this client.
  const reader: Socket = connect({ host: '127.0.0.1', port: mgmt });
  await new Promise((resolve) => reader.once('connect', resolve));
  reader.pause();
  reader.write('counters\n'.repeat(40));
  try {
    // Ingest and the admin endpoint go on meanwhile.
    await sendUdp(server.port!, 'still.ingesting:1|c\n');
    await waitForStats(admin, (s) => s['lines.udp'] >= 1, { what: 'ingest during the stalled replies' });
    expect((await health(admin)).status).toBe(200);

    const reply = await ask('counters');
    const parsed = JSON.parse(reply.replace(/\nEND\n\n$/, '')) as Record<string, number>;
    expect(Object.keys(parsed)).toHaveLength(SERIES + 1);
    expect(parsed['many.series.n123']).toBe(123);
    expect(reply.startsWith('{\n  "many.series.n0": 0,\n  "many.series.n1": 1,')).toBe(true);
  } finally {
    reader.destroy();
  }
}, 60_000);

it('cuts off a client that sends more commands at once than it may queue, and counts it', async () => {
  const { admin, ask } = await withManagement();
  const reply = await ask('stats\n'.repeat(200));
  expect(reply.endsWith('ERROR\n')).toBe(true);
  expect((await stats(admin))['management.refused']).toBe(1);
  expect(await ask('health')).toBe('health: up\n');
});
