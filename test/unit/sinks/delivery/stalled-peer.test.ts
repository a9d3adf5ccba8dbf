// A carbon that stops reading (a long GC pause, a full disk, a shutdown) and then closes: what it
// accepted into its socket buffers but never read is lost with the connection. The sender keeps
// every chunk that may still be in those buffers however long the stall lasts, treats a
// connection that takes nothing as down, reports it, and sends the kept chunks again.

import { createServer, type Socket } from 'node:net';
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { BufferedTcpSender } from '../../../../src/sinks/delivery/buffered-tcp-sender.js';
import { MemoryQueue } from '../../../../src/sinks/delivery/chunk-queue.js';
import { waitFor } from '../../../helpers/wait.js';

const log = pino({ level: 'silent' });
let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
});

/** A carbon stand-in that can stop reading (and later drop those connections unread). */
async function stoppableCarbon() {
  let reading = false;
  /** The line numbers received, counted as they arrive (a re-sent line counts once). */
  const seen = new Set<number>();
  const unread = new Set<Socket>();
  const all = new Set<Socket>();
  const server = createServer((s) => {
    all.add(s);
    s.on('error', () => undefined);
    if (!reading) {
      s.pause();
      unread.add(s);
      return;
    }
    s.setEncoding('latin1');
    let partial = '';
    s.on('data', (d: string) => {
      const lines = (partial + d).split('\n');
      partial = lines.pop()!;
      for (const line of lines) seen.add(Number(line.split(' ')[1]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => {
    for (const s of all) s.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return {
    port: (server.address() as { port: number }).port,
    seen,
    /** Closes the connections it never read from, losing what sat in them; reads from now on. */
    recover(): void {
      for (const s of unread) s.destroy();
      reading = true;
    },
  };
}

it('delivers every line once the carbon reads again, however long it stalled', async () => {
  const carbon = await stoppableCarbon();
  const sender = new BufferedTcpSender(
    { host: '127.0.0.1', port: carbon.port, connectTimeoutMs: 1000, stallTimeoutMs: 300, minBackoffMs: 20, maxBackoffMs: 100 },
    new MemoryQueue(10_000_000),
    log,
  );
  cleanup.push(() => sender.close());
  const CHUNKS = 200;
  const PER_CHUNK = 5000;
  for (let c = 0; c < CHUNKS; c++) {
    const text = Array.from({ length: PER_CHUNK }, (_, i) => `stalled.series ${c * PER_CHUNK + i} 1\n`).join('');
    sender.send(Buffer.from(text), PER_CHUNK);
  }
  // Stalled: the kernel buffers are full and carbon takes nothing. Reported, and retried. Longer
  // than any time-based resend window would keep the unread lines (the old one was 3 s).
  const stalledSince = Date.now();
  await waitFor(() => Date.now() - stalledSince > 3500 && (sender.problem()?.includes('stalled') ?? false), {
    timeoutMs: 10_000, intervalMs: 100, what: 'a stall of more than 3.5 s, reported',
  });
  expect(sender.stats().bufferedLines).toBeGreaterThan(0);

  carbon.recover();
  await waitFor(() => carbon.seen.size === CHUNKS * PER_CHUNK, { timeoutMs: 20_000, what: 'every line at carbon' });
  await waitFor(() => sender.problem() === null, { what: 'the sender healthy again' });
  expect(sender.stats()).toMatchObject({ droppedLines: 0, bufferedLines: 0 });
}, 40_000);

it('says when a destination is back, how long it was away and what it cost', async () => {
  const lines: string[] = [];
  const recording = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  const down = createServer();
  await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
  const port = (down.address() as { port: number }).port;
  await new Promise((resolve) => down.close(resolve)); // nothing listens there now
  const options = { host: '127.0.0.1', port, connectTimeoutMs: 500, minBackoffMs: 20, maxBackoffMs: 50 };
  const sender = new BufferedTcpSender(options, new MemoryQueue(5), recording);
  cleanup.push(() => sender.close());
  await waitFor(() => lines.some((l) => l.includes('destination unreachable')));
  // A bound of 5 lines: the second chunk pushes the first (10 lines) out, counted.
  sender.send(Buffer.from('a 1 1\n'.repeat(10)), 10);
  sender.send(Buffer.from('b 1 1\n'), 1);
  const back = createServer((s) => s.resume());
  await new Promise<void>((resolve) => back.listen(port, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => back.close(resolve)));
  await waitFor(() => lines.some((l) => l.includes('destination back')), { what: 'the recovery line' });
  const line = JSON.parse(lines.find((l) => l.includes('destination back'))!);
  expect(line).toMatchObject({ destination: `127.0.0.1:${port}`, droppedLines: 10, resentLines: 0 });
  expect(line.downSeconds).toBeGreaterThanOrEqual(0);
});
