// `npm run bench`: statsite-ts against etsy statsd and a bare Node socket on this machine.
//
//   node bench/run.mjs [--quick] [--profile] [--only=udp,tcp,flush,memory,accuracy]
//
// Prints a table on stdout and writes bench/results.json. See bench/README.md for what each
// number means. Everything runs on loopback, on random high ports; every process it starts is
// stopped by pid, and every loop is bounded.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { flushCase } from './lib/flush.mjs';
import { buildLoadgen } from './lib/loadgen.mjs';
import { pins } from './lib/pinning.mjs';
import { readSysctl } from './lib/proc.mjs';
import { profileServer } from './lib/profile.mjs';
import { formatReport } from './lib/report.mjs';
import { killAll, randomPort, ROOT, startServer } from './lib/servers.mjs';
import { searchRate, tcpIngest } from './lib/throughput.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',') ?? ['udp', 'tcp', 'flush', 'memory', 'accuracy'];
const wants = (part) => only.includes(part) || (part === 'profile' && args.includes('--profile'));

const FLUSH_S = 1; // flush interval for the throughput runs: short, so a trial's lines come out fast
const KEYS = 1000;
const RMEM = 32 * 1024 * 1024;

// Start rates sit below every server's expected limit, so each search doubles a few times first.
const WORKLOADS = {
  udp1: { title: '1 line/datagram, counters', perDgram: 1, type: 'c', startRate: 25_000, servers: ['statsite-ts', 'etsy', 'bare'] },
  udp20c: { title: '20 counter lines/datagram', perDgram: 20, type: 'c', startRate: 250_000, servers: ['statsite-ts', 'etsy', 'bare'] },
  udp20t: { title: '20 timer lines/datagram', perDgram: 20, type: 'ms', startRate: 125_000, servers: ['statsite-ts', 'etsy'] },
};

const log = (msg) => process.stderr.write(`${msg}\n`);
const elapsed = (t0) => `${((Date.now() - t0) / 1000).toFixed(0)}s`;

/** Runs a bench script in a child node and parses the JSON it prints. */
function runScript(script, nodeArgs = [], scriptArgs = []) {
  const res = spawnSync(process.execPath, [...nodeArgs, join(ROOT, 'bench', script), ...scriptArgs.map(String)], {
    encoding: 'utf8',
    timeout: 120_000,
    killSignal: 'SIGKILL',
  });
  if (res.status !== 0) return { error: (res.stderr || res.error?.message || `exit ${res.status}`).trim().slice(-300) };
  return JSON.parse(res.stdout);
}

/** Raises net.core.rmem_max so servers get the 32 MiB they ask for; returns how to undo it. */
function raiseRmemMax() {
  const before = readSysctl('net.core.rmem_max');
  if (before === null || before >= RMEM) return { before, after: before, restore: () => {} };
  try {
    writeFileSync('/proc/sys/net/core/rmem_max', String(RMEM));
  } catch {
    // not root, or a read-only /proc/sys: servers get what rmem_max allows, recorded below
  }
  const after = readSysctl('net.core.rmem_max');
  const restore = () => {
    if (after === before) return;
    try {
      writeFileSync('/proc/sys/net/core/rmem_max', String(before));
    } catch {
      // leave it; nothing depends on the smaller value
    }
  };
  return { before, after, restore };
}

function machine() {
  let kernel = null;
  try {
    kernel = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
  } catch {
    // not essential
  }
  let statsdVersion = null;
  try {
    statsdVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules/statsd/package.json'), 'utf8')).version;
  } catch {
    // reported as missing below
  }
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, node: process.version, kernel, statsdVersion };
}

async function udpSection(gen, serverPin, tmpDir, results) {
  results.udp = {};
  for (const [name, w] of Object.entries(WORKLOADS)) {
    results.udp[name] = { title: w.title, perDgram: w.perDgram, type: w.type, keys: KEYS, servers: {} };
    for (const kind of w.servers) {
      if (kind === 'etsy' && results.machine.statsdVersion === null) continue;
      const t0 = Date.now();
      let server;
      try {
        server = await startServer(kind, { port: randomPort(), flushS: FLUSH_S, tmpDir, pin: serverPin });
        const search = await searchRate(server, gen, { perDgram: w.perDgram, keys: KEYS, type: w.type, flushS: FLUSH_S }, {
          startRate: w.startRate,
          bisections: quick ? 1 : 3,
          log: (t) => log(`  ${kind} ${name} ${t.target} -> sent ${t.rate}/s, loss ${(t.loss * 100).toFixed(3)}%, backlog ${Math.round(t.backlogBytes / 1024)} KiB: ${t.pass ? 'pass' : 'FAIL'}`),
        });
        const stop = await server.stop();
        results.udp[name].servers[kind] = { best: search.best, peakRss: search.trials.at(-1)?.peakRss ?? null, exit: stop, trials: search.trials };
      } catch (err) {
        await server?.stop();
        results.udp[name].servers[kind] = { error: err.message };
      }
      log(`${kind} ${name}: ${results.udp[name].servers[kind].best?.rate ?? 'error'} lines/s (${elapsed(t0)})`);
    }
  }
}

async function tcpSection(gen, serverPin, tmpDir, results) {
  results.tcp = [];
  for (const connections of [1, 4]) {
    let server;
    try {
      server = await startServer('statsite-ts', { port: randomPort(), flushS: FLUSH_S, tmpDir, pin: serverPin });
      const perConnection = Math.round((quick ? 2_000_000 : 4_000_000) / connections);
      results.tcp.push(await tcpIngest(server, gen, { connections, perConnection, keys: KEYS, flushS: FLUSH_S }));
    } catch (err) {
      results.tcp.push({ connections, error: err.message });
    } finally {
      await server?.stop();
    }
    log(`tcp ${connections} connection(s): ${results.tcp.at(-1).rate ?? 'error'} lines/s`);
  }
}

async function flushSection(gen, serverPin, tmpDir, results) {
  // Background load at half the peak measured above (the bar: no loss there); series
  // are loaded at half the peak of their own type, so loading them loses nothing either.
  const peak = (w) => results.udp?.[w]?.servers['statsite-ts']?.best?.rate ?? null;
  const counterPeak = peak('udp20c') ?? 1_000_000;
  const timerPeak = peak('udp20t') ?? 400_000;
  const sizes = quick ? [100_000] : [100_000, 1_000_000];
  results.flush = [];
  for (const series of sizes) {
    for (const type of ['c', 'ms']) {
      const t0 = Date.now();
      try {
        const loadRate = Math.round((type === 'c' ? counterPeak : timerPeak) / 2);
        results.flush.push(await flushCase(gen, serverPin, tmpDir, { series, type, loadRate, bgRate: Math.round(counterPeak / 2) }));
      } catch (err) {
        results.flush.push({ series, type, error: err.message });
      }
      const f = results.flush.at(-1);
      log(`flush ${series} ${type}: ${f.flushMs ?? 'error'} ms, background lost ${f.bgLost ?? '?'} (${elapsed(t0)})`);
    }
  }
}

async function profileSection(gen, serverPin, tmpDir, results) {
  results.profile = [];
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

async function main() {
  const t0 = Date.now();
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) {
    console.error('dist/ is missing: run `npm run build` (or `npm install`) first');
    process.exit(1);
  }
  const tmpDir = mkdtempSync(join(tmpdir(), 'statsite-bench-'));
  const rmem = raiseRmemMax();
  const pinning = pins();
  const results = {
    date: new Date().toISOString(),
    machine: machine(),
    settings: { keys: KEYS, flushIntervalS: FLUSH_S, rmemMax: rmem.after, pinned: pinning.pinned, quick },
  };
  const interrupted = () => {
    killAll();
    rmem.restore();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    log(`bench: ${results.machine.cpus} CPUs, node ${process.version}, rmem_max ${rmem.after}, pinned: ${pinning.pinned}`);
    if (results.machine.statsdVersion === null) log('etsy statsd is not installed (npm install): skipping it');
    const built = buildLoadgen(tmpDir);
    if (built.path === null) {
      log(`SKIPPING the UDP, TCP and flush benchmarks: cannot build bench/loadgen.c (${built.error}).`);
      log('Install a C compiler (e.g. `apt-get install gcc`) to run them.');
      results.loadgenError = built.error;
    } else {
      const gen = { path: built.path, pin: pinning.generatorPin };
      if (wants('udp')) await udpSection(gen, pinning.serverPin, tmpDir, results);
      if (wants('tcp')) await tcpSection(gen, pinning.serverPin, tmpDir, results);
      if (wants('flush')) await flushSection(gen, pinning.serverPin, tmpDir, results);
      if (wants('profile')) await profileSection(gen, pinning.serverPin, tmpDir, results);
    }
    if (wants('memory')) {
      log('memory per series (in-process)...');
      results.memory = runScript('memory.mjs', ['--expose-gc'], quick ? [200_000, 2_000, 1000] : [1_000_000, 5_000, 1000]);
    }
    if (wants('accuracy')) {
      log('quantile accuracy (in-process)...');
      results.accuracy = runScript('accuracy.mjs', [], [1_000_000]);
    }
  } finally {
    killAll();
    rmem.restore();
    rmSync(tmpDir, { recursive: true, force: true });
  }
  results.totalSeconds = Math.round((Date.now() - t0) / 1000);
  writeFileSync(join(ROOT, 'bench/results.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(formatReport(results));
  console.log(`\n(${results.totalSeconds} s; details in bench/results.json)`);
}

main().catch((err) => {
  killAll();
  console.error(err);
  process.exit(1);
});
