// Whether the server has read every datagram sent to it, from the kernel's side: the receive
// queues of the UDP sockets bound to a port (/proc/net/udp{,6}, `rx_queue`). On loopback a sent
// datagram is queued before send() returns, and a Node process handles each datagram it reads in
// the same turn, so an empty queue means every datagram sent so far has been parsed. For ingest
// workers, whose counts reach /stats only at their hand-over, this is the only such signal.

import { readFileSync } from 'node:fs';
import { waitFor, type WaitOptions } from './wait.js';

/** Bytes queued, unread, on the UDP sockets bound to local `port`; null if there are none. */
export function udpQueuedBytes(port: number): number | null {
  const hexPort = ':' + port.toString(16).toUpperCase().padStart(4, '0');
  let found = false;
  let queued = 0;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue; // no IPv6
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue …
      const cols = line.trim().split(/\s+/);
      if (cols.length < 5 || !cols[1].endsWith(hexPort)) continue;
      found = true;
      queued += parseInt(cols[4].split(':')[1], 16);
    }
  }
  return found ? queued : null;
}

/** Waits until every datagram sent to `port` so far has been read. */
export function waitForUdpRead(port: number, opts: WaitOptions = {}): Promise<true> {
  return waitFor(() => udpQueuedBytes(port) === 0, { what: `the datagrams queued on udp port ${port} to be read`, ...opts });
}
