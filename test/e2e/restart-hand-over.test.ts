// A restart Graphite cannot see (`[service] state_dir`): a SIGTERM leaves the unfinished interval
// and its flush time in the state directory instead of flushing it, and the next start carries on
// with it. The output of "send, restart, send" must be the output of "send, send" without a
// restart: the same lines, the same values, under the timestamp the first process would have used.

import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { stats } from '../helpers/admin.js';
import { sendUdp } from '../helpers/clients.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers, type ServerProcess } from '../helpers/server.js';
import { keyValues, type Flush } from '../helpers/stream-output.js';
import { tempFiles } from '../helpers/temp-files.js';
import { waitForUdpRead } from '../helpers/udp-queue.js';
import { waitFor } from '../helpers/wait.js';

afterEach(() => stopAllServers());

const INTERVAL_S = 10;
const files = tempFiles('statsite-ts-hand-over-');
/** Every metric type, with samples on both sides of the restart. */
const BEFORE = 'hits:3|c\nhits:2|c|@0.5\nlatency:10|ms\nlatency:30|ms\ntemp:5|g\ndepth:+2|g\nusers:ann|s\nusers:bob|s\nraw:7|kv\n';
const AFTER = 'hits:4|c\nlatency:20|ms\nlatency:50|ms\ntemp:7|g\ndepth:+3|g\nusers:bob|s\nusers:cy|s\nraw:9|kv\n';

/** A snapshot of no series: its header line only. */
const EMPTY_SNAPSHOT = JSON.stringify({ format: 'statsite-ts/forward', version: 2, source: 'test', timestamp: 1, interval: 10 });

function config(name: string, aligned: boolean): { path: string; stateDir: string } {
  const stateDir = join(files.dir, `${name}-state`);
  mkdirSync(stateDir, { recursive: true });
  const text = `[statsite]\nflush_interval = ${INTERVAL_S}\naligned_flush = ${aligned}\n\n[service]\nstate_dir = "${stateDir}"\n`;
  return { path: files.file(`${name}.toml`, text), stateDir };
}

async function start(configPath: string, extra: string[] = []): Promise<{ server: ServerProcess; admin: number }> {
  const admin = await freePort();
  const server = await startServer({ args: ['--config', configPath, '--admin', String(admin), ...extra] });
  await server.waitForStderr(/statsite-ts listening/);
  return { server, admin };
}

async function send(server: ServerProcess, payload: string): Promise<void> {
  await sendUdp(server.port, payload);
  await waitForUdpRead(server.port);
}

/** The one flush with our counter in it. */
async function flushOf(server: ServerProcess): Promise<Flush> {
  const [flush] = await server.waitForFlushesWith('counts.hits', 1, { timeoutMs: 3 * INTERVAL_S * 1000 });
  return flush;
}

/** A server of this config that was sent BEFORE and stopped: its interval is in the state dir. */
async function stoppedAfterSending(configPath: string): Promise<ServerProcess> {
  const { server } = await start(configPath);
  await send(server, BEFORE);
  await server.stop();
  return server;
}

/** The `dueAt` of the first process's hand-over log line, as a unix timestamp. */
function handedOverDueAt(server: ServerProcess): number {
  const line = server.stderr.split('\n').find((l) => l.includes('handed the unfinished interval over'));
  expect(line, server.diagnostics()).toBeDefined();
  return Math.floor(Date.parse((JSON.parse(line!) as { dueAt: string }).dueAt) / 1000);
}

/** With an aligned schedule: waits for a fresh slot, so the whole restart fits in one interval. */
async function awaitSlotStart(): Promise<void> {
  await waitFor(() => Date.now() % (INTERVAL_S * 1000) < 1000, { timeoutMs: INTERVAL_S * 1000 + 2000, what: 'the start of a flush slot' });
}

async function restartMatchesNoRestart(aligned: boolean, workers: string[]): Promise<void> {
  if (aligned) await awaitSlotStart();
  const restarted = config(`restarted-${aligned}-${workers.length}`, aligned);
  const [first, reference] = await Promise.all([start(restarted.path, workers), start(config(`reference-${aligned}`, aligned).path)]);
  await Promise.all([send(first.server, BEFORE), send(reference.server, BEFORE)]);

  expect(await first.server.stop()).toMatchObject({ code: 0, forced: false });
  expect(first.server.stdout).toBe(''); // no final flush
  expect(first.server.stderr).toMatch(/shutting down: handing the interval over to the next start/);
  const dueAt = handedOverDueAt(first.server);
  expect(existsSync(join(restarted.stateDir, 'interval.json'))).toBe(true);

  const second = await start(restarted.path, workers);
  expect(second.server.stderr, 'the restart took longer than the interval').toMatch(/it goes on here and is flushed when it was due/);
  expect(existsSync(join(restarted.stateDir, 'interval.json'))).toBe(false);
  await Promise.all([send(second.server, AFTER), send(reference.server, AFTER)]);

  const [restartedFlush, referenceFlush] = await Promise.all([flushOf(second.server), flushOf(reference.server)]);
  expect(keyValues(restartedFlush).sort()).toEqual(keyValues(referenceFlush).sort());
  expect(restartedFlush.ts).toBe(dueAt);
  if (aligned) expect(restartedFlush.ts).toBe(referenceFlush.ts);
  expect(second.server.flushes().filter((f) => f.lines.length > 0)).toHaveLength(1);
  const counts = await stats(second.admin);
  expect(counts['restart.intervals_restored']).toBe(1);
  expect(counts['restart.series_restored']).toBe(6);
}

it('a restart within an interval: one flush with both processes\' samples, at the first one\'s time', async () => {
  await restartMatchesNoRestart(false, []);
}, 60_000);

it('the same with aligned_flush: the flush has the timestamp of the run without a restart', async () => {
  await restartMatchesNoRestart(true, []);
}, 60_000);

it('the same with ingest workers: their parts are handed over too', async () => {
  await restartMatchesNoRestart(true, ['--workers', '2']);
}, 60_000);

it('an interval whose flush came while no process ran is flushed at once, under its own timestamp', async () => {
  const { path, stateDir } = config('late', false);
  const first = await stoppedAfterSending(path);
  const dueAt = handedOverDueAt(first);
  // The stop lasts past the flush time.
  const passed = { timeoutMs: (INTERVAL_S + 2) * 1000, what: 'the handed-over flush time to pass' };
  await waitFor(() => Date.now() >= dueAt * 1000 + 1000, passed);

  const second = await start(path);
  const flush = await flushOf(second.server);
  expect(flush.ts).toBe(dueAt);
  expect(keyValues(flush)).toContain('counts.hits|7.000000');
  expect(second.server.stderr).toMatch(/its flush was due, flushing it now/);
  expect(readdirSync(stateDir)).toEqual([]);
}, 60_000);

it('a start that fails after reading the state file leaves it for the next start', async () => {
  const { path, stateDir } = config('failed-start', false);
  await stoppedAfterSending(path);
  const blocker = createServer();
  const port = await freePort();
  await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
  try {
    const failed = await startServer({ port, args: ['--config', path], waitForTcp: false });
    expect((await failed.exited).code).toBe(1);
    expect(failed.stderr).toMatch(/cannot start/);
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
  expect(readdirSync(stateDir)).toEqual(['interval.json']);
  const second = await start(path);
  expect(second.server.stderr).toMatch(/took over the stopped process's interval/);
  expect(keyValues(await flushOf(second.server))).toContain('counts.hits|7.000000');
}, 60_000);

it('a corrupt or stale state file is logged, counted and moved aside; the server starts without it', async () => {
  for (const [name, text] of [
    ['corrupt', '{"format":"statsite-ts/hand-over","version":1,"dueAt":\n'],
    ['stale', `${JSON.stringify({ format: 'statsite-ts/hand-over', version: 1, dueAt: 1000, lastTimestamp: 1 })}\n${EMPTY_SNAPSHOT}\n`],
  ]) {
    const { path, stateDir } = config(name, false);
    writeFileSync(join(stateDir, 'interval.json'), text);
    const { server, admin } = await start(path);
    expect(server.stderr).toMatch(/cannot use the state file of the last stop: moved aside, starting without it/);
    expect(server.stderr).toMatch(name === 'stale' ? /"reason":"stale: its flush was due at 1970/ : /"reason":"Unexpected end of JSON/);
    expect((await stats(admin))['restart.state_files_set_aside']).toBe(1);
    const left = readdirSync(stateDir);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^interval\.json\.unusable-/);
    await send(server, 'alive:1|c\n');
    await server.stop();
    expect(server.stdout).toBe('');
  }
}, 60_000);

it('without a state dir a stop still writes a final flush', async () => {
  const server = await startServer({ args: ['--flush-interval', String(INTERVAL_S)] });
  await send(server, BEFORE);
  await server.stop();
  expect(server.stderr).toMatch(/shutting down: final flush/);
  expect(keyValues(server.flushes()[0])).toContain('counts.hits|7.000000');
});
