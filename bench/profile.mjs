// Where statsite-ts spends its CPU: `node bench/profile.mjs [RATE_20C] [RATE_20T]`
// Runs statsite-ts under `node --cpu-prof` with a 3 s burst of 20-line counter datagrams, then of
// 20-line timer datagrams (default: rates above what it sustains, so it is busy all the time), and
// prints the functions with the most self time. Server on CPU 1, generator on CPU 0.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLoadgen } from './lib/loadgen.mjs';
import { profileServer } from './lib/profile.mjs';
import { pins } from './lib/pinning.mjs';
import { raiseRmemMax } from './lib/rmem.mjs';

const counterRate = Number(process.argv[2] ?? 3_000_000);
const timerRate = Number(process.argv[3] ?? 1_000_000);
const tmpDir = mkdtempSync(join(tmpdir(), 'statsite-bench-'));
const rmem = raiseRmemMax();
try {
  const { serverPin, generatorPin } = pins();
  const built = buildLoadgen(tmpDir);
  if (built.path === null) throw new Error(`cannot build the load generator: ${built.error}`);
  const gen = { path: built.path, pin: generatorPin };
  for (const [type, rate] of [['c', counterRate], ['ms', timerRate]]) {
    const p = await profileServer(gen, serverPin, tmpDir, { perDgram: 20, type, rate });
    console.log(
      `\n20 ${type === 'c' ? 'counter' : 'timer'} lines/datagram, sent at ${p.sentRate} lines/s: busy ${p.busyMs} ms, idle ${p.idleMs} ms`,
    );
    for (const row of p.top) {
      console.log(`  ${(row.share * 100).toFixed(1).padStart(5)}%  ${String(row.selfMs).padStart(6)} ms  ${row.function}`);
    }
  }
} finally {
  rmem.restore();
  rmSync(tmpDir, { recursive: true, force: true });
}
