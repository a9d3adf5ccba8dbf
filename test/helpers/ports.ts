// Free loopback ports for servers under test.
//
// statsite's `--port` opens UDP and TCP on the same number, so a port is only
// usable when both protocols are free on it: we pick a number, hold its TCP
// side, then check that UDP can bind the same number too.
//
// The numbers are random and outside the kernel's ephemeral range. A port the
// kernel hands out for port 0 comes from that range, which is also where it
// picks the source port of every outgoing connection: between freePort() and
// the server's bind, a client socket of a test running meanwhile could take it
// (a carbon-cache once failed to start so, EADDRINUSE).

import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
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

/** The kernel's ephemeral port range (Linux's default when it cannot be read). */
function ephemeralRange(): { lo: number; hi: number } {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(lo) && Number.isInteger(hi)) return { lo, hi };
  } catch {
    // not Linux, or no /proc
  }
  return { lo: 32768, hi: 60999 };
}

/** Room left below the ephemeral range for tests that use the next few numbers too (port + 1). */
const SPARE = 8;
const LOWEST = 10_000;

/** A random number from 10000 up, outside the ephemeral range, with SPARE numbers after it also outside. */
function randomCandidate(): number {
  const { lo, hi } = ephemeralRange();
  const below = Math.max(0, lo - SPARE - LOWEST);
  const above = Math.max(0, 65535 - SPARE - hi);
  const pick = Math.floor(Math.random() * (below + above));
  return pick < below ? LOWEST + pick : hi + 1 + (pick - below);
}

/** A port on 127.0.0.1 that was free for both TCP and UDP a moment ago. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = randomCandidate();
    const tcp = await bindTcp(port).catch(() => null);
    if (tcp === null) continue;
    // Check UDP while the TCP socket still holds the number, so nobody else
    // can take the TCP side in between.
    const ok = await udpIsFree(port);
    await tcp.close();
    if (ok) return port;
  }
  throw new Error('could not find a port free for both TCP and UDP on 127.0.0.1');
}
