// Datagrams the kernel dropped for our UDP socket (receive buffer full) never reach the server,
// so only the kernel can count them: the `drops` column of /proc/net/udp and /proc/net/udp6.

import { readFileSync } from 'node:fs';

/** Sum of `drops` over the sockets bound to local `port`; null where /proc is unavailable. */
export function udpKernelDrops(port: number): number | null {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let found = false;
  let drops = 0;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 13) continue;
      const local = cols[1];
      if (local.slice(local.lastIndexOf(':') + 1) !== hexPort) continue;
      found = true;
      drops += Number(cols[cols.length - 1]) || 0;
    }
  }
  return found ? drops : null;
}
