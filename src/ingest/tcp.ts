// The TCP listener: each connection is a newline-framed stream of lines.

import { createServer, type Server, type Socket } from 'node:net';
import { LineFramer } from '../protocol/line-framer.js';
import { closeServer, listen, type BindTarget } from '../util/listen.js';
import type { LineParser } from '../protocol/parser.js';
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
  parser: LineParser,
  stats: IngestStats,
  onFailure: (err: Error) => void,
  limits: () => Limits,
): Promise<TcpListener> {
  const connections = new Set<Socket>();
  const server: Server = createServer((socket) => {
    stats.tcpConnections++;
    stats.tcpConnectionsOpen++;
    connections.add(socket);
    const { maxLineBytes, tcpIdleTimeout } = limits();
    const framer = new LineFramer(parser, maxLineBytes);
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
