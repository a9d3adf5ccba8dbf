// Forward and merge: three local instances each flush their interval, mergeable, to one global
// instance, which flushes the union once — counters exact, sets within the estimator's error,
// quantiles within the rank-error band of all samples together.

import { afterEach, expect, it } from 'vitest';
import { waitForStats } from '../helpers/admin.js';
import { sendUdp } from '../helpers/clients.js';
import { freePort } from '../helpers/ports.js';
import { seeded } from '../helpers/random.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { sumOf, valuesOf } from '../helpers/stream-output.js';

afterEach(() => stopAllServers());

async function sendLines(port: number, lines: string[]): Promise<void> {
  for (let i = 0; i < lines.length; i += 50) await sendUdp(port, lines.slice(i, i + 50).join('\n'));
}

it('merges three local instances into one global flush', async () => {
  const [mergePort, admin] = [await freePort(), await freePort()];
  const global = await startServer({
    args: ['--flush-interval', '60', '--accept-forward', `127.0.0.1:${mergePort}`, '--admin', String(admin)],
  });
  const locals = await Promise.all([0, 1, 2].map(() =>
    startServer({ args: ['--flush-interval', '1', '--forward', `http://127.0.0.1:${mergePort}/v1/forward`, '--sink', 'stdout'] })));

  const random = seeded(7);
  const allSamples: number[] = [];
  let counterTotal = 0;
  const members = new Set<string>();
  for (const [i, local] of locals.entries()) {
    const lines: string[] = [];
    for (let n = 0; n < 200; n++) {
      lines.push(`fw.requests:${i + 1}|c`);
      counterTotal += i + 1;
    }
    for (let m = i * 700; m < i * 700 + 1200; m++) {
      lines.push(`fw.users:user${m}|s`);
      members.add(`user${m}`);
    }
    for (let n = 0; n < 2000; n++) {
      // Each local sees a different part of the distribution: the union's quantiles need all three.
      const v = Math.round((i * 100 + random() * (i + 1) * 100) * 1000) / 1000;
      lines.push(`fw.latency:${v}|ms`);
      allSamples.push(v);
    }
    lines.push(`fw.tagged:1|c|#host:local${i}`);
    await sendLines(local.port, lines);
  }

  // Each local flushes its own copy to stdout too; wait until all have forwarded their interval.
  for (const local of locals) await local.waitUntil(() => sumOf(local.flushes(), 'timers.fw.latency.count') === 2000);
  await waitForStats(admin, (s) => s['forward.series_merged'] >= 3 * 4, { timeoutMs: 15_000, what: 'the global to merge every local' });
  const stop = await global.stop();
  expect(stop.code).toBe(0);
  const flushes = global.flushes();

  expect(sumOf(flushes, 'counts.fw.requests')).toBe(counterTotal);
  expect(sumOf(flushes, 'timers.fw.latency.count')).toBe(allSamples.length);
  for (let i = 0; i < 3; i++) expect(sumOf(flushes, `counts.fw.tagged;host=local${i}`)).toBe(1);

  const setSize = sumOf(flushes, 'sets.fw.users');
  expect(Math.abs(setSize - members.size) / members.size).toBeLessThan(0.05);

  allSamples.sort((a, b) => a - b);
  const n = allSamples.length;
  const e = 2 * 0.01;
  for (const [q, name] of [[0.5, 'p50'], [0.99, 'p99']] as const) {
    const [value] = valuesOf(flushes, `timers.fw.latency.${name}`).map(Number);
    const lo = allSamples[Math.max(0, Math.floor((q - e) * n) - 1)];
    const hi = allSamples[Math.min(n - 1, Math.ceil((q + e) * n))];
    expect(value, `${name} of the union`).toBeGreaterThanOrEqual(lo);
    expect(value, `${name} of the union`).toBeLessThanOrEqual(hi);
  }
  const [lower] = valuesOf(flushes, 'timers.fw.latency.lower').map(Number);
  const [upper] = valuesOf(flushes, 'timers.fw.latency.upper').map(Number);
  expect([lower, upper]).toEqual([allSamples[0], allSamples[n - 1]]);
}, 60_000);

it('refuses a malformed snapshot with 400 and keeps serving', async () => {
  const mergePort = await freePort();
  const global = await startServer({ args: ['--flush-interval', '1', '--accept-forward', `127.0.0.1:${mergePort}`] });
  const body = '{"format":"statsite-ts/forward","version":1,"counters":{"x":["a"]}}';
  const res = await fetch(`http://127.0.0.1:${mergePort}/v1/forward`, { method: 'POST', body });
  expect(res.status).toBe(400);
  await global.waitForStderr(/refused a forwarded snapshot/);
  await sendUdp(global.port, 'still:1|c');
  await global.waitForKey('counts.still');
});
