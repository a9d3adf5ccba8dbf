// /ready tells the truth about sinks that buffer: a Graphite sink whose carbon is down can take
// lines (into its buffer) but deliver none, so /ready fails, naming it, until carbon is back.

import { afterEach, expect, it } from 'vitest';
import { health } from '../helpers/admin.js';
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
  expect(down.body.problems.join('\n')).toMatch(new RegExp(`sink graphite://127\\.0\\.0\\.1:${carbonPort}: 127\\.0\\.0\\.1:${carbonPort}: .*ECONNREFUSED`));
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
