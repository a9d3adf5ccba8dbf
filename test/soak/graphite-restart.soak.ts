// `npm run soak` (not part of `npm test`): SOAK_SECONDS (default 600) of mixed good and bad
// traffic over UDP and TCP into statsite-ts → real carbon-cache, with carbon restarted in the
// middle. At the end every line must be accounted for, exactly:
//   sent = received (accepted + rejected)   and   good lines = points delivered to carbon.

import { connect } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { stats, waitForStats, type Stats } from '../helpers/admin.js';
import { sendUdp } from '../helpers/clients.js';
import { startGraphite, type Graphite } from '../helpers/graphite.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { sleep, waitFor } from '../helpers/wait.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const DATAGRAMS_PER_TICK = 20;
const TICK_MS = 20;
const BAD = ['x:12abc|c', ':1|c', 'nocolon', 'x:1|q', 'x:1|g|@0.5', '\u00ff\u00fe:1|ms|@', 'y:NaN|ms'];

let graphite: Graphite | undefined;
afterAll(async () => {
  await stopAllServers();
  await graphite?.stop();
});

it(`soaks for ${SECONDS} s with a carbon restart and reconciles every line`, async () => {
  graphite = await startGraphite();
  const admin = await freePort();
  const server = await startServer({
    args: ['--flush-interval', '1', '--admin', String(admin), '--sink', `graphite://127.0.0.1:${graphite.linePort}`],
  });
  const tcp = connect({ host: '127.0.0.1', port: server.port });
  let sent = 0;
  let good = 0;
  let tick = 0;
  const end = Date.now() + SECONDS * 1000;
  let restarted = false;
  while (Date.now() < end) {
    for (let d = 0; d < DATAGRAMS_PER_TICK; d++) {
      const lines: string[] = [];
      for (let i = 0; i < 5; i++) {
        const bad = (tick + d + i) % 4 === 0;
        lines.push(bad ? BAD[(tick + d + i) % BAD.length] : `soak.ok.k${(d + i) % 50}:1|c`);
        if (!bad) good++;
      }
      sent += lines.length;
      await sendUdp(server.port, lines.join('\n'));
    }
    tcp.write(`soak.ok.tcp:1|c\nsoak.ok.tcp:12abc|c\n`);
    sent += 2;
    good += 1;
    tick++;
    if (!restarted && Date.now() > end - (SECONDS * 1000) / 2) {
      restarted = true;
      await graphite.stopCarbon();
      await sleep(Math.min(10_000, (SECONDS * 1000) / 10));
      await graphite.startCarbon();
    }
    await sleep(TICK_MS);
  }
  tcp.end();
  // Every line read, accepted or rejected (a line the kernel dropped never is: then the counts are
  // taken as they are after the bound, and the report shows udp.kernel_drops).
  const read = (st: Stats) => st['lines.udp'] + st['lines.tcp'] + st['parse_errors.total'];
  const s = await waitForStats(admin, (st) => read(st) >= sent, { timeoutMs: 30_000 }).catch(() => stats(admin));
  const received = read(s);
  const sinkKey = Object.keys(s).find((k) => k.endsWith('.dropped_lines'))!;
  const delivered = await waitFor(async () => {
    const series = await graphite!.render('sumSeries(statsite.counts.soak.ok.*)', `-${SECONDS + 120}s`);
    const total = series.flatMap((x) => x.datapoints.map(([v]) => v ?? 0)).reduce((a, b) => a + b, 0);
    return total === good && total;
  }, { timeoutMs: 60_000 }).catch(async () => {
    const series = await graphite!.render('sumSeries(statsite.counts.soak.ok.*)', `-${SECONDS + 120}s`);
    return series.flatMap((x) => x.datapoints.map(([v]) => v ?? 0)).reduce((a, b) => a + b, 0);
  });
  const report = {
    seconds: SECONDS,
    sent,
    received,
    accepted: s['lines.udp'] + s['lines.tcp'],
    rejected: s['parse_errors.total'],
    goodLinesSent: good,
    delivered,
    sinkDroppedLines: s[sinkKey],
    udpKernelDrops: s['udp.kernel_drops'],
  };
  console.log('soak report', JSON.stringify(report, null, 2));
  expect(received).toBe(sent);
  expect(report.accepted).toBe(good);
  expect(report.sinkDroppedLines).toBe(0);
  expect(delivered).toBe(good);
}, (SECONDS + 300) * 1000);
