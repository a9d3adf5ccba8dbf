// `npm run bench`: statsite-ts against etsy statsd and a bare Node socket on this machine.
//
//   node bench/run.mjs [--quick] [--only=udp,tcp,flush,profile,memory,accuracy,flood,binary]
//
// --quick: fewer bisection steps and no 1M-series flush, for a first look (~3 min).
//
// Prints a table on stdout and writes bench/results.json. See bench/README.md for what each
// number means. Everything runs on loopback, on random high ports; every process it starts is
// stopped by pid, and every loop is bounded.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLoadgen, buildRenderReference } from './lib/loadgen.mjs';
import { pins } from './lib/pinning.mjs';
import { raiseRmemMax } from './lib/rmem.mjs';
import { formatReport } from './lib/report.mjs';
import { FLUSH_S, KEYS, flushSection, profileSection, rssSection, startupSection, tcpSection, udpSection } from './lib/sections.mjs';
import { stolenSeconds } from './lib/proc.mjs';
import { killAll, ROOT } from './lib/servers.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const SECTIONS = ['startup', 'udp', 'tcp', 'flush', 'rss', 'profile', 'memory', 'queue', 'render', 'accuracy', 'flood', 'binary'];
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',') ?? SECTIONS;
const wants = (part) => only.includes(part);

const log = (msg) => process.stderr.write(`${msg}\n`);

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
    settings: { keys: KEYS, flushIntervalS: FLUSH_S, rmemMaxBefore: rmem.before, rmemMax: rmem.after, pinned: pinning.pinned, quick },
  };
  const interrupted = () => {
    killAll();
    rmem.restore();
    rmSync(tmpDir, { recursive: true, force: true });
    process.exit(130);
  };
  results.sections = {};
  /** Runs a section if asked for, noting how long it took and what the hypervisor stole meanwhile. */
  const section = async (name, run) => {
    if (!wants(name)) return;
    const [startedAt, stolenBefore] = [Date.now(), stolenSeconds()];
    await run();
    const stolen = stolenBefore === null ? null : +(stolenSeconds() - stolenBefore).toFixed(2);
    results.sections[name] = { seconds: Math.round((Date.now() - startedAt) / 1000), stolenCpuSeconds: stolen };
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    log(`bench: ${results.machine.cpus} CPUs, node ${process.version}, rmem_max ${rmem.after}, pinned: ${pinning.pinned}`);
    if (results.machine.statsdVersion === null) log('etsy statsd is not installed (npm install): skipping it');
    await section('startup', () => startupSection(pinning.serverPin, results));
    const built = buildLoadgen(tmpDir);
    if (built.path === null) {
      log(`SKIPPING the UDP, TCP and flush benchmarks: cannot build bench/loadgen.c (${built.error}).`);
      log('Install a C compiler (e.g. `apt-get install gcc`) to run them.');
      results.loadgenError = built.error;
    } else {
      const gen = { path: built.path, pin: pinning.generatorPin };
      await section('udp', () => udpSection(gen, pinning.serverPin, tmpDir, results, quick));
      await section('tcp', () => tcpSection(gen, pinning.serverPin, tmpDir, results, quick));
      await section('flush', () => flushSection(gen, pinning.serverPin, tmpDir, results, quick));
      await section('rss', () => rssSection(gen, pinning.serverPin, tmpDir, results, quick));
      await section('profile', () => profileSection(gen, pinning.serverPin, tmpDir, results));
    }
    if (wants('memory')) {
      log('memory per series (in-process)...');
      results.memory = runScript('memory.mjs', ['--expose-gc'], quick ? [200_000, 2_000, 1000] : [1_000_000, 5_000, 1000]);
    }
    if (wants('queue')) {
      log('memory per line queued for a carbon that is down (in-process)...');
      results.queue = runScript('queue-memory.mjs', ['--expose-gc'], [quick ? 200_000 : 1_000_000]);
    }
    if (wants('render')) {
      log('render cost per timer series, against C snprintf (in-process)...');
      const reference = buildRenderReference(tmpDir);
      results.render = runScript('render.mjs', [], [quick ? 200_000 : 1_000_000, ...(reference.path === null ? [] : [reference.path])]);
    }
    if (wants('accuracy')) {
      log('quantile accuracy (in-process)...');
      results.accuracy = runScript('accuracy.mjs', [], [1_000_000]);
    }
    if (wants('flood')) {
      log('hash flooding: crafted colliding names vs random ones (in-process)...');
      results.flood = runScript('hash-flood.mjs', [], quick ? [13, 5] : [15, 10]);
    }
    if (wants('binary')) {
      log("statsite's binary messages vs text lines (in-process)...");
      results.binary = runScript('binary-protocol.mjs', [], quick ? [50] : [200]);
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
