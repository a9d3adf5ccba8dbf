// /ready tells the truth about sinks that buffer: a Graphite sink whose carbon is down can take
// lines (into its buffer) but deliver none, so /ready fails, naming it, until carbon is back.

import { writeFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { health, stats } from '../helpers/admin.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { TcpReceiver } from '../helpers/tcp-receiver.js';
import { tempFiles } from '../helpers/temp-files.js';
import { waitFor } from '../helpers/wait.js';

afterEach(() => stopAllServers());

it('fails /ready while carbon is down, naming the sink, and passes once it is back', async () => {
  const [carbonPort, admin] = [await freePort(), await freePort()];
  await startServer({ args: ['--flush-interval', '1', '--sink', `graphite://127.0.0.1:${carbonPort}`, '--admin', String(admin)] });
  const down = await waitFor(async () => {
    const r = await health(admin, '/ready');
    return r.status === 503 && r;
  }, { what: '/ready to fail' });
  // The sink is named by its type, never by its address; the address is its destination.
  expect(down.body.problems.join('\n')).toMatch(new RegExp(`sink graphite: 127\\.0\\.0\\.1:${carbonPort}: .*ECONNREFUSED`));
  expect(down.body.sinks).toMatchObject([{ name: 'graphite', destination: `graphite://127.0.0.1:${carbonPort}` }]);
  // Liveness is another matter: the server itself is fine, and says which sink is degraded.
  const live = await health(admin);
  expect(live.status).toBe(200);
  expect(live.body.degraded).toEqual([expect.stringMatching(/^sink graphite: .*ECONNREFUSED/)]);

  const carbon = new TcpReceiver();
  await carbon.start(carbonPort);
  try {
    await waitFor(async () => (await health(admin, '/ready')).status === 200, { timeoutMs: 15_000, what: '/ready once carbon is back' });
    expect((await health(admin)).body.degraded).toEqual([]);
  } finally {
    await carbon.stop();
  }
}, 30_000);

it('/health shows a refused reload with its file, key and reason until a reload is applied, and stays 200', async () => {
  const { file } = tempFiles('statsite-ts-ready-');
  const admin = await freePort();
  const good = `[statsite]\nflush_interval = 1\n\n[admin]\nhttp = "127.0.0.1:${admin}"\n`;
  const config = file('reloaded.toml', good);
  const server = await startServer({ args: ['--config', config] });
  writeFileSync(config, good.replace('flush_interval = 1', 'flush_interval = "soon"'));
  process.kill(server.pid, 'SIGHUP');
  const refused = await waitFor(async () => {
    const r = await health(admin);
    return r.body.lastReload !== null && r;
  }, { what: 'the refused reload on /health' });
  expect(refused.status).toBe(200);
  expect(refused.body.lastReload).toMatchObject({
    ok: false, file: config, key: 'statsite.flush_interval', reason: expect.stringMatching(/expected a number/),
  });
  writeFileSync(config, good);
  process.kill(server.pid, 'SIGHUP');
  await server.waitForStderr(/configuration reloaded/);
  expect((await health(admin)).body.lastReload).toEqual({ at: expect.any(String), ok: true, error: null });
});

it('names sinks by type, numbered per type, or by ?name=: /ready and the /stats keys carry the name, never an address', async () => {
  const [carbonPort, admin] = [await freePort(), await freePort()];
  const carbon = `graphite://127.0.0.1:${carbonPort}`;
  await startServer({
    args: ['--flush-interval', '1', '--admin', String(admin),
      '--sink', carbon, '--sink', `${carbon}?prefix=b.`, '--sink', `${carbon}?name=archive&prefix=c.`, '--sink', 'stdout'],
  });
  const ready = await health(admin, '/ready');
  expect(ready.body.sinks!.map((s) => s.name)).toEqual(['graphite', 'graphite_2', 'archive', 'stdout']);
  const keys = Object.keys(await stats(admin)).filter((k) => k.startsWith('sinks.'));
  for (const name of ['graphite', 'graphite_2', 'archive']) {
    const fields = ['sent_lines', 'dropped_lines', 'buffered_lines'];
    expect(keys).toEqual(expect.arrayContaining(fields.map((field) => `sinks.${name}.${field}`)));
  }
  expect(keys).toContain('sinks.stdout.timeouts');
  expect(keys.filter((k) => k.includes('127'))).toEqual([]);
}, 30_000);
