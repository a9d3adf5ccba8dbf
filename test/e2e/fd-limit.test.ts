// Out of file descriptors: more TCP connections than `ulimit -n` allows. The connections past the
// limit are lost — libuv accepts and closes them on a descriptor it keeps in reserve, which the
// server is not told about; an accept error that does reach it is counted and logged — and the
// server itself goes on, the admin endpoint included, which has to accept connections too.

import { connect, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { health, stats } from '../helpers/admin.js';
import { sendTcp } from '../helpers/clients.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

afterEach(() => stopAllServers());

/** The server starts with about two dozen descriptors open; 64 leaves room for ~40 connections. */
const MAX_OPEN_FILES = 64;
const CONNECTIONS = 120;

function open(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', () => resolve(socket)); // refused or reset past the limit: still ours to close
  });
}

/** Connections the server closed on us (the ones it had no descriptor for). */
const closedByServer = (sockets: Socket[]) => sockets.filter((s) => s.closed || s.readableEnded).length;

it('loses only the connections past the file limit and keeps serving', async () => {
  const admin = await freePort();
  const server = await startServer({ args: ['--flush-interval', '1', '--admin', String(admin)], maxOpenFiles: MAX_OPEN_FILES });
  const sockets: Socket[] = [];
  try {
    for (let i = 0; i < CONNECTIONS; i++) sockets.push(await open(server.port!));
    // The admin endpoint needs a descriptor for this request too; it may be refused, never fatal.
    await fetch(`http://127.0.0.1:${admin}/health`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    await waitFor(() => closedByServer(sockets) > 0, { what: 'connections past the limit closed' });
    expect(server.exitInfo, server.diagnostics()).toBeUndefined();
    expect(closedByServer(sockets), server.diagnostics()).toBeLessThan(CONNECTIONS);
  } finally {
    for (const s of sockets) s.destroy();
  }
  await waitFor(async () => (await health(admin).catch(() => null))?.status === 200, { what: 'the admin endpoint back' });
  expect((await stats(admin))['connections.tcp_accept_errors']).toBeGreaterThanOrEqual(0);
  await sendTcp(server.port!, 'after.limit:1|c\n');
  await server.waitForKey('counts.after.limit');
  expect(server.exitInfo).toBeUndefined();
  expect((await health(admin)).body.ok).toBe(true);
}, 30_000);
