import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { BufferedTcpSender, IN_FLIGHT_BYTES } from '../../../../src/sinks/delivery/buffered-tcp-sender.js';
import { MemoryQueue } from '../../../../src/sinks/delivery/chunk-queue.js';
import { DiskSpool } from '../../../../src/sinks/delivery/disk-spool.js';
import { renderSlabs } from '../../../../src/naming/render-slabs.js';
import { mkdtempSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TcpReceiver } from '../../../helpers/tcp-receiver.js';
import { waitFor } from '../../../helpers/wait.js';

const log = pino({ level: 'silent' });
/** A sender's options for the receiver on `port`: quick to connect, quick to retry. */
const to = (port: number) => ({ host: '127.0.0.1', port, connectTimeoutMs: 1000, maxBackoffMs: 200 });

const text = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `m ${from + i} 1\n`).join('');
const lines = (from: number, to: number) => Buffer.from(text(from, to));

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
});

describe('BufferedTcpSender', () => {
  it('says since when its queue has held lines, its spool size and when the peer last took something', async () => {
    const r = new TcpReceiver();
    await r.start(0);
    await r.stop();
    const spool = mkdtempSync(join(tmpdir(), 'statsite-ts-queued-since-'));
    const sender = new BufferedTcpSender(to(r.port), new DiskSpool(spool, 1024 ** 2, log), log);
    cleanup.push(() => sender.close());
    const before = Date.now();
    sender.send(lines(0, 10), 10);
    sender.seal();
    await waitFor(() => (sender.stats().spoolBytes ?? 0) > 0);
    const waiting = sender.stats();
    expect(waiting.queuedSince).toBeGreaterThanOrEqual(before);
    expect(waiting.lastDeliveredAt).toBeNull();
    await r.start(r.port);
    cleanup.push(() => r.stop());
    await waitFor(() => sender.stats().bufferedLines === 0);
    expect(sender.stats()).toMatchObject({ queuedSince: null, spoolBytes: 0, lastDeliveredAt: expect.any(Number) });
  });

  it('delivers everything in order across an outage, re-sending only what the peer may have dropped unread', async () => {
    const r = new TcpReceiver();
    await r.start(0);
    cleanup.push(() => r.stop());
    const sender = new BufferedTcpSender(to(r.port), new MemoryQueue(10_000), log);
    cleanup.push(() => sender.close());
    sender.send(lines(0, 100), 100);
    await waitFor(() => r.received.split('\n').length > 100);
    await r.stop();
    await waitFor(() => !sender.stats().connected);
    for (let i = 100; i < 1000; i += 100) sender.send(lines(i, i + 100), 100);
    // The peer vanished with the first 100 perhaps unread (far less than IN_FLIGHT_BYTES after them): they go again, first.
    expect(sender.stats().bufferedLines).toBe(1000);
    await r.start(r.port);
    await waitFor(() => r.received.split('\n').length > 1100);
    expect(r.received).toBe(text(0, 100) + text(0, 1000));
    expect(sender.stats()).toMatchObject({ sentLines: 1000, droppedLines: 0, bufferedLines: 0, connected: true });
  });

  it('sends again what may still have been in the socket buffers (IN_FLIGHT_BYTES), not more', async () => {
    const r = new TcpReceiver();
    await r.start(0);
    cleanup.push(() => r.stop());
    const sender = new BufferedTcpSender(to(r.port), new MemoryQueue(10_000), log);
    cleanup.push(() => sender.close());
    const mib = 1024 * 1024;
    const chunks = Math.ceil(IN_FLIGHT_BYTES / mib) + 8;
    for (let i = 0; i < chunks; i++) sender.send(Buffer.from('x'.repeat(mib - 1) + '\n'), 1);
    await waitFor(() => r.received.length === chunks * mib);
    await r.stop();
    await waitFor(() => !sender.stats().connected);
    await r.start(r.port);
    await waitFor(() => sender.stats().connected && sender.stats().sentLines === chunks);
    // Written is not yet read: wait until the receiver has it all.
    let seen = -1;
    await waitFor(() => seen === (seen = r.received.length) && seen % mib === 0, { timeoutMs: 10_000 });
    const resent = r.received.length - chunks * mib;
    expect(resent).toBeGreaterThanOrEqual(IN_FLIGHT_BYTES);
    expect(resent).toBeLessThanOrEqual(IN_FLIGHT_BYTES + mib);
  });

  it('drops the oldest lines past the bound and counts them', async () => {
    const r = new TcpReceiver();
    await r.start(0);
    const port = r.port;
    await r.stop();
    const sender = new BufferedTcpSender(to(port), new MemoryQueue(300), log);
    cleanup.push(() => sender.close());
    for (let i = 0; i < 1000; i += 100) sender.send(lines(i, i + 100), 100);
    expect(sender.stats()).toMatchObject({ droppedLines: 700, bufferedLines: 300 });
    expect(sender.takeDroppedCount()).toBe(700);
    expect(sender.takeDroppedCount()).toBe(0);
    await r.start(port);
    cleanup.push(() => r.stop());
    await waitFor(() => r.received.split('\n').length > 300);
    expect(r.received).toBe(text(700, 1000));
  });

  it('room(): resolves once no more than the lines asked for wait, at once while down, and on abort', async () => {
    const r = new TcpReceiver();
    await r.start(0);
    cleanup.push(() => r.stop());
    r.pause();
    const sender = new BufferedTcpSender(to(r.port), new MemoryQueue(1_000_000), log);
    cleanup.push(() => sender.close());
    await waitFor(() => sender.stats().connected);
    // 64 MiB, far more than loopback's socket buffers hold: most of it waits in the queue.
    const mib = 1024 * 1024;
    for (let i = 0; i < 64; i++) sender.send(Buffer.from('x'.repeat(mib - 1) + '\n'), 1000);
    let waitingAtWake: number | undefined;
    const room = sender.room(10_000).then(() => (waitingAtWake = sender.stats().bufferedLines));
    const aborted = new AbortController();
    const abortable = sender.room(0, aborted.signal);
    await waitFor(() => sender.stats().sentLines > 0);
    expect(waitingAtWake).toBeUndefined();
    aborted.abort();
    await abortable;
    r.resume();
    await room;
    expect(waitingAtWake).toBeLessThanOrEqual(10_000);
    await waitFor(() => r.received.length === 64 * mib);
    await r.stop();
    await waitFor(() => !sender.stats().connected);
    sender.send(lines(0, 10), 10);
    await sender.room(0); // down: the queue's bound, not room(), holds lines through an outage
  });

  it('copies the render-slab views it keeps for a re-send and gives them back (releaseViews)', async () => {
    const r = new TcpReceiver();
    await r.start(0);
    cleanup.push(() => r.stop());
    const sender = new BufferedTcpSender(to(r.port), new MemoryQueue(10_000), log);
    cleanup.push(() => sender.close());
    await waitFor(() => sender.stats().connected);
    expect(sender.takesViews()).toBe(true);
    const slab = renderSlabs.acquire();
    const written = slab.write(text(0, 100));
    const view = slab.subarray(0, written);
    renderSlabs.lend(slab);
    renderSlabs.retire(slab);
    sender.send(view, 100);
    await waitFor(() => r.received.length === written);
    // Far less than IN_FLIGHT_BYTES came after it: it is kept for a re-send, and the slab with it.
    expect(renderSlabs.lent(view)).toBe(true);
    sender.releaseViews();
    expect(renderSlabs.lent(view)).toBe(false);
    expect(renderSlabs.acquire()).toBe(slab);
    slab.fill('y'); // the next flush renders over the slab: the copy kept must not change
    await r.stop();
    await waitFor(() => !sender.stats().connected);
    await r.start(r.port);
    await waitFor(() => r.received.length === 2 * written);
    expect(r.received).toBe(text(0, 100) + text(0, 100));
  });
});

describe('DiskSpool', () => {
  const spoolDir = () => mkdtempSync(join(tmpdir(), 'statsite-ts-spool-'));

  it('survives a restart: what a sender could not deliver is delivered by the next process, in order', async () => {
    const dir = spoolDir();
    const r = new TcpReceiver();
    await r.start(0);
    const port = r.port;
    await r.stop();
    const first = new BufferedTcpSender(to(port), new DiskSpool(dir, 1e9, log), log);
    for (let i = 0; i < 500; i += 100) {
      first.send(lines(i, i + 100), 100);
      first.seal();
    }
    await first.close(); // the "crash": nothing delivered (close waits for the segments to be written)
    expect(readdirSync(dir).filter((f) => f.endsWith('.spool'))).toHaveLength(5);

    await r.start(port);
    cleanup.push(() => r.stop());
    const second = new BufferedTcpSender(to(port), new DiskSpool(dir, 1e9, log), log);
    cleanup.push(() => second.close());
    second.send(lines(500, 600), 100);
    second.seal();
    await waitFor(() => r.received.split('\n').length > 600);
    expect(r.received).toBe(text(0, 600));
    await waitFor(() => readdirSync(dir).filter((f) => f.endsWith('.spool')).length === 0);
  });

  it('stays within its byte bound by dropping the oldest flushes, counted', async () => {
    const dir = spoolDir();
    const spool = new DiskSpool(dir, 5000, log);
    let dropped = 0;
    for (let i = 0; i < 20; i++) {
      spool.push({ data: lines(i * 50, i * 50 + 50), lines: 50 });
      dropped += spool.seal();
      await spool.settled();
      dropped += spool.takeLost();
    }
    expect(dropped).toBeGreaterThan(0);
    expect(spool.lines + dropped).toBe(1000);
    const onDisk = readdirSync(dir).reduce((n, f) => n + readFileSync(join(dir, f)).length, 0);
    expect(onDisk).toBeLessThanOrEqual(5000 + 2000);
    expect(spool.peek()!.data.toString().startsWith(`m ${dropped} 1`)).toBe(true);
  });

  it('detects a corrupt segment, logs it and skips it', async () => {
    const dir = spoolDir();
    const spool = new DiskSpool(dir, 1e9, log);
    spool.push({ data: lines(0, 10), lines: 10 });
    spool.seal();
    spool.push({ data: lines(10, 20), lines: 10 });
    spool.seal();
    await spool.settled();
    spool.release(); // as the process ending does
    const [firstFile] = readdirSync(dir).sort();
    const path = join(dir, firstFile);
    writeFileSync(path, readFileSync(path, 'utf8').replace('m 5 1', 'm 5 9'));
    const errors: string[] = [];
    const recording = pino({ level: 'error' }, { write: (line: string) => void errors.push(line) });
    const reopened = new DiskSpool(dir, 1e9, recording);
    expect(errors.join('')).toMatch(/corrupt/);
    expect(reopened.peek()!.data.toString()).toBe(text(10, 20));
  });
});
