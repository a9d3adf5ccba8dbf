// The TCP listener: each connection is a newline-framed stream of lines, or of statsite's binary
// messages (src/protocol/stream-framer.ts). A malformed binary message closes its connection only.

import { createServer, type Server, type Socket } from 'node:net';
import { closeServer, listen, type BindTarget } from '../util/listen.js';
import type { Parsers } from '../protocol/parsers.js';
import { StreamFramer } from '../protocol/stream-framer.js';
import type { Limits } from '../config/server-config.js';
import type { IngestStats } from './ingest-stats.js';

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
    close: () => closeServer(server, connections),
  };
}
