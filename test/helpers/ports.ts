// Free loopback ports for servers under test.
//
// statsite's `--port` opens UDP and TCP on the same number, so a port is only
// usable when both protocols are free on it: we let the kernel pick a TCP
// port, then check that UDP can bind the same number too.

import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const HOST = '127.0.0.1';

function bindTcp(port: number): Promise<{ port: number; close: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: HOST, port, exclusive: true }, () => {
      const addr = server.address();
      if (addr === null || typeof addr === 'string') {
        reject(new Error('unexpected TCP address'));
        return;
      }
      resolve({ port: addr.port, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

function udpIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ address: HOST, port, exclusive: true }, () => {
      socket.close(() => resolve(true));
    });
  });
}

/** A port on 127.0.0.1 that was free for both TCP and UDP a moment ago. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const tcp = await bindTcp(0);
    // Check UDP while the TCP socket still holds the number, so nobody else
    // can take the TCP side in between.
    const ok = await udpIsFree(tcp.port);
    await tcp.close();
    if (ok) return tcp.port;
  }
  throw new Error('could not find a port free for both TCP and UDP on 127.0.0.1');
}
