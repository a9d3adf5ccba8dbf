// What the kernel knows about a process or a socket, read from /proc (Linux only).
// Used to report CPU and RSS per server run, and the UDP receive queue (backlog) and drops.

import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/PID/stat times; 100 on every Linux we run on. */
const CLK_TCK = 100;

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** User+system CPU seconds used so far by `pid` (its threads included), or null if it is gone. */
export function cpuSeconds(pid) {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // The command name may hold spaces; fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLK_TCK;
}

/** Resident set size now and at its peak, in bytes. */
export function memory(pid) {
  const status = read(`/proc/${pid}/status`);
  if (status === null) return { rss: null, peakRss: null };
  const kb = (name) => {
    const m = status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) * 1024 : null;
  };
  return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
}

/**
 * The IPv4 UDP socket bound to `port`: bytes waiting in its receive queue (the server's backlog,
 * counted as the kernel's buffer truesize) and datagrams it dropped for want of buffer space.
 */
export function udpSocket(port) {
  const table = read('/proc/net/udp');
  if (table === null) return null;
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 13 || !cols[1].endsWith(':' + hexPort)) continue;
    const [, rxQueue] = cols[4].split(':');
    return { rxQueue: parseInt(rxQueue, 16), drops: Number(cols[12]) };
  }
  return null;
}

/** Whether a TCP socket is listening on `port` (IPv4). */
export function tcpListening(port) {
  const table = read('/proc/net/tcp');
  if (table === null) return false;
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return table.split('\n').some((line) => {
    const cols = line.trim().split(/\s+/);
    return cols.length > 3 && cols[1].endsWith(':' + hexPort) && cols[3] === '0A';
  });
}

export function readSysctl(name) {
  const text = read(`/proc/sys/${name.replaceAll('.', '/')}`);
  return text === null ? null : Number(text.trim());
}
