// /ready tells the truth about sinks that buffer: a Graphite sink whose carbon is down can take
// lines (into its buffer) but deliver none, so /ready fails, naming it, until carbon is back.

import { afterEach, expect, it } from 'vitest';
import { health, stats } from '../helpers/admin.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { TcpReceiver } from '../helpers/tcp-receiver.js';
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
  // Liveness is another matter: the server itself is fine.
  expect((await health(admin)).status).toBe(200);

  const carbon = new TcpReceiver();
  await carbon.start(carbonPort);
  try {
    await waitFor(async () => (await health(admin, '/ready')).status === 200, { timeoutMs: 15_000, what: '/ready once carbon is back' });
  } finally {
    await carbon.stop();
  }
}, 30_000);

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
