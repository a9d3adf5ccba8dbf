// A stop while a TCP client is still sending: what the client's kernel had already handed over
// before the SIGTERM must be read and counted in the final flush, not discarded with the socket.

import { connect } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { startServer, stopAllServers } from '../helpers/server.js';
import { sumOf } from '../helpers/stream-output.js';

afterEach(() => stopAllServers());

const LINES = 200_000;

it('reads what a TCP connection had sent before the stop, then closes it', async () => {
  const server = await startServer({ args: ['--flush-interval', '60'] });
  const socket = connect(server.port, '127.0.0.1');
  socket.on('error', () => undefined); // the server closes it at the end
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  // One burst, far more than a read takes at once: the kernel's buffers hold what is not read yet.
  await new Promise<void>((resolve) => socket.write('at.stop:1|c\n'.repeat(LINES), () => resolve()));
  const exit = await server.stop();
  socket.destroy();
  expect(exit).toMatchObject({ code: 0 });
  expect(sumOf(server.flushes(), 'counts.at.stop')).toBe(LINES);
});

it('takes the connections made just before the stop, with what they sent', async () => {
  const server = await startServer({ args: ['--flush-interval', '60'] });
  const clients = Array.from({ length: 20 }, () => connect(server.port, '127.0.0.1'));
  await Promise.all(clients.map((socket) => new Promise<void>((resolve) => {
    socket.on('error', () => undefined);
    socket.once('connect', () => socket.write('just.before:1|c\n'.repeat(1000), () => resolve()));
  })));
  const exit = await server.stop();
  for (const socket of clients) socket.destroy();
  expect(exit).toMatchObject({ code: 0 });
  expect(sumOf(server.flushes(), 'counts.just.before')).toBe(20_000);
});
