// SIGHUP reloads that cannot be applied as asked, and sinks that change while they hold a backlog:
// the server keeps running the old config and says why (log, /health), and a Graphite spool
// never gets two writers.

import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { health, waitForMoreFlushes } from '../helpers/admin.js';
import { sendUdp } from '../helpers/clients.js';
import { freePort } from '../helpers/ports.js';
import { runCli, startServer, stopAllServers } from '../helpers/server.js';
import { TcpReceiver } from '../helpers/tcp-receiver.js';
import { waitFor } from '../helpers/wait.js';
import { tempFiles } from '../helpers/temp-files.js';

afterEach(() => stopAllServers());

const { file } = tempFiles('statsite-ts-reload-faults-');

const graphiteSink = (port: number, prefix: string, spool: string) =>
  `[[sinks]]\ntype = "graphite"\nhost = "127.0.0.1"\nport = ${port}\nprefix = "${prefix}"\nspool_dir = "${spool}"\n`;

describe('a spool_dir that cannot be made', () => {
  const regularFile = file('not-a-directory', 'x');
  const blocked = join(regularFile, 'spool');

  it('fails check-config with the file, the sink and the reason', async () => {
    const config = file('blocked.toml', `[statsite]\nflush_interval = 1\n${graphiteSink(2003, 'a.', blocked)}`);
    const r = await runCli(['check-config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/blocked\.toml/);
    expect(r.stderr).toMatch(/spool_dir cannot be used: .*not-a-directory is not a directory/);
  });

  it('passes check-config when the directory does not exist yet but can be made', async () => {
    const later = join(mkdtempSync(join(tmpdir(), 'statsite-ts-state-')), 'created', 'at', 'start');
    const r = await runCli(['check-config', file('later.toml', `[statsite]\nflush_interval = 1\n${graphiteSink(2003, 'a.', later)}`)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('is refused on SIGHUP: the old config keeps running and /health says why', async () => {
    const admin = await freePort();
    const config = file('reload-blocked.toml', `[statsite]\nflush_interval = 1\nglobal_prefix = "old."\n[[sinks]]\ntype = "stdout"\n`);
    const server = await startServer({ args: ['--config', config, '--admin', String(admin)] });
    writeFileSync(config, `[statsite]\nflush_interval = 1\nglobal_prefix = "new."\n${graphiteSink(2003, 'a.', blocked)}`);
    process.kill(server.pid, 'SIGHUP');
    await server.waitForStderr(/config reload rejected; keeping the running config/);
    await sendUdp(server.port, 'still:1|c\n');
    await server.waitForKey('old.counts.still');
    const { status, body } = await health(admin);
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, lastReload: { ok: false, error: expect.stringMatching(/spool_dir cannot be used/) } });
  });
});

it('hands a Graphite spool with a backlog to the sink that replaces it on reload: no second writer, every line delivered', async () => {
  const [carbonPort, admin] = [await freePort(), await freePort()];
  const spool = mkdtempSync(join(tmpdir(), 'statsite-ts-reload-spool-'));
  const config = file('reload-spool.toml', `[statsite]\nflush_interval = 1\n${graphiteSink(carbonPort, 'before.', spool)}`);
  const server = await startServer({ args: ['--config', config, '--admin', String(admin)] });
  await server.waitForStderr(/destination unreachable/);
  const segments = () => readdirSync(join(spool, `127.0.0.1_${carbonPort}`)).filter((f) => f.endsWith('.spool')).length;
  for (let i = 0; i < 2; i++) {
    const before = segments();
    await sendUdp(server.port, 'handed.over:1|c\n');
    await server.waitUntil(() => segments() > before, { what: 'a spooled flush' });
  }

  // Same carbon, same spool, another prefix: a new sink, which must take over the running sender.
  writeFileSync(config, `[statsite]\nflush_interval = 1\n${graphiteSink(carbonPort, 'after.', spool)}`);
  process.kill(server.pid, 'SIGHUP');
  await server.waitForStderr(/configuration reloaded/);
  await sendUdp(server.port, 'handed.over:1|c\n');
  await waitFor(async () => (await health(admin)).body.lastFlushAt !== null);

  const carbon = new TcpReceiver();
  await carbon.start(carbonPort);
  try {
    const delivered = () => [
      ...carbon.linesStartingWith('before.counts.handed.over '),
      ...carbon.linesStartingWith('after.counts.handed.over '),
    ];
    await waitFor(() => delivered().length >= 3, { timeoutMs: 15_000, what: 'the spooled and the new lines at carbon' });
    // Long enough for a second sender on the same spool, had there been one, to have reconnected.
    await waitForMoreFlushes(admin, 3);
    expect(carbon.accepted).toBe(1);
    await new Promise((r) => setTimeout(r, 6000)); console.log("RECEIVED", carbon.received, server.stderr.slice(-3000));
    expect(carbon.linesStartingWith('before.counts.handed.over ')).toHaveLength(2);
    expect(carbon.linesStartingWith('after.counts.handed.over ').length).toBeGreaterThanOrEqual(1);
    expect(server.exitInfo).toBeUndefined();
    expect(server.stderr).not.toMatch(/spool segment (is corrupt|cannot be read)/);
  } finally {
    await carbon.stop();
  }
}, 60_000);
