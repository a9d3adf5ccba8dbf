// `npm run soak` (not part of `npm test`): SOAK_SECONDS (default 600) of mixed good and bad
// traffic over UDP and TCP into statsite-ts → a real carbon-cache, with faults mixed in:
//   - SIGHUPs (a reload of the same config) every minute;
//   - carbon that stops reading (SIGSTOP) for a while: the sender must find the stall, keep every
//     line the peer may not have read, and send it again;
//   - carbon restarted (down for a while);
//   - the Graphite spool on a small tmpfs (root only; else on the ordinary disk, said loudly), so
//     the outages fill it and its lines wait in memory.
// At the end every line is accounted for, exactly:
//   sent = read (accepted + rejected), good lines = accepted = the sum the server flushed,
//   points the server rendered for carbon = points carbon stored + points the sink counted as
//   dropped, and — when it dropped none — the sum carbon stored = the good lines.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { stats, waitForStats, type Stats } from '../helpers/admin.js';
import { sendUdp } from '../helpers/clients.js';
import { startGraphite, type Graphite } from '../helpers/graphite.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { sleep, waitFor } from '../helpers/wait.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const DATAGRAMS_PER_TICK = 20;
const LINES_PER_DATAGRAM = 5;
const TICK_MS = 20;
/** Series the good lines spread over: enough bytes per flush that an outage fills the small spool. */
const KEYS = 500;
const SPOOL_TMPFS = '256k';
const BAD = ['x:12abc|c', ':1|c', 'nocolon', 'x:1|q', '\u00ff\u00fe:1|ms|@', 'y:NaN|ms'];

const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-soak-'));
const spool = join(dir, 'spool');
let tmpfsMounted = false;
let graphite: Graphite | undefined;

afterAll(async () => {
  await stopAllServers();
  await graphite?.stop();
  if (tmpfsMounted) execFileSync('umount', [spool]);
});

/** The spool on a tmpfs of SPOOL_TMPFS, when this process may mount one. */
function mountSmallSpool(): void {
  mkdirSync(spool, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${SPOOL_TMPFS}`, 'tmpfs', spool], { stdio: 'pipe' });
    tmpfsMounted = true;
  } catch (err) {
    console.warn(`\n*** soak: cannot mount a ${SPOOL_TMPFS} tmpfs for the spool (${String(err).split('\n')[0]}); ` +
      'the spool runs on the ordinary disk and the full-disk fault is not part of this run ***\n');
  }
}

/** Sum and number of the non-null points carbon stored under `target`. */
async function stored(target: string): Promise<{ sum: number; points: number }> {
  const series = await graphite!.render(target, `-${SECONDS + 300}s`);
  const values = series.flatMap((s) => s.datapoints.map(([v]) => v)).filter((v): v is number => v !== null);
  return { sum: values.reduce((a, b) => a + b, 0), points: values.length };
}

const SOAK = `soaks for ${SECONDS} s with SIGHUPs, a carbon that stops reading, a carbon restart and a full spool, `
  + 'and reconciles every line';
it(SOAK, async () => {
  graphite = await startGraphite();
  mountSmallSpool();
  const admin = await freePort();
  const config = join(dir, 'soak.toml');
  writeFileSync(config, [
    '[statsite]', 'flush_interval = 1',
    '[[sinks]]', 'type = "stdout"',
    '[[sinks]]', 'type = "graphite"', 'host = "127.0.0.1"', `port = ${graphite.linePort}`, 'timeout = 3', `spool_dir = "${spool}"`,
    '',
  ].join('\n'));
  const server = await startServer({ args: ['--config', config, '--admin', String(admin)] });
  const tcp = connect({ host: '127.0.0.1', port: server.port });
  const faults = { sighups: 0, blackholeSeconds: 0, carbonDownSeconds: 0 };
  const outage = Math.min(20_000, (SECONDS * 1000) / 20);
  // When each fault happens, as a share of the run.
  const schedule: Array<{ at: number; run: () => Promise<void> }> = [
    { at: 0.25, run: async () => {
      graphite!.pauseCarbon();
      await sleep(outage);
      graphite!.resumeCarbon();
      faults.blackholeSeconds += outage / 1000;
    } },
    { at: 0.5, run: async () => {
      await graphite!.stopCarbon();
      await sleep(outage);
      await graphite!.startCarbon();
      faults.carbonDownSeconds += outage / 1000;
    } },
  ];
  for (let t = 60; t < SECONDS; t += 60) {
    schedule.push({ at: t / SECONDS, run: async () => {
      process.kill(server.pid, 'SIGHUP');
      faults.sighups++;
    } });
  }
  schedule.sort((a, b) => a.at - b.at);

  let sent = 0;
  let good = 0;
  let tick = 0;
  const start = Date.now();
  const end = start + SECONDS * 1000;
  while (Date.now() < end) {
    for (let d = 0; d < DATAGRAMS_PER_TICK; d++) {
      const lines: string[] = [];
      for (let i = 0; i < LINES_PER_DATAGRAM; i++) {
        const n = tick * DATAGRAMS_PER_TICK * LINES_PER_DATAGRAM + d * LINES_PER_DATAGRAM + i;
        const bad = n % 4 === 0;
        lines.push(bad ? BAD[(n >> 2) % BAD.length] : `soak.ok.k${n % KEYS}:1|c`);
        if (!bad) good++;
      }
      sent += lines.length;
      await sendUdp(server.port, lines.join('\n'));
    }
    tcp.write('soak.ok.tcp:1|c\nsoak.ok.tcp:12abc|c\n');
    sent += 2;
    good += 1;
    tick++;
    // A fault runs beside the traffic, which goes on meanwhile.
    while (schedule.length > 0 && Date.now() - start >= schedule[0].at * SECONDS * 1000) void schedule.shift()!.run();
    await sleep(TICK_MS);
  }
  tcp.end();
  // A fault still under way ends before the accounting (the last one is a SIGHUP, which is immediate).
  await waitFor(() => graphite!.caches.every((c) => c.running), { timeoutMs: outage + 30_000, what: 'carbon back' });

  // Every line read, accepted or rejected (a datagram the kernel dropped never is: the report then
  // shows udp.kernel_drops and the first check fails).
  const read = (st: Stats) => st['lines.udp'] + st['lines.tcp'] + st['parse_errors.total'];
  const s = await waitForStats(admin, (st) => read(st) >= sent, { timeoutMs: 30_000 }).catch(() => stats(admin));
  // The one Graphite sink is named by its type (sink-names.ts), whatever carbon's address.
  const sinkKey = 'sinks.graphite.dropped_lines';
  const bufferedKey = 'sinks.graphite.buffered_lines';
  // Everything flushed has left the sink's queue (or was counted as dropped).
  const settled = await waitForStats(admin, (st) => st[bufferedKey] === 0 && st.flushes > s.flushes + 2, { timeoutMs: 120_000 })
    .catch(() => stats(admin));

  const printed = server.flushes().flatMap((f) => f.lines).filter((l) => l.key.startsWith('counts.soak.ok.'));
  const flushedSum = printed.reduce((n, l) => n + Number(l.value), 0);
  const dropped = settled[sinkKey];
  const target = 'statsite.counts.soak.ok.*';
  const delivered = await waitFor(async () => {
    const now = await stored(target);
    return now.points + dropped === printed.length && now;
  }, { timeoutMs: 120_000, intervalMs: 2000 }).catch(() => stored(target));

  const report = {
    seconds: SECONDS,
    faults: { ...faults, spoolOnTmpfs: tmpfsMounted ? SPOOL_TMPFS : false },
    sent,
    read: read(s),
    accepted: s['lines.udp'] + s['lines.tcp'],
    rejected: s['parse_errors.total'],
    goodLinesSent: good,
    flushedSum,
    pointsRendered: printed.length,
    pointsStored: delivered.points,
    pointsDropped: dropped,
    sumStored: delivered.sum,
    stillBuffered: settled[bufferedKey],
    udpKernelDrops: s['udp.kernel_drops'],
    reloads: (server.stderr.match(/configuration reloaded/g) ?? []).length,
    stalls: (server.stderr.match(/destination stalled: reconnecting/g) ?? []).length,
    spoolWriteFailures: (server.stderr.match(/cannot write the spool/g) ?? []).length,
  };
  console.log('soak report', JSON.stringify(report, null, 2));
  expect(report.read).toBe(sent);
  expect(report.accepted).toBe(good);
  expect(flushedSum).toBe(good);
  expect(report.reloads).toBe(faults.sighups);
  expect(report.stillBuffered).toBe(0);
  expect(delivered.points + dropped).toBe(printed.length);
  if (dropped === 0) expect(delivered.sum).toBe(good);
  expect(server.exitInfo).toBeUndefined();
}, (SECONDS + 600) * 1000);
