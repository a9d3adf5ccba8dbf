// statsd_exporter's mapping.yml pointed at bin/statsite-ts as-is (`?mapping_config=` on the CLI,
// `mapping_config` in a config file): a bad file stops the start with file, line and reason; a
// good one maps names and labels; a changed one applies on SIGHUP to the running sink, which
// keeps its series; a bad change is refused and the old mapping stays.

import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { sendThenFlush, waitForMoreFlushes } from '../helpers/admin.js';
import { sendUdp } from '../helpers/clients.js';
import { parseExposition } from '../helpers/exposition.js';
import { freePort } from '../helpers/ports.js';
import { runCli, startServer, stopAllServers } from '../helpers/server.js';
import { tempFiles } from '../helpers/temp-files.js';
import { waitFor } from '../helpers/wait.js';

const { file } = tempFiles('statsite-ts-mapping-e2e-');

/** statsd_exporter's README example. */
const FIRST = readFileSync(new URL('../exporter/readme-mapping.yml', import.meta.url), 'utf8');

const SECOND = `
mappings:
- match: "*.signup.*.*"
  name: "signups_total"
  labels:
    provider: "$2"
`;

async function scrape(port: number) {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
  return parseExposition(await res.text());
}

afterAll(() => stopAllServers());

describe('mapping_config', () => {
  it('refuses to start on a bad mapping file, naming the file, line, key and reason', async () => {
    const mapping = file('bad.yml', 'mappings:\n- match: "a.*"\n  nme: "x"\n');
    const port = await freePort();
    const r = await runCli(['--port', '0', '--sink', `prometheus://127.0.0.1:${port}?mapping_config=${mapping}`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${mapping}:3: mappings[0].nme: unknown key`);
    const config = file('bad.toml', `[[sinks]]\ntype = "prometheus"\nport = ${port}\nmapping_config = "bad.yml"\n`);
    const checked = await runCli(['check-config', config]);
    expect(checked.code).toBe(2);
    expect(checked.stderr).toMatch(/bad\.toml: sinks\[0\]: .*bad\.yml:3: mappings\[0\]\.nme: unknown key/);
  });

  it('maps names and labels as the exporter does, and applies a changed file on SIGHUP, keeping the series', async () => {
    const mapping = file('mapping.yml', FIRST);
    const [metrics, admin] = [await freePort(), await freePort()];
    const server = await startServer({
      args: ['--flush-interval', '1', '--admin', `127.0.0.1:${admin}`, '--sink', `prometheus://127.0.0.1:${metrics}?mapping_config=${mapping}`],
    });
    await sendThenFlush(admin, 3, async () => {
      await sendUdp(server.port, 'test.dispatcher.FooProcessor.send.success:1|c');
      await sendUdp(server.port, 'foo_product.signup.facebook.failure:2|c');
      await sendUdp(server.port, 'test.web-server.foo.bar:3|c');
    });
    const first = await waitFor(async () => {
      const families = await scrape(metrics);
      return families.has('test_web_server_foo_bar') && families;
    }, { what: 'the mapped series' });
    expect(Object.fromEntries(first.get('dispatcher_events_total')!.samples)).toEqual({
      'dispatcher_events_total{action="send",job="test_dispatcher",outcome="success",processor="FooProcessor"}': 1,
    });
    expect(Object.fromEntries(first.get('signup_events_total')!.samples)).toEqual({
      'signup_events_total{job="foo_product_server",outcome="failure",provider="facebook"}': 2,
    });
    expect(first.get('statsite_ts_loaded_mappings')!.samples.get('statsite_ts_loaded_mappings')).toBe(2);

    writeFileSync(mapping, 'mappings:\n- match: "a.*"\n  lables: {}\n');
    process.kill(server.pid, 'SIGHUP');
    await server.waitForStderr(/config reload rejected; keeping the running config/);

    writeFileSync(mapping, SECOND);
    const from = server.stderr.length;
    process.kill(server.pid, 'SIGHUP');
    await server.waitForStderr(/configuration reloaded/, from);
    await sendThenFlush(admin, 1, () => sendUdp(server.port, 'foo_product.signup.facebook.failure:5|c'));
    await waitForMoreFlushes(admin, 2);
    const second = await waitFor(async () => {
      const families = await scrape(metrics);
      return families.has('signups_total') && families;
    }, { what: 'the series of the new mapping' });
    expect(Object.fromEntries(second.get('signups_total')!.samples)).toEqual({ 'signups_total{provider="facebook"}': 5 });
    // The sink was kept: the series of the first mapping are still there, with their totals.
    const kept = 'signup_events_total{job="foo_product_server",outcome="failure",provider="facebook"}';
    expect(second.get('signup_events_total')!.samples.get(kept)).toBe(2);
    expect(second.get('statsite_ts_loaded_mappings')!.samples.get('statsite_ts_loaded_mappings')).toBe(1);
  }, 60_000);
});
