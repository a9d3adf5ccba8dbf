// How the Graphite sink hands a big flush to its connections: paced by carbon, so that a carbon
// slower than the render loses nothing however small buffer_lines is; as views of the render
// slabs while carbon is up (given back to the pool, never read after being written over), and as
// copies while it is down; the same bytes to every fanout destination either way.

import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { Bucket } from '../../../../src/aggregate/bucket.js';
import { createDefaultSketch } from '../../../../src/aggregate/sketch.js';
import { defaultConfig } from '../../../../src/config/defaults.js';
import { renderSlabs, SLAB_BYTES } from '../../../../src/naming/render-slabs.js';
import type { BufferedTcpSender } from '../../../../src/sinks/delivery/buffered-tcp-sender.js';
import { parseGraphiteSpec } from '../../../../src/sinks/graphite/graphite-options.js';
import { GraphiteSink } from '../../../../src/sinks/graphite/graphite-sink.js';
import { TcpReceiver } from '../../../helpers/tcp-receiver.js';
import { waitFor } from '../../../helpers/wait.js';

const log = pino({ level: 'silent' });
/** Lines per timer series in the default naming: sum … sample_rate. */
const TIMER_LINES = 13;
const LINE = /^statsite\.timers\.t\d+\.[a-z_0-9]+ \d+(\.\d{6})? 1700000000$/;

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

function timers(series: number): Bucket {
  const bucket = new Bucket({ histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 });
  for (let i = 0; i < series; i++) bucket.timer(`t${i}`, (i % 977) + 0.5, 1);
  return bucket;
}

async function carbon(): Promise<TcpReceiver> {
  const r = new TcpReceiver();
  await r.start(0);
  cleanup.push(() => r.stop());
  return r;
}

function sink(receivers: TcpReceiver[], query = ''): GraphiteSink {
  const hosts = receivers.map((r) => `127.0.0.1:${r.port}`).join(',');
  const s = new GraphiteSink(parseGraphiteSpec(`graphite://${hosts}?prefix=statsite.${query}`), () => defaultConfig().naming, log);
  cleanup.push(() => s.close(10_000));
  return s;
}

/** The chunks `sender` is handed, as they are handed. */
function recordSends(sender: BufferedTcpSender): Buffer[] {
  const sent: Buffer[] = [];
  const send = sender.send.bind(sender);
  sender.send = (body, units) => {
    sent.push(body as Buffer);
    send(body, units);
  };
  return sent;
}

const receivedLines = (r: TcpReceiver) => r.received.split('\n').filter((l) => l !== '');

it('waits for a carbon slower than the render instead of dropping what buffer_lines cannot hold', async () => {
  const series = 30_000; // ~20 MB of lines: more than loopback's socket buffers take while carbon reads nothing
  const r = await carbon();
  r.pause();
  const s = sink([r], '&buffer_lines=1000');
  await waitFor(() => s.senders[0].stats().connected);
  let flushed = false;
  const flush = s.flush(timers(series), 1700000000).then(() => (flushed = true));
  await waitFor(() => s.counters().bufferedLines > 0);
  expect(flushed).toBe(false);
  expect(s.counters().bufferedLines).toBeLessThanOrEqual(1000 + 500);
  r.resume();
  await flush;
  await waitFor(() => s.counters().bufferedLines === 0 && r.received.endsWith('\n') && receivedLines(r).length >= series * TIMER_LINES);
  expect(s.counters()).toMatchObject({ droppedLines: 0, sentLines: series * TIMER_LINES });
  const got = receivedLines(r);
  expect(got).toHaveLength(series * TIMER_LINES);
  expect(got.filter((l) => !LINE.test(l))).toEqual([]);
  expect(new Set(got.map((l) => l.split('.')[2])).size).toBe(series);
});

it('hands a connected carbon views of the render slabs, gives them back, and sends what copies would, to each destination', async () => {
  const series = 5_000;
  const [a, b, late] = [await carbon(), await carbon(), await carbon()];
  const fanout = sink([a, b], '&routing=fanout');
  await waitFor(() => fanout.senders.every((x) => x.stats().connected));
  const sent = recordSends(fanout.senders[0]);
  // A destination down while the flush renders is given copies, which may wait for as long as it is down.
  await late.stop();
  const down = sink([late]);
  const copies = recordSends(down.senders[0]);
  await fanout.flush(timers(series), 1700000000);
  await down.flush(timers(series), 1700000000);
  await late.start(late.port);

  const all = series * TIMER_LINES;
  for (const r of [a, b, late]) await waitFor(() => receivedLines(r).length === all && r.received.endsWith('\n'));
  expect(b.received).toBe(a.received);
  expect(late.received).toBe(a.received);
  expect(receivedLines(a).filter((l) => !LINE.test(l))).toEqual([]);

  expect(sent.length).toBeGreaterThan(1);
  expect(sent.every((chunk) => chunk.buffer.byteLength === SLAB_BYTES)).toBe(true);
  expect(copies.every((chunk) => chunk.buffer.byteLength < SLAB_BYTES)).toBe(true);
  // All but the last IN_FLIGHT_BYTES written are back in the pool; the next flush takes back the rest.
  expect(sent.some((chunk) => renderSlabs.lent(chunk))).toBe(true);
  await fanout.flush(timers(0), 1700000010);
  expect(sent.filter((chunk) => renderSlabs.lent(chunk))).toEqual([]);
});
