// What the kernel knows about a process or a socket, read from /proc (Linux only).
// Used to report CPU and RSS per server run, and the UDP receive queue (backlog) and drops.

import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/PID/stat times; 100 on every Linux we run on. */
const CLK_TCK = 100;

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The fields of /proc/PID/stat after the command name (which may hold spaces), or null. */
function statFields(pid) {
  const stat = read(`/proc/${pid}/stat`);
  return stat === null ? null : stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * CPU seconds the hypervisor took from this VM so far (steal, all CPUs), or null off Linux: a run
 * whose sections lost seconds to it measured a slower machine than the one it ran on.
 */
export function stolenSeconds() {
  const cpu = read('/proc/stat')?.split('\n', 1)[0].trim().split(/\s+/);
  return cpu?.[0] === 'cpu' && cpu.length > 8 ? Number(cpu[8]) / CLK_TCK : null;
}

/** `pid` and every process below it: a server with ingest workers is one server. */
export function processTree(pid) {
  const children = new Map();
  let names = [];
  try {
    names = readdirSync('/proc');
  } catch {
    // not Linux: just the pid
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const ppid = Number(statFields(name)?.[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(name));
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
  return tree;
}

/** User+system CPU seconds used so far by `pid` and its descendants (threads included), or null if it is gone. */
export function cpuSeconds(pid) {
  if (statFields(pid) === null) return null;
  let ticks = 0;
  for (const p of processTree(pid)) {
    const fields = statFields(p);
    if (fields !== null) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / CLK_TCK;
}

/** Resident set size now and at its peak, in bytes, of `pid` and its descendants together. */
export function memory(pid) {
  if (read(`/proc/${pid}/status`) === null) return { rss: null, peakRss: null };
  let rss = 0;
  let peakRss = 0;
  for (const p of processTree(pid)) {
    const status = read(`/proc/${p}/status`) ?? '';
    const kb = (name) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0) * 1024;
    rss += kb('VmRSS');
    peakRss += kb('VmHWM');
  }
  return { rss, peakRss };
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

/** Whether a TCP socket is listening on `port` (IPv4); with `anyState`, whether any TCP socket uses it locally. */
export function tcpListening(port, anyState = false) {
  const table = read('/proc/net/tcp');
  if (table === null) return false;
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return table.split('\n').some((line) => {
    const cols = line.trim().split(/\s+/);
    return cols.length > 3 && cols[1].endsWith(':' + hexPort) && (anyState || cols[3] === '0A');
  });
}

/** The kernel's ephemeral port range, which the bench keeps clear of. */
export function ephemeralPorts() {
  const text = read('/proc/sys/net/ipv4/ip_local_port_range');
  const [lo, hi] = (text ?? '32768 60999').trim().split(/\s+/).map(Number);
  return { lo, hi };
}

export function readSysctl(name) {
  const text = read(`/proc/sys/${name.replaceAll('.', '/')}`);
  return text === null ? null : Number(text.trim());
}

const PF_KTHREAD = 0x00200000;

/**
 * CPU seconds used so far by every user process except `excludePids`, keyed by pid. Kernel
 * threads are left out: the loopback traffic's own softirq work runs in them. Diffing two
 * snapshots tells how busy the rest of the machine was during a trial (a build or test run beside
 * the bench skews it). Children's time collected at exit (cutime) is left out on purpose: a long
 * job reaped mid-trial would count its whole life; short processes that start and end between
 * two snapshots are missed instead, so this errs low.
 */
export function otherProcessesCpu(excludePids) {
  const snapshot = new Map();
  let names;
  try {
    names = readdirSync('/proc');
  } catch {
    return snapshot;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name) || excludePids.has(Number(name))) continue;
    const f = statFields(name);
    if (f === null) continue;
    if (Number(f[6]) & PF_KTHREAD) continue;
    snapshot.set(name, (Number(f[11]) + Number(f[12])) / CLK_TCK);
  }
  return snapshot;
}

/** CPU seconds the other processes used between two snapshots. */
export function otherCpuBetween(before, after) {
  let seconds = 0;
  for (const [pid, now] of after) {
    const then = before.get(pid) ?? 0;
    seconds += now >= then ? now - then : now; // a smaller value: the pid was reused by a new process
  }
  return seconds;
}
