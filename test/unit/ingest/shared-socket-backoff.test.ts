// A worker on a shared UDP socket stops reading for a moment after a read that found the socket
// nearly empty, never in a busy stretch, and loses nothing by it.

import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKOFF_MS, FEW_DATAGRAMS, SharedSocketBackoff } from '../../../src/ingest/shared-socket-backoff.js';
import { waitFor } from '../../helpers/wait.js';

const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

async function reader(): Promise<{ socket: Socket; backoff: SharedSocketBackoff; received: () => number; port: number }> {
  const socket = createSocket('udp4');
  const backoff = new SharedSocketBackoff(socket);
  let received = 0;
  socket.on('message', () => {
    backoff.datagram();
    received++;
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, backoff, received: () => received, port: socket.address().port };
}

async function sender(): Promise<Socket> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  return socket;
}

const send = (socket: Socket, port: number) =>
  new Promise<void>((resolve, reject) => socket.send('c:1|c', port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));

describe('SharedSocketBackoff', () => {
  it('pauses after reads of a datagram or two, and every datagram still arrives', async () => {
    const r = await reader();
    sockets.push(r.socket);
    const out = await sender();
    for (let i = 1; i <= 40; i++) {
      await send(out, r.port);
      await waitFor(() => r.received() === i, { timeoutMs: 2000, intervalMs: 1 });
    }
    expect(r.backoff.pauses).toBeGreaterThan(10);
    // Sent while paused: held by the socket, read when it resumes.
    for (let i = 0; i < 5; i++) await send(out, r.port);
    await waitFor(() => r.received() === 45, { timeoutMs: 2000, intervalMs: 1 });
  });

  it('does not pause in a busy stretch', async () => {
    const r = await reader();
    sockets.push(r.socket);
    const out = await sender();
    const burst = 6 * FEW_DATAGRAMS; // within a default receive buffer: all are sent before any is read
    await Promise.all(Array.from({ length: burst }, () => send(out, r.port)));
    await waitFor(() => r.received() === burst, { timeoutMs: 2000, intervalMs: 1 });
    // Reads of 32 datagrams (libuv's batch): none pauses, unless one read caught the sends half done.
    expect(r.backoff.pauses).toBeLessThanOrEqual(1);
  });

  it('closes while paused without reading again', async () => {
    const r = await reader();
    const out = await sender();
    const arrived = new Promise((resolve) => r.socket.once('message', resolve));
    await send(out, r.port);
    await arrived;
    // The read's end runs in this turn's check phase, before ours: the pause has begun.
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.backoff.pauses).toBe(1);
    r.backoff.close();
    await new Promise<void>((resolve) => r.socket.close(() => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 5 * BACKOFF_MS));
    expect(r.received()).toBe(1);
  });

  it('never pauses a socket whose handle it cannot find', async () => {
    const backoff = new SharedSocketBackoff({} as Socket);
    backoff.datagram();
    await new Promise((resolve) => setImmediate(resolve));
    expect(backoff.pauses).toBe(0);
  });
});
