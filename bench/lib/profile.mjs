// Where statsite-ts spends its CPU under load: runs it with `node --cpu-prof`, sends a burst,
// stops it (the profile is written at exit) and sums self time per function.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sendUdp } from './loadgen.mjs';
import { ROOT, startServer } from './servers.mjs';

/** Self time per function (name + file:line), biggest first, as shares of the busy (non-idle) time. */
export function summarizeProfile(profile, top = 15) {
  const selfUs = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  // timeDeltas[i] is the time before sample i; attributing it to sample i is what DevTools does.
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url ? relative(ROOT, url.replace(/^file:\/\//, '')) : '';
    const key = `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
    selfUs.set(key, (selfUs.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const idle = selfUs.get('(idle)') ?? 0;
  selfUs.delete('(idle)');
  const busy = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const rows = [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, us]) => ({ function: fn, selfMs: Math.round(us / 1000), share: +(us / busy).toFixed(3) }));
  return { busyMs: Math.round(busy / 1000), idleMs: Math.round(idle / 1000), top: rows };
}

/** Profiles one burst of `rate` lines/s for `seconds` into a fresh statsite-ts. */
export async function profileServer(gen, serverPin, tmpDir, { perDgram, type, rate, seconds = 3, keys = 1000 }) {
  const dir = join(tmpDir, `prof-${type}-${perDgram}-${Date.now()}`);
  const server = await startServer('statsite-ts', {
    flushS: 1,
    tmpDir,
    pin: serverPin,
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir],
  });
  let sent;
  let exit;
  try {
    sent = await sendUdp(gen.path, gen.pin, { port: server.port, count: Math.round(rate * seconds), rate, perDgram, keys, type });
  } finally {
    // The profile is only written by a clean exit: allow the server its whole shutdown.
    exit = await server.stopWithin(30_000);
  }
  if (exit.killed) throw new Error('statsite-ts had to be killed; no profile written');
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no .cpuprofile in ${dir}`);
  const summary = summarizeProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  return { workload: { perDgram, type, rate, keys, seconds }, sentRate: Math.round(sent.rate), ...summary };
}
