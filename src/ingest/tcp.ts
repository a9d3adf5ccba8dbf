// The TCP listener: each connection is a newline-framed stream of lines, or of statsite's binary
// messages (src/protocol/stream-framer.ts). A malformed binary message closes its connection only.

import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeServer, listen, type BindTarget } from '../util/listen.js';
import type { Parsers } from '../protocol/parsers.js';
import { StreamFramer } from '../protocol/stream-framer.js';
import type { Limits } from '../config/server-config.js';
import type { IngestStats } from './ingest-stats.js';

/**
 * At close, connections are accepted and read on until nothing has come for this long (ms)… —
 * what a client had sent before the stop sits in the kernel's buffers, and closing its socket at
 * once would throw it away.
 */
const QUIET_MS = 200;
/** …or at most this long: a client that never pauses must not hold the stop up. */
const DRAIN_MS = 2000;

export interface TcpListener {
  readonly address: string;
  readonly port: number;
  /** Stops accepting, lets open connections deliver what they sent, then closes them. */
  close(): Promise<void>;
}

export async function listenTcp(
  where: BindTarget,
  parsers: Parsers,
  stats: IngestStats,
  onFailure: (err: Error) => void,
  limits: () => Limits,
  /** A connection was closed at a malformed binary message: for a rate-limited log line. */
  onBinaryFault: (fields: Record<string, unknown>) => void,
): Promise<TcpListener> {
  const connections = new Set<Socket>();
  /** Reads on any connection: at close, the sign that data is still coming. */
  let reads = 0;
  const server: Server = createServer((socket) => {
    stats.tcpConnections++;
    stats.tcpConnectionsOpen++;
    connections.add(socket);
    const { maxLineBytes, tcpIdleTimeout } = limits();
    const framer = new StreamFramer(parsers, maxLineBytes);
    // A client that goes quiet (or half-open, its host gone) must not hold a slot forever.
    if (tcpIdleTimeout > 0) {
      socket.setTimeout(tcpIdleTimeout * 1000, () => {
        stats.tcpIdleClosed++;
        stats.tcpLines += framer.end();
        socket.destroy();
      });
    }
    socket.on('data', (chunk: Buffer) => {
      reads++;
      stats.tcpBytes += chunk.length;
      stats.tcpLines += framer.push(chunk);
      if (framer.fault !== null && !socket.destroyed) {
        stats.tcpBinaryFaultsClosed++;
        onBinaryFault({ reason: framer.fault, client: `${socket.remoteAddress}:${socket.remotePort}` });
        socket.destroy();
      }
    });
    socket.on('end', () => {
      stats.tcpLines += framer.end();
      socket.end();
    });
    // A reset connection is the client's business; what it sent before still counts, its unfinished
    // last line too, as at a close (end() is a no-op once the stream has ended).
    socket.on('error', () => undefined);
    socket.on('close', () => {
      stats.tcpLines += framer.end();
      stats.tcpConnectionsOpen--;
      connections.delete(socket);
    });
  });
  server.maxConnections = limits().tcpMaxConnections;
  // Past maxConnections Node closes new connections at once; count them so it is not silent.
  server.on('drop', () => stats.tcpRefused++);
  const boundPort = await listen(server, where, onFailure);
  const bound = server.address();
  return {
    address: typeof bound === 'object' && bound !== null ? bound.address : '',
    port: boundPort,
    close: async () => {
      // Still accepting meanwhile: a connection the kernel completed just before the stop waits
      // in the backlog, and closing the listener would reset it with what it sent.
      const deadline = Date.now() + DRAIN_MS;
      let before: number;
      do {
        before = reads + stats.tcpConnections;
        await sleep(QUIET_MS);
      } while (reads + stats.tcpConnections !== before && Date.now() < deadline);
      await closeServer(server, connections);
    },
  };
}
