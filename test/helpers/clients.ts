// StatsD clients for tests: raw bytes over UDP and TCP on loopback.
//
// Strings are sent as latin-1 so that every char is exactly one byte, which
// is how the vector payloads are written down.

import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { sleep, within } from './wait.js';

const HOST = '127.0.0.1';

export function toBytes(payload: string | Buffer): Buffer {
  return typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
}

/** Sends one datagram. */
export function sendUdp(port: number, payload: string | Buffer): Promise<void> {
  const bytes = toBytes(payload);
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.send(bytes, port, HOST, (err) => {
      socket.close();
      if (err) reject(err);
      else resolve();
    });
  });
}

export interface TcpSendOptions {
  /** Pause between chunks, so the server sees separate reads (default 20 ms). */
  gapMs?: number;
  /**
   * After our FIN, how long to wait for the server to close its side
   * (default 2 s). A server closing means it has read everything we sent;
   * if it keeps the connection half-open we move on without resetting it,
   * since a reset could discard bytes it has not read yet.
   */
  closeWaitMs?: number;
}

function openTcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      // Later errors (e.g. a reset at server shutdown) must not crash the test worker.
      socket.on('error', () => {});
      resolve(socket);
    });
  });
}

function write(socket: Socket, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.write(bytes, (err) => (err ? reject(err) : resolve())));
}

/** One connection: writes each chunk `gapMs` apart, then ends it. */
export async function sendTcp(
  port: number,
  chunks: string | Buffer | Array<string | Buffer>,
  opts: TcpSendOptions = {},
): Promise<void> {
  const list = Array.isArray(chunks) ? chunks : [chunks];
  const gapMs = opts.gapMs ?? 20;
  const socket = await openTcp(port);
  const closed = new Promise<boolean>((resolve) => socket.once('close', () => resolve(true)));
  socket.resume(); // drain anything the server might write, so 'close' can fire
  for (let i = 0; i < list.length; i++) {
    if (i > 0) await sleep(gapMs);
    await write(socket, toBytes(list[i]!));
  }
  socket.end();
  await within(closed, opts.closeWaitMs ?? 2000, false);
}

/** Resolves once something accepts a TCP connection on 127.0.0.1:port. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Sends management-port commands (then `quit`) and resolves with everything the server answered. */
export function askManagement(port: number, commands: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = '';
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('data', (d: Buffer) => (out += d.toString()));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.write(`${commands}\nquit\n`);
  });
}
