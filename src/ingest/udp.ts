// The UDP listener: each datagram is one or more lines, or statsite's binary messages; a datagram
// always ends the last line, and a binary message never continues in the next datagram.

import { createSocket, type Socket } from 'node:dgram';
import { parseDatagram, type Parsers } from '../protocol/parsers.js';
import type { IngestStats } from './ingest-stats.js';
import { noteDatagram } from '../util/ingest-first-pacer.js';
import { startListening, type BindTarget } from '../util/listen.js';
import { SharedSocketBackoff } from './shared-socket-backoff.js';

/** Asked of the kernel when the config leaves udp_rcvbuf at 0: bursts must not overflow it. */
export const DEFAULT_UDP_RCVBUF = 32 * 1024 * 1024;

export interface UdpListener {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function listenUdp(
  where: BindTarget,
  rcvbuf: number,
  parsers: Parsers,
  stats: IngestStats,
  onFailure: (err: Error) => void,
  /** The socket is shared with other ingest workers (see shared-socket-backoff.ts). */
  shared = false,
): Promise<UdpListener> {
  // An IPv6 address, and only one, has a colon (the address is parsed already). Not net.isIPv6:
  // its first call compiles a regex that took ~3 ms of the start-up.
  const ipv6 = 'host' in where && where.host.includes(':');
  const socket: Socket = createSocket({ type: ipv6 ? 'udp6' : 'udp4', reuseAddr: false });
  const backoff = shared ? new SharedSocketBackoff(socket) : null;
  socket.on('message', (msg) => {
    backoff?.datagram();
    stats.udpDatagrams++;
    noteDatagram();
    stats.udpBytes += msg.length;
    stats.udpLines += parseDatagram(parsers, msg);
  });
  try {
    // A passed socket that is not a datagram one throws ERR_INVALID_FD_TYPE here.
    const bind = (ready: () => void) => ('fd' in where ? socket.bind({ fd: where.fd }, ready) : socket.bind(where.port, where.host, ready));
    await startListening(socket, bind, onFailure);
  } catch (err) {
    backoff?.close();
    socket.close();
    throw err;
  }
  try {
    // The kernel caps this at net.core.rmem_max; whatever it grants is better than the default.
    socket.setRecvBufferSize(rcvbuf > 0 ? rcvbuf : DEFAULT_UDP_RCVBUF);
  } catch {
    // keep the OS default
  }
  const bound = socket.address();
  return {
    address: bound.address,
    port: bound.port,
    close: () => {
      backoff?.close();
      return new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
