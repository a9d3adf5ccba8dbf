// bin/statsite-ts end to end: StatsD lines in over UDP and TCP, statsite
// stream lines (`KEY|VALUE|TS`) out of the stdout sink.
//
// Each test has its own server on its own free port, so tests run
// concurrently. Lines whose values must aggregate together are sent in one
// datagram or one write, so that a flush boundary cannot split them; where a
// test needs several writes it sums a key over all flushes.

import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it, type TestContext } from 'vitest';
import { waitForStats } from '../helpers/admin.js';
import { sendTcp, sendUdp } from '../helpers/clients.js';
import { freePort } from '../helpers/ports.js';
import { runCli, startServer, stopAllServers, type ServerProcess } from '../helpers/server.js';
import { parseStreamLine, sumOf, valuesOf, type Flush } from '../helpers/stream-output.js';

type Proto = 'udp' | 'tcp';

const FAST = ['--flush-interval', '1', '--sink', 'stdout'];

afterAll(stopAllServers);

/** A server for this test only, stopped when the test finishes. */
async function start(ctx: TestContext, args: string[] = FAST): Promise<ServerProcess> {
  const server = await startServer({ args });
  ctx.onTestFinished(async () => {
    await server.stop({ timeoutMs: 5000 });
  });
  return server;
}

/** A temp dir for this test only, removed when the test finishes. */
function tempDir(ctx: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-e2e-'));
  ctx.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** One datagram, or one TCP connection with one write. */
function send(proto: Proto, port: number, payload: string | Buffer): Promise<void> {
  return proto === 'udp' ? sendUdp(port, payload) : sendTcp(port, payload);
}

/**
 * Waits until every key has been printed, then stops the server (its final
 * flush catches anything still pending) and returns all flushes.
 */
async function collect(server: ServerProcess, keys: string[]): Promise<Flush[]> {
  for (const key of keys) await server.waitForKey(key);
  await server.stop();
  return server.flushes();
}

function allKeys(flushes: Flush[]): string[] {
  return flushes.flatMap((f) => f.lines.map((l) => l.key));
}

describe.concurrent.each(['udp', 'tcp'] as const)('over %s', (proto) => {
  it('aggregates each metric type (c, ms, h, g, s, kv)', async (ctx) => {
    const server = await start(ctx);
    await send(proto, server.port!, 'c:2|c\nt:5|ms\nh:7|h\ng:3|g\ns:a|s\ns:b|s\ns:a|s\nk:9|kv\n');
    const flushes = await collect(server, ['counts.c', 'timers.t.sum', 'timers.h.sum', 'gauges.g', 'sets.s', 'kv.k']);
    const { expect } = ctx;

    expect(valuesOf(flushes, 'counts.c')).toEqual(['2.000000']);
    expect(valuesOf(flushes, 'gauges.g')).toEqual(['3.000000']);
    expect(valuesOf(flushes, 'sets.s')).toEqual(['2']);
    expect(valuesOf(flushes, 'kv.k')).toEqual(['9.000000']);
    expect(valuesOf(flushes, 'timers.h.sum')).toEqual(['7.000000']);
    expect(valuesOf(flushes, 'timers.h.count')).toEqual(['1']);

    // A timer prints every statsite field by default; one sample pins them all.
    const timer = Object.fromEntries(
      flushes.flatMap((f) => f.lines.filter((l) => l.key.startsWith('timers.t.')).map((l) => [l.key, l.value])),
    );
    expect(timer).toEqual({
      'timers.t.sum': '5.000000',
      'timers.t.sum_sq': '25.000000',
      'timers.t.mean': '5.000000',
      'timers.t.lower': '5.000000',
      'timers.t.upper': '5.000000',
      'timers.t.count': '1',
      'timers.t.stdev': '0.000000',
      'timers.t.median': '5.000000',
      'timers.t.p50': '5.000000',
      'timers.t.p95': '5.000000',
      'timers.t.p99': '5.000000',
      'timers.t.rate': '5.000000',
      'timers.t.sample_rate': '1.000000',
    });
  });

  it('scales a sampled counter by 1/rate', async (ctx) => {
    const server = await start(ctx);
    await send(proto, server.port!, 'c:1|c|@0.1\n');
    const flushes = await collect(server, ['counts.c']);
    ctx.expect(valuesOf(flushes, 'counts.c')).toEqual(['10.000000']);
  });

  it('reads several lines from one message', async (ctx) => {
    const server = await start(ctx);
    await send(proto, server.port!, 'a:1|c\nb:2|c\na:3|c\n');
    const flushes = await collect(server, ['counts.a', 'counts.b']);
    ctx.expect(valuesOf(flushes, 'counts.a')).toEqual(['4.000000']);
    ctx.expect(valuesOf(flushes, 'counts.b')).toEqual(['2.000000']);
  });

  it('accepts \\r\\n line endings', async (ctx) => {
    const server = await start(ctx);
    await send(proto, server.port!, 'crlf:1|c\r\ncrlf.t:2|ms\r\n');
    const flushes = await collect(server, ['counts.crlf', 'timers.crlf.t.sum']);
    ctx.expect(valuesOf(flushes, 'counts.crlf')).toEqual(['1.000000']);
    ctx.expect(valuesOf(flushes, 'timers.crlf.t.sum')).toEqual(['2.000000']);
    ctx.expect(server.stdout).not.toContain('\r');
  });

  it('adds gauge deltas to the current value', async (ctx) => {
    const server = await start(ctx);
    await send(proto, server.port!, 'g:10|g\ng:+5|g\ng:-3|g\n');
    const flushes = await collect(server, ['gauges.g']);
    ctx.expect(valuesOf(flushes, 'gauges.g')).toEqual(['12.000000']);
  });

  it('keeps gauges, sets and kv sent with a sample rate, counted; rejects them with unused_sample_rate = "reject"', async (ctx) => {
    const admin = await freePort();
    const server = await start(ctx, [...FAST, '--admin', `127.0.0.1:${admin}`]);
    await send(proto, server.port!, 'g:3|g|@0.5\ns:x|s|@0.5\nk:7|kv|@0.1\n');
    await waitForStats(admin, (s) => s['ignored.sample_rates'] === 3 && s['parse_errors.total'] === 0);
    const flushes = await collect(server, ['gauges.g', 'sets.s', 'kv.k']);
    const values = ['gauges.g', 'sets.s', 'kv.k'].map((k) => valuesOf(flushes, k));
    ctx.expect(values).toEqual([['3.000000'], ['1'], ['7.000000']]);

    const dir = tempDir(ctx);
    const toml = '[statsite]\nflush_interval = 1\n[protocol]\nunused_sample_rate = "reject"\n[[sinks]]\ntype = "stdout"\n';
    writeFileSync(join(dir, 'reject.toml'), toml);
    const strictAdmin = await freePort();
    const strict = await start(ctx, ['--config', join(dir, 'reject.toml'), '--admin', `127.0.0.1:${strictAdmin}`]);
    await send(proto, strict.port!, 'g:3|g|@0.5\nok:1|c\n');
    await waitForStats(strictAdmin, (s) => s['parse_errors.sample_rate_not_allowed'] === 1 && s['ignored.sample_rates'] === 0);
    ctx.expect(allKeys(await collect(strict, ['counts.ok'])).filter((k) => k.includes('gauges.g'))).toEqual([]);
  });

  it('drops a malformed line, keeps its neighbours and logs the rejection', async (ctx) => {
    const server = await start(ctx);
    const mark = server.stderr.length;
    await send(proto, server.port!, 'good:1|c\nbad:12abc|c\nalso:2|c\n');
    for (const key of ['counts.good', 'counts.also']) await server.waitForKey(key);
    // Logs may be rate-limited or summarised, so wait (bounded) for the mention.
    await server.waitForStderr(/12abc|bad:|malformed|invalid|reject|parse error|parse_error/i, mark);
    await server.stop();
    const flushes = server.flushes();
    ctx.expect(valuesOf(flushes, 'counts.good')).toEqual(['1.000000']);
    ctx.expect(valuesOf(flushes, 'counts.also')).toEqual(['2.000000']);
    ctx.expect(allKeys(flushes).filter((k) => k.includes('bad'))).toEqual([]);
  });

  it('accepts DogStatsD tags', async (ctx) => {
    const server = await start(ctx);
    await send(proto, server.port!, 'tagged:1|c|#env:prod\n');
    const line = await server.waitUntil(
      (s) => s.flushes().flatMap((f) => f.lines).find((l) => l.key.startsWith('counts.tagged')),
      { what: 'a line starting with counts.tagged' },
    );
    ctx.expect(`${line.key}|${line.value}`).toBe('counts.tagged;env=prod|1.000000');
  });

  it('writes UTF-8 names as received, byte for byte', async (ctx) => {
    const server = await start(ctx);
    // As UTF-8 bytes: the helpers send a string's characters as single bytes (latin1).
    await send(proto, server.port!, Buffer.from('café.requêtes:3|c\nlaunch.🚀:1.5|ms\nπ:-2|g\n', 'utf8'));
    const flushes = await collect(server, ['counts.café.requêtes', 'timers.launch.🚀.p95', 'gauges.π']);
    ctx.expect(valuesOf(flushes, 'counts.café.requêtes')).toEqual(['3.000000']);
    ctx.expect(valuesOf(flushes, 'timers.launch.🚀.p95')).toEqual(['1.500000']);
    ctx.expect(valuesOf(flushes, 'gauges.π')).toEqual(['-2.000000']);
  });

  it('splits etsy multi-metric lines (multi:1|c:2|ms)', async (ctx) => {
    const server = await start(ctx);
    await send(proto, server.port!, 'multi:1|c:2|ms\n');
    const flushes = await collect(server, ['counts.multi', 'timers.multi.sum']);
    ctx.expect(valuesOf(flushes, 'counts.multi')).toEqual(['1.000000']);
    ctx.expect(valuesOf(flushes, 'timers.multi.sum')).toEqual(['2.000000']);
  });

  it('reads packed values (packed:1:2:3|ms)', async (ctx) => {
    const server = await start(ctx);
    await send(proto, server.port!, 'packed:1:2:3|ms\n');
    const flushes = await collect(server, ['timers.packed.count']);
    ctx.expect(valuesOf(flushes, 'timers.packed.count')).toEqual(['3']);
    ctx.expect(valuesOf(flushes, 'timers.packed.sum')).toEqual(['6.000000']);
  });

  it('treats a DogStatsD distribution (|d) as a timer', async (ctx) => {
    const server = await start(ctx);
    await send(proto, server.port!, 'd:5|d\n');
    const flushes = await collect(server, ['timers.d.sum']);
    ctx.expect(valuesOf(flushes, 'timers.d.sum')).toEqual(['5.000000']);
  });
});

describe.concurrent('over udp only', () => {
  it('ends the last line of a datagram without a newline', async (ctx) => {
    const server = await start(ctx);
    await sendUdp(server.port!, 'first:1|c\nnonl:4|c');
    const flushes = await collect(server, ['counts.first', 'counts.nonl']);
    ctx.expect(valuesOf(flushes, 'counts.nonl')).toEqual(['4.000000']);
  });
});

describe.concurrent('over tcp only', () => {
  it('uses a final line without newline when the client closes', async (ctx) => {
    const server = await start(ctx);
    await sendTcp(server.port!, 'first:1|c\nlast:7|c');
    const flushes = await collect(server, ['counts.first', 'counts.last']);
    ctx.expect(valuesOf(flushes, 'counts.first')).toEqual(['1.000000']);
    ctx.expect(valuesOf(flushes, 'counts.last')).toEqual(['7.000000']);
  });

  it('joins a line split across writes', async (ctx) => {
    const server = await start(ctx);
    await sendTcp(server.port!, ['tc', 'p:1|c\ntcp:', '2|c\n'], { gapMs: 20 });
    const flushes = await collect(server, ['counts.tcp']);
    // The writes may straddle a flush, so sum over flushes.
    ctx.expect(sumOf(flushes, 'counts.tcp')).toBe(3);
    ctx.expect([...new Set(allKeys(flushes))]).toEqual(['counts.tcp']);
  });
});

describe.concurrent('flushing', () => {
  it('flushes every interval with increasing timestamps', async (ctx) => {
    const server = await start(ctx);
    // Each send waits for the previous tick to be printed, so each lands in a later flush.
    for (let i = 1; i <= 3; i++) {
      await sendUdp(server.port!, 'tick:1|c\n');
      await server.waitForFlushesWith('counts.tick', i);
    }
    await server.stop();
    const { expect } = ctx;
    const flushes = server.flushes();
    expect(flushes.filter((f) => f.lines.some((l) => l.key === 'counts.tick'))).toHaveLength(3);
    expect(valuesOf(flushes, 'counts.tick')).toEqual(['1.000000', '1.000000', '1.000000']);
    // Timestamps never go back, line by line, and each flush has its own.
    const stamps = server.stdout.split('\n').filter(Boolean).map((raw) => parseStreamLine(raw)?.ts);
    expect(stamps.every((ts, i) => ts !== undefined && (i === 0 || ts >= stamps[i - 1]!))).toBe(true);
    const flushStamps = flushes.map((f) => f.ts);
    expect(flushStamps).toEqual([...flushStamps].sort((a, b) => a - b));
  });

  it('flushes at multiples of the interval with aligned_flush', async (ctx) => {
    // The clock itself is unit-tested (test/unit/flush/flush-clock.test.ts); this checks that the
    // option reaches it. Unaligned, a 2 s interval would give odd timestamps half of the time.
    const config = join(tempDir(ctx), 'aligned.toml');
    writeFileSync(config, '[statsite]\nflush_interval = 2\naligned_flush = true\n');
    const server = await start(ctx, ['--config', config, '--sink', 'stdout']);
    for (let i = 1; i <= 2; i++) {
      await sendUdp(server.port!, 'aligned:1|c\n');
      await server.waitForFlushesWith('counts.aligned', i);
    }
    const stamps = server.flushes().map((f) => f.ts);
    ctx.expect(stamps.map((ts) => ts % 2), stamps.join(', ')).toEqual(stamps.map(() => 0));
  });

  it('flushes the last bucket on SIGTERM and exits 0', async (ctx) => {
    const admin = await freePort();
    const server = await start(ctx, ['--flush-interval', '30', '--sink', 'stdout', '--admin', `127.0.0.1:${admin}`]);
    await sendUdp(server.port!, 'last.udp:1|c\n');
    await sendTcp(server.port!, 'last.tcp:2|c\n');
    // Both lines are in the bucket once the server has counted them.
    await waitForStats(admin, (s) => s['lines.udp'] === 1 && s['lines.tcp'] === 1, { what: 'both lines read' });
    ctx.expect(server.stdout).toBe(''); // nothing flushed yet: the lines below come from SIGTERM
    const exit = await server.stop({ signal: 'SIGTERM' });
    ctx.expect(exit).toEqual({ code: 0, signal: null, forced: false });
    ctx.expect(valuesOf(server.flushes(), 'counts.last.udp')).toEqual(['1.000000']);
    ctx.expect(valuesOf(server.flushes(), 'counts.last.tcp')).toEqual(['2.000000']);
  });
});

describe.concurrent('IPv6', () => {
  it('listens on ::1 over UDP and TCP with --bind ::1', async (ctx) => {
    const port = await freePort();
    const server = await startServer({ bind: '::1', port, args: FAST, waitForTcp: false });
    ctx.onTestFinished(() => server.stop({ timeoutMs: 5000 }).then(() => undefined));
    await server.waitForStderr(/statsite-ts listening/);
    await new Promise<void>((resolve, reject) => {
      const socket = createSocket('udp6');
      socket.send('v6.udp:1|c\n', port, '::1', (err) => {
        socket.close();
        if (err) reject(err);
        else resolve();
      });
    });
    const tcp = connect({ host: '::1', port });
    await new Promise<void>((resolve, reject) => tcp.once('connect', resolve).once('error', reject));
    tcp.end('v6.tcp:2|c\n');
    ctx.expect((await server.waitForKey('counts.v6.udp')).value).toBe('1.000000');
    ctx.expect((await server.waitForKey('counts.v6.tcp')).value).toBe('2.000000');
  });
});

describe.concurrent('configuration', () => {
  it('reads [statsite] global_prefix from a --config TOML file', async (ctx) => {
    const config = join(tempDir(ctx), 'statsite.toml');
    writeFileSync(config, '[statsite]\nflush_interval = 1\nglobal_prefix = "app."\n');
    const server = await start(ctx, ['--config', config, '--sink', 'stdout']);
    await sendUdp(server.port!, 'cfg:1|c\ncfg.t:4|ms\n');
    const flushes = await collect(server, ['app.counts.cfg', 'app.timers.cfg.t.count']);
    ctx.expect(valuesOf(flushes, 'app.counts.cfg')).toEqual(['1.000000']);
    ctx.expect(valuesOf(flushes, 'app.timers.cfg.t.count')).toEqual(['1']);
    ctx.expect(allKeys(flushes).filter((k) => !k.startsWith('app.'))).toEqual([]);
  });

  it('lets command-line flags override the file', async (ctx) => {
    const config = join(tempDir(ctx), 'statsite.toml');
    // An hour-long interval in the file: only the flag's 1 s lets a line out.
    writeFileSync(config, '[statsite]\nflush_interval = 3600\nglobal_prefix = "file."\n');
    const server = await start(ctx, ['--config', config, ...FAST]);
    await sendUdp(server.port!, 'over:1|c\n');
    const line = await server.waitForKey('file.counts.over');
    ctx.expect(line.value).toBe('1.000000');
  });

  it('--help exits 0 and documents --sink', async ({ expect }) => {
    const result = await runCli(['--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('--sink');
  });
});
