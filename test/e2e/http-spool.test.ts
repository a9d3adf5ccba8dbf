// spool_dir for the pushing sinks (HTTP, remote write into a real Prometheus, forward): the
// endpoint is down, the server is SIGKILLed with documents waiting, a new process starts on the
// same spool, the endpoint comes back — and every flushed document arrives (at least once: a
// retried POST may arrive twice; forwarded snapshots carry an id, so the global instance merges
// each once).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { stats } from '../helpers/admin.js';
import { describeIfInstalled } from '../helpers/external-tools.js';
import { sendUdp } from '../helpers/clients.js';
import { HttpReceiver, jsonBody } from '../helpers/http-receiver.js';
import { freePort } from '../helpers/ports.js';
import { PROMETHEUS, startPrometheus } from '../helpers/prometheus.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { sumOf } from '../helpers/stream-output.js';
import { waitFor } from '../helpers/wait.js';

afterEach(() => stopAllServers());

const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-http-spool-'));

/** Sends one counter per flush until `spooled` says that many flushes are on disk. */
async function spoolFlushes(port: number, admin: number, name: string, flushes: number): Promise<void> {
  for (let i = 1; i <= flushes; i++) {
    const before = (await stats(admin)).flushes;
    await sendUdp(port, `${name}:${i}|c\n`);
    await waitFor(async () => (await stats(admin)).flushes >= before + 2, { what: `flush ${i}` });
  }
}

it('delivers an HTTP sink\'s spooled documents after a SIGKILL and a restart', async () => {
  const [endpointPort, admin] = [await freePort(), await freePort()];
  const config = join(dir, 'http.toml');
  const spool = join(dir, 'http-spool');
  writeFileSync(config, `[statsite]\nflush_interval = 1\n[[sinks]]\ntype = "http"\nurl = "http://127.0.0.1:${endpointPort}/in"\nspool_dir = "${spool}"\n`);
  const first = await startServer({ args: ['--config', config, '--admin', String(admin)] });
  await spoolFlushes(first.port, admin, 'spooled.http', 3);
  await first.kill();
  await first.exited;

  const endpoint = new HttpReceiver((b) => jsonBody<{ series: Array<{ name: string; fields: { sum?: number } }> }>(b));
  await endpoint.start(endpointPort);
  try {
    await startServer({ args: ['--config', config] });
    const sums = () => new Set(endpoint.bodies.flatMap((b) => b.series.filter((s) => s.name === 'spooled.http').map((s) => s.fields.sum)));
    await waitFor(() => sums().size >= 3, { timeoutMs: 15_000, what: 'the three spooled values' });
    expect(sums()).toEqual(new Set([1, 2, 3]));
  } finally {
    await endpoint.stop();
  }
}, 60_000);

it('delivers forwarded snapshots spooled by [forward] spool_dir, each merged once', async () => {
  const [mergePort, admin, globalAdmin] = [await freePort(), await freePort(), await freePort()];
  const config = join(dir, 'agent.toml');
  writeFileSync(config, `[statsite]\nflush_interval = 1\n[forward]\nurl = "http://127.0.0.1:${mergePort}/v1/forward"\nspool_dir = "${join(dir, 'fw-spool')}"\n`);
  const agent = await startServer({ args: ['--config', config, '--admin', String(admin)] });
  await spoolFlushes(agent.port, admin, 'spooled.forward', 3);
  await agent.kill();
  await agent.exited;

  const global = await startServer({
    args: ['--flush-interval', '60', '--accept-forward', `127.0.0.1:${mergePort}`, '--admin', String(globalAdmin)],
  });
  await startServer({ args: ['--config', config] });
  const merged = async () => (await stats(globalAdmin))['forward.snapshots_merged'] >= 3;
  await waitFor(merged, { timeoutMs: 15_000, what: 'three snapshots merged' });
  await global.stop();
  expect(sumOf(global.flushes(), 'counts.spooled.forward')).toBe(1 + 2 + 3);
}, 60_000);

describeIfInstalled([PROMETHEUS], 'remote write', () => {
  it('delivers a remote-write sink\'s spooled requests after a SIGKILL and a restart, into a real Prometheus', async () => {
    const [prometheusPort, admin] = [await freePort(), await freePort()];
    const config = join(dir, 'rw.toml');
    writeFileSync(config, [
      '[statsite]', 'flush_interval = 1', '[[sinks]]', 'type = "remote_write"',
      `url = "http://127.0.0.1:${prometheusPort}/api/v1/write"`, `spool_dir = "${join(dir, 'rw-spool')}"`, '',
    ].join('\n'));
    const first = await startServer({ args: ['--config', config, '--admin', String(admin)] });
    await spoolFlushes(first.port, admin, 'spooled.rw', 3);
    await first.kill();
    await first.exited;

    const prometheus = await startPrometheus({ remoteWriteReceiver: true, port: prometheusPort });
    try {
      const second = await startServer({ args: ['--config', config] });
      // Counters are cumulative in remote write: the spooled requests carry 1, then 3, then 6
      // (each value in every flush until the next increment).
      const over10m = async (fn: string) => (await prometheus.query(`${fn}(spooled_rw_total[10m])`))[0]?.value;
      await prometheus.waitFor(async () => (await over10m('max_over_time')) === 6, 20_000);
      expect(await over10m('min_over_time')).toBe(1);
      expect(await over10m('count_over_time')).toBeGreaterThanOrEqual(3);
      expect(second.stderr).toMatch(/spool holds lines from before the restart/);
      // The endpoint was up all along: the spool's first send must not fail on a half-built sender.
      expect(second.stderr).not.toMatch(/destination unreachable/);
    } finally {
      await prometheus.stop();
    }
  }, 60_000);
});
