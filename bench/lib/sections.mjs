// The benchmark's parts that drive real servers: UDP rate searches against statsite-ts, etsy
// statsd and the bare socket; TCP ingest, flush cost and a CPU profile of statsite-ts. Each
// fills its part of the results object and logs progress on stderr.

import { flushCase } from './flush.mjs';
import { profileServer } from './profile.mjs';
import { rssCase, UNIT_ENV } from './rss.mjs';
import { startServer } from './servers.mjs';
import { everyCpu } from './pinning.mjs';
import { startupTimes } from './startup.mjs';
import { MAX_LOSS, searchRate, tcpIngest } from './throughput.mjs';

export const FLUSH_S = 1; // flush interval for the throughput runs: short, so a trial's lines come out fast
export const KEYS = 1000;
/**
 * Lines/s at which the flush bench sends its N new series. Creating a series costs much more
 * than adding to one (1M new timer series at 500k lines/s lost ~20% here), and the point there
 * is the flush, so they are sent slowly enough to all arrive.
 */
const SERIES_LOAD_RATE = 250_000;

/**
 * The servers under test, by the name results.json uses. `statsite-ts-w2` is statsite-ts with two
 * ingest workers, spawned on every CPU so that they (and the primary) can use both cores; the generator
 * stays on CPU 0, so on a 2-core machine they share that core with it.
 */
export const SERVERS = {
  'statsite-ts': { kind: 'statsite-ts', pinned: true },
  'statsite-ts-w2': { kind: 'statsite-ts', workers: 2, pinned: false },
  etsy: { kind: 'etsy', pinned: true },
  bare: { kind: 'bare', pinned: true },
};

/** How server `name` is spawned: on its own CPU, or on every CPU. */
function pinOf(name, serverPin) {
  return SERVERS[name].pinned ? serverPin : everyCpu(serverPin);
}

// Start rates sit below every server's expected limit, so each search doubles a few times first.
const WORKLOADS = {
  udp1: {
    title: '1 line/datagram, counters',
    perDgram: 1,
    type: 'c',
    startRate: 25_000,
    servers: ['statsite-ts', 'statsite-ts-w2', 'etsy', 'bare'],
  },
  udp20c: {
    title: '20 counter lines/datagram',
    perDgram: 20,
    type: 'c',
    startRate: 250_000,
    servers: ['statsite-ts', 'statsite-ts-w2', 'etsy', 'bare'],
  },
  udp20t: {
    title: '20 timer lines/datagram',
    perDgram: 20,
    type: 'ms',
    startRate: 125_000,
    servers: ['statsite-ts', 'statsite-ts-w2', 'etsy'],
  },
};

/** Seconds into the run after which the optional, slow parts are skipped. */
const BUDGET_S = 400;

const log = (msg) => process.stderr.write(`${msg}\n`);
const overBudget = (results) => Date.now() - Date.parse(results.date) > BUDGET_S * 1000;
const elapsed = (t0) => `${((Date.now() - t0) / 1000).toFixed(0)}s`;

export async function udpSection(gen, serverPin, tmpDir, results, quick) {
  results.udp = {};
  for (const [name, w] of Object.entries(WORKLOADS)) {
    results.udp[name] = { title: w.title, perDgram: w.perDgram, type: w.type, keys: KEYS, servers: {} };
    for (const kind of w.servers) {
      if (kind === 'etsy' && results.machine.statsdVersion === null) continue;
      const t0 = Date.now();
      const { kind: program, workers } = SERVERS[kind];
      let server;
      try {
        server = await startServer(program, { flushS: FLUSH_S, tmpDir, pin: pinOf(kind, serverPin), workers });
        const search = await searchRate(server, gen, { perDgram: w.perDgram, keys: KEYS, type: w.type, flushS: FLUSH_S }, {
          startRate: w.startRate,
          bisections: quick ? 1 : 3,
          log: (t) =>
            log(
              `  ${kind} ${name} ${t.target} -> sent ${t.rate}/s, loss ${(t.loss * 100).toFixed(3)}%, ` +
                `backlog ${Math.round(t.backlogBytes / 1024)} KiB, others ${t.otherLoad.toFixed(2)} cores: ${t.pass ? 'pass' : 'FAIL'}`,
            ),
        });
        const stop = await server.stop();
        // For comparison: the best rate by the loss criterion alone, i.e. counting a burst the
        // 32 MiB socket buffer absorbed (backlog left at the end) as a pass.
        const byLossOnly = Math.max(0, ...search.trials.filter((t) => t.loss < MAX_LOSS && t.sendErrors === 0).map((t) => t.rate));
        results.udp[name].servers[kind] = {
          best: search.best,
          byLossOnly,
          peakRss: search.trials.at(-1)?.peakRss ?? null,
          exit: stop,
          trials: search.trials,
        };
      } catch (err) {
        await server?.stop();
        results.udp[name].servers[kind] = { error: err.message };
      }
      log(`${kind} ${name}: ${results.udp[name].servers[kind].best?.rate ?? 'error'} lines/s (${elapsed(t0)})`);
    }
  }
}

export async function tcpSection(gen, serverPin, tmpDir, results, quick) {
  results.tcp = [];
  // Connections are dealt out to ingest workers, so 4 of them show what a second core adds.
  for (const [connections, name] of [[1, 'statsite-ts'], [4, 'statsite-ts'], [4, 'statsite-ts-w2']]) {
    const { workers } = SERVERS[name];
    let server;
    try {
      server = await startServer('statsite-ts', { flushS: FLUSH_S, tmpDir, pin: pinOf(name, serverPin), workers });
      const perConnection = Math.round((quick ? 2_000_000 : 4_000_000) / connections);
      // Best of two runs (one shot is at the mercy of a noisy neighbour); both must lose nothing.
      const runs = [];
      for (let i = 0; i < 2; i++) runs.push(await tcpIngest(server, gen, { connections, perConnection, keys: KEYS, flushS: FLUSH_S }));
      const fastest = runs.reduce((a, b) => (b.rate > a.rate ? b : a));
      results.tcp.push({ ...fastest, server: name, counted: Math.min(...runs.map((r) => r.counted)), runs: runs.map((r) => r.rate) });
    } catch (err) {
      results.tcp.push({ connections, server: name, error: err.message });
    } finally {
      await server?.stop();
    }
    log(`tcp ${name} ${connections} connection(s): ${results.tcp.at(-1).rate ?? 'error'} lines/s`);
  }
}

/** Background lines/s that only mark time, for the flush's own duration. */
const QUIET_BACKGROUND = 2000;

export async function flushSection(gen, serverPin, tmpDir, results, quick) {
  // Background load at half the peak measured above (the issue's bar: no loss there).
  const counterPeak = results.udp?.udp20c?.servers['statsite-ts']?.best?.rate ?? 1_000_000;
  // The 1M cases take about a minute; a run slowed down by a busy machine leaves them out
  // rather than run past its 10-minute budget.
  const sizes = quick || overBudget(results) ? [100_000] : [100_000, 1_000_000];
  if (!quick && sizes.length === 1) log('flush: skipping the 1M-series cases, the run is already long');
  results.flush = [];
  const half = Math.round(counterPeak / 2);
  // Timers are the costly flush: also to Graphite, with ingest workers (the main process renders
  // while they ingest; 100k only, a million takes minutes on two cores), and with next to no
  // background load, which shows the flush's own time.
  const cases = [
    { type: 'c', bgRate: half },
    { type: 'ms', bgRate: half },
    { type: 'ms', bgRate: half, sink: 'graphite' },
    { type: 'ms', bgRate: half, workers: 2, sizes: [100_000] },
    { type: 'ms', bgRate: QUIET_BACKGROUND },
  ];
  for (const series of sizes) {
    for (const { sizes: only, workers = 1, ...c } of cases) {
      if (only && !only.includes(series)) continue;
      const t0 = Date.now();
      const pin = pinOf(workers > 1 ? 'statsite-ts-w2' : 'statsite-ts', serverPin);
      try {
        results.flush.push(await flushCase(gen, pin, tmpDir, { series, workers, loadRate: SERIES_LOAD_RATE, ...c }));
      } catch (err) {
        results.flush.push({ series, workers, ...c, error: err.message });
      }
      const f = results.flush.at(-1);
      log(
        `flush ${series} ${c.type} to ${c.sink ?? 'stdout'} (${workers} ingest process(es), background ${c.bgRate}/s): `
          + `${f.flushMs ?? 'error'} ms, background lost ${f.bgLost ?? '?'} (${elapsed(t0)})`,
      );
    }
  }
}

export async function profileSection(gen, serverPin, tmpDir, results) {
  results.profile = [];
  if (overBudget(results)) {
    log('profile: skipped, the run is already long');
    return;
  }
  for (const [w, type] of [['udp20c', 'c'], ['udp20t', 'ms']]) {
    // Somewhat above the sustained peak, so the server is busy the whole burst.
    const rate = Math.round((results.udp?.[w]?.servers['statsite-ts']?.best?.rate ?? (type === 'c' ? 2e6 : 6e5)) * 1.2);
    try {
      results.profile.push(await profileServer(gen, serverPin, tmpDir, { perDgram: 20, type, rate }));
    } catch (err) {
      log(`profile ${type}: ${err.message}`);
    }
  }
}

export async function startupSection(serverPin, results) {
  log('start-up to listening...');
  try {
    results.startup = await startupTimes(serverPin);
  } catch (err) {
    results.startup = { error: err.message };
  }
}

export async function rssSection(gen, serverPin, tmpDir, results, quick) {
  results.rss = [];
  // The issue's cases: 2M counters to stdout, and 1M lines queued for a carbon that is down; the
  // first again in the environment the systemd unit gives the server (packaging/statsite-ts.service).
  // Then timers, whose series keep more per series: 1M of one sample, and 100k of ten samples
  // (their exact samples in an array each).
  const big = quick ? 500_000 : 2_000_000;
  const cases = [
    { series: big, sink: 'stdout' },
    { series: big, sink: 'stdout', env: UNIT_ENV },
    { series: big / 2, sink: 'graphite' },
    { series: big / 2, type: 'ms', sink: 'stdout' },
    { series: big / 20, type: 'ms', samples: 10, sink: 'stdout' },
  ];
  for (const c of cases) {
    const t0 = Date.now();
    try {
      results.rss.push(await rssCase(gen, serverPin, tmpDir, c));
    } catch (err) {
      results.rss.push({ ...c, error: err.message });
    }
    const r = results.rss.at(-1);
    const series = `${c.series} ${c.type === 'ms' ? 'timers' : 'counters'}${c.samples > 1 ? ` × ${c.samples} samples` : ''}`;
    const what = `${series} to ${c.sink}${c.env ? ' (the unit\'s environment)' : ''}`;
    log(`rss ${what}: before ${r.rssBefore ?? '?'}, after ${r.rssAfter ?? r.error} (${elapsed(t0)})`);
  }
}
