// Memory that comes back: statsite-ts's RSS before a big interval, at its peak and after quiet
// intervals that follow it; and, with a Graphite sink whose carbon is down, the RSS that the
// lines waiting for it cost per line.
//
// The server's flush interval is long enough for the big interval's series (distinct counters or
// timers, one line each or a few samples each) to land in one flush. "Before" is read after a warm-up interval of the quiet
// load (1000 keys); "after" once three quiet intervals have been flushed behind the big one.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sendUdp } from './loadgen.mjs';
import { memory } from './proc.mjs';
import { refusedPort } from './refused-port.mjs';
import { randomPort, ROOT, startServer } from './servers.mjs';

const FLUSH_S = 5;
const SERIES_RATE = 500_000;
const QUIET_LINES = 1000;
const QUIET_INTERVALS = 3;

/** The environment the systemd unit gives the server: its `Environment=` lines. */
export const UNIT_ENV = Object.fromEntries(
  [...readFileSync(join(ROOT, 'packaging/statsite-ts.service'), 'utf8').matchAll(/^Environment=(\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]),
);

/** Lines the server's sinks hold, from its admin /stats. */
async function bufferedLines(adminPort) {
  const stats = await (await fetch(`http://127.0.0.1:${adminPort}/stats`)).json();
  return Object.entries(stats).reduce((n, [k, v]) => (k.endsWith('.buffered_lines') ? n + v : n), 0);
}

/** `quiet` lines over 1000 keys, then a wait of one flush interval. */
async function quietInterval(gen, port) {
  await sendUdp(gen.path, gen.pin, { port, count: QUIET_LINES, rate: 10_000, perDgram: 20, keys: 1000, type: 'c', prefix: 'q' });
  await sleep(FLUSH_S * 1000);
}

/**
 * `series` distinct series of `type` ('c' counters, 'ms' timers), `samples` lines each, in one
 * interval, to stdout (`sink` 'stdout') or a down carbon ('graphite'); `env`: more environment
 * for the server (the systemd unit's).
 */
export async function rssCase(gen, serverPin, tmpDir, { series, type = 'c', samples = 1, sink, env = {} }) {
  const adminPort = randomPort();
  const sinkSpec = sink === 'graphite' ? `graphite://127.0.0.1:${await refusedPort()}?buffer_lines=${series * 4}` : 'stdout';
  const server = await startServer('statsite-ts', {
    flushS: FLUSH_S, tmpDir, pin: serverPin, sink: sinkSpec, env, extraArgs: ['--admin', `127.0.0.1:${adminPort}`],
  });
  try {
    await quietInterval(gen, server.port);
    await quietInterval(gen, server.port);
    const before = memory(server.pid).rss;
    const big = { port: server.port, count: series * samples, rate: SERIES_RATE, perDgram: 20, keys: series, type, prefix: 's' };
    const load = await sendUdp(gen.path, gen.pin, big);
    // The big interval's flush, then the quiet ones behind it.
    await sleep(FLUSH_S * 1000);
    for (let i = 0; i < QUIET_INTERVALS; i++) await quietInterval(gen, server.port);
    const { rss: after, peakRss } = memory(server.pid);
    const queued = sink === 'graphite' ? await bufferedLines(adminPort) : 0;
    return {
      series,
      type,
      samples,
      sink,
      environment: Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' '),
      linesSent: load.lines,
      rssBefore: before,
      peakRss,
      rssAfter: after,
      afterOverBefore: +(after / before).toFixed(2),
      ...(sink === 'graphite' ? { queuedLines: queued, rssPerQueuedLine: Math.round((after - before) / queued) } : {}),
    };
  } finally {
    await server.stop();
  }
}
