// UDP throughput: one trial sends a bounded burst at a target rate and counts what the server
// flushed; a search doubles the rate until a trial fails, then bisects between the last pass
// and the first failure. The result is the highest rate that passed.

import { setTimeout as sleep } from 'node:timers/promises';
import { sendTcp, sendUdp } from './loadgen.mjs';
import { cpuSeconds, memory, otherCpuBetween, otherProcessesCpu, processTree, udpSocket } from './proc.mjs';

/** Loss allowed in a passing trial (lines flushed vs lines sent). */
export const MAX_LOSS = 0.001;
/**
 * Backlog allowed in the server's socket when the generator stops. A 32 MiB buffer can hide a
 * few percent of overload for a 1.5 s burst; a server that keeps up has (nearly) nothing queued.
 */
export const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;
/** Seconds of load per trial. */
export const TRIAL_S = 1.5;
/** Other processes busier than this (in cores, over a trial) mark the trial as disturbed. */
export const DISTURBED_LOAD = 0.1;
const SETTLE_TIMEOUT_MS = 20_000;

/**
 * Waits until the server has flushed `expected` more than `before`, or has gone quiet: its
 * socket queue empty and no new flushed lines for longer than a flush interval.
 */
async function settle(server, type, before, expected, quietMs) {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  const loadEnd = Date.now();
  while (Date.now() < deadline) {
    const counted = server.tally.get(type, 'k') - before;
    if (counted >= expected) return counted;
    const quietSince = Math.max(loadEnd, server.tally.lastChangeAt);
    if (Date.now() - quietSince > quietMs && (udpSocket(server.port)?.rxQueue ?? 0) === 0) return counted;
    await sleep(25);
  }
  return server.tally.get(type, 'k') - before;
}

/** One burst of `rate` lines/s for TRIAL_S seconds; returns what was sent and what came out. */
export async function trial(server, gen, { rate, perDgram, keys, type, flushS }) {
  const before = server.tally.get(type, 'k');
  const ours = new Set([...processTree(server.pid), process.pid]);
  const othersBefore = otherProcessesCpu(ours);
  const startedAt = Date.now();
  const cpuBefore = cpuSeconds(server.pid);
  const dropsBefore = udpSocket(server.port)?.drops ?? 0;
  const count = Math.max(perDgram, Math.round(rate * TRIAL_S));
  const sent = await sendUdp(gen.path, gen.pin, { port: server.port, count, rate, perDgram, keys, type });
  const atEnd = udpSocket(server.port);
  const counted = await settle(server, type, before, sent.lines, flushS * 1000 + 300);
  const cpu = cpuSeconds(server.pid) - cpuBefore;
  const otherLoad = otherCpuBetween(othersBefore, otherProcessesCpu(ours)) / ((Date.now() - startedAt) / 1000);
  const { rss, peakRss } = memory(server.pid);
  const loss = 1 - counted / sent.lines;
  const backlog = atEnd?.rxQueue ?? 0;
  return {
    target: Math.round(rate),
    rate: Math.round(sent.rate),
    sent: sent.lines,
    counted,
    loss,
    kernelDrops: (udpSocket(server.port)?.drops ?? dropsBefore) - dropsBefore,
    backlogBytes: backlog,
    sendErrors: sent.errors,
    cpuSeconds: cpu,
    /** CPU per second of load: 1.0 is one core busy for the whole burst. */
    cpuLoad: cpu / sent.elapsed,
    nsPerLine: counted > 0 ? (cpu / counted) * 1e9 : null,
    rss,
    peakRss,
    generatorLimited: sent.rate < 0.95 * rate,
    /** Cores' worth of CPU other processes used during the trial (the generator is one of ours). */
    otherLoad: +otherLoad.toFixed(3),
    disturbed: otherLoad > DISTURBED_LOAD,
    pass: loss < MAX_LOSS && backlog <= MAX_BACKLOG_BYTES && sent.errors === 0,
  };
}

/**
 * Highest passing rate: doubles from `startRate` until a trial fails (or the generator cannot go
 * faster), then bisects `bisections` times. A failed trial is tried again (see `run`) before the
 * rate counts as failed: on a shared VM one hiccup should not set the result. Bounded: at most
 * maxDoublings + 5 + bisections + 4 trials.
 */
export async function searchRate(server, gen, workload, { startRate, maxDoublings = 7, bisections = 3, log = () => {} }) {
  const trials = [];
  const once = async (rate) => {
    const t = await trial(server, gen, { ...workload, rate });
    trials.push(t);
    log(t);
    if (trials.length === 1 && t.counted === 0) {
      // Nothing at all at the lowest rate: the output format changed, not the speed.
      throw new Error(`${server.kind} flushed none of ${t.sent} lines in a form the bench reads (see lib/servers.mjs READERS)`);
    }
    return t;
  };
  // Retries are shared by the whole search, so a busy machine cannot stretch it much.
  let retriesLeft = 4;
  const run = async (rate) => {
    let t = await once(rate);
    // A marginal failure gets one more try; one while other processes were busy, up to two.
    // Gross overload (10%+ lost) on a quiet machine is not a hiccup: no second try.
    for (let tries = 1; !t.pass && tries < 3 && retriesLeft > 0; tries++) {
      if (!t.disturbed && (tries > 1 || t.loss >= 0.1)) break;
      retriesLeft--;
      t = await once(rate);
    }
    return t;
  };

  let best = null;
  let failRate = null;
  let rate = startRate;
  for (let i = 0; i <= maxDoublings; i++) {
    const t = await run(rate);
    if (!t.pass) {
      failRate = rate;
      break;
    }
    best = t;
    if (t.generatorLimited) break; // the generator is the limit: more target would not mean more load
    rate *= 2;
  }
  // The first rate already failed: halve until one passes.
  for (let i = 0; best === null && i < 4; i++) {
    failRate = rate;
    rate /= 2;
    const t = await run(rate);
    if (t.pass) best = t;
  }
  if (best !== null && failRate !== null) {
    let lo = best.target;
    let hi = failRate;
    for (let i = 0; i < bisections; i++) {
      const mid = (lo + hi) / 2;
      const t = await run(mid);
      if (t.pass) {
        if (t.rate > best.rate) best = t;
        lo = mid;
      } else {
        hi = mid;
      }
    }
  }
  return { best, trials };
}

/**
 * TCP ingest: `connections` generators each send `perConnection` lines at full speed; the rate is
 * all lines over the wall time from the first connect to the last close (which the server sends
 * only after it has read everything). Loss is checked against the flushed sums.
 */
export async function tcpIngest(server, gen, { connections, perConnection, keys, flushS }) {
  const before = server.tally.get('c', 'k');
  const cpuBefore = cpuSeconds(server.pid);
  const reports = await Promise.all(
    Array.from({ length: connections }, () =>
      sendTcp(gen.path, gen.pin, { port: server.port, count: perConnection, keys, type: 'c' }),
    ),
  );
  const lines = reports.reduce((n, r) => n + r.lines, 0);
  const wallS = (Math.max(...reports.map((r) => r.endUs)) - Math.min(...reports.map((r) => r.startUs))) / 1e6;
  const counted = await settle(server, 'c', before, lines, flushS * 1000 + 300);
  const cpu = cpuSeconds(server.pid) - cpuBefore;
  return {
    connections,
    lines,
    counted,
    loss: 1 - counted / lines,
    seconds: wallS,
    rate: Math.round(lines / wallS),
    cpuSeconds: cpu,
    nsPerLine: (cpu / lines) * 1e9,
    ...memory(server.pid),
  };
}
