// The UDP listener: each datagram is one or more lines, or statsite's binary messages; a datagram
// always ends the last line, and a binary message never continues in the next datagram.

import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { parseDatagram, type Parsers } from '../protocol/parsers.js';
import type { IngestStats } from './ingest-stats.js';
import { noteDatagram } from '../util/ingest-first-pacer.js';
import { startListening } from '../util/listen.js';

/** Asked of the kernel when the config leaves udp_rcvbuf at 0: bursts must not overflow it. */
export const DEFAULT_UDP_RCVBUF = 32 * 1024 * 1024;

export interface UdpListener {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function listenUdp(
  host: string,
  port: number,
  rcvbuf: number,
  parsers: Parsers,
  stats: IngestStats,
  onFailure: (err: Error) => void,
): Promise<UdpListener> {
  const socket: Socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', reuseAddr: false });
  socket.on('message', (msg) => {
    stats.udpDatagrams++;
    noteDatagram();
    stats.udpBytes += msg.length;
    stats.udpLines += parseDatagram(parsers, msg);
  });
  await startListening(socket, (ready) => socket.bind(port, host, ready), onFailure);
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
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
