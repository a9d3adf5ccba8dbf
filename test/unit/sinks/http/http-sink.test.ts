// The HTTP sink against a real loopback HTTP server: headers, ordering, retries, refusals and the
// buffer bound. The document itself: json-document.test.ts.

import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Bucket } from '../../../../src/aggregate/bucket.js';
import { createDefaultSketch } from '../../../../src/aggregate/sketch.js';
import { defaultConfig } from '../../../../src/config/defaults.js';
import { parseHttpSpec } from '../../../../src/sinks/delivery/http-options.js';
import { HttpSink } from '../../../../src/sinks/http/http-sink.js';
import type { JsonDocument } from '../../../../src/sinks/http/json-document.js';
import { HttpReceiver, jsonBody } from '../../../helpers/http-receiver.js';
import { waitFor } from '../../../helpers/wait.js';

const log = pino({ level: 'silent' });
const naming = () => ({ ...defaultConfig().naming, flushInterval: 10 });

function bucketWith(fill: (b: Bucket) => void): Bucket {
  const b = new Bucket({ histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 });
  fill(b);
  return b;
}

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(query = '', env: NodeJS.ProcessEnv = {}) {
  const receiver = new HttpReceiver<JsonDocument>(jsonBody);
  await receiver.start();
  cleanup.push(() => receiver.stop());
  const sink = new HttpSink(parseHttpSpec(`http://127.0.0.1:${receiver.port}/ingest${query}`, env), naming, log);
  cleanup.push(() => sink.close(1000));
  return { receiver, sink };
}

describe('HttpSink', () => {
  it('POSTs each flush as JSON with the configured headers, over one kept-alive connection', async () => {
    const { receiver, sink } = await setup('?header=Authorization:env:TOKEN&header=X-Team:core', { TOKEN: 'Bearer t0k3n' });
    await sink.flush(bucketWith((b) => b.counter('a', 1, 1)), 100);
    await sink.flush(bucketWith((b) => b.counter('a', 2, 1)), 110);
    // The receiver records a document before it answers; the sender counts it once answered.
    await waitFor(() => receiver.received.length === 2 && sink.counters().bufferedLines === 0, { timeoutMs: 5000 });
    expect(receiver.received.map((r) => [r.path, r.body.timestamp, r.body.series[0].fields.sum])).toEqual([
      ['/ingest', 100, 1], ['/ingest', 110, 2],
    ]);
    expect(receiver.received[0].headers).toMatchObject({
      authorization: 'Bearer t0k3n', 'x-team': 'core', 'content-type': 'application/json',
    });
    expect(sink.counters()).toMatchObject({ sentLines: 2, droppedLines: 0, bufferedLines: 0, queuedSince: null, spoolBytes: null });
  });

  it('retries 5xx, 429 and network errors in order, with nothing sent twice', async () => {
    const { receiver, sink } = await setup();
    const answers = [503, 429, 500];
    receiver.answer = () => answers.shift() ?? 200;
    for (let t = 1; t <= 3; t++) await sink.flush(bucketWith((b) => b.counter('a', t, 1)), t);
    await waitFor(() => receiver.received.length === 3 && sink.counters().bufferedLines === 0, { timeoutMs: 10_000 });
    expect(receiver.received.map((r) => r.body.timestamp)).toEqual([1, 2, 3]);

    // Endpoint gone, then back on the same port.
    const port = receiver.port;
    await receiver.stop();
    for (let t = 4; t <= 6; t++) await sink.flush(bucketWith((b) => b.counter('a', t, 1)), t);
    await waitFor(() => sink.sender.lastError !== null, { timeoutMs: 5000 });
    expect(sink.counters().bufferedLines).toBe(3);
    await receiver.start(port);
    await waitFor(() => receiver.received.length === 6 && sink.counters().bufferedLines === 0, { timeoutMs: 15_000 });
    expect(receiver.received.map((r) => r.body.timestamp)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sink.counters()).toMatchObject({ sentLines: 6, droppedLines: 0, bufferedLines: 0, queuedSince: null, spoolBytes: null });
  }, 30_000);

  it('drops a document the endpoint refuses (4xx) and goes on with the next', async () => {
    const { receiver, sink } = await setup();
    let requests = 0;
    receiver.answer = () => (++requests === 1 ? 400 : 200);
    await sink.flush(bucketWith((b) => b.counter('a', 1, 1)), 1);
    await sink.flush(bucketWith((b) => b.counter('a', 1, 1)), 2);
    await waitFor(() => receiver.received.length === 1 && sink.counters().bufferedLines === 0, {
      timeoutMs: 5000,
      detail: () => JSON.stringify([receiver.received.length, sink.counters(), sink.sender.lastError]),
    });
    expect(receiver.received[0].body.timestamp).toBe(2);
    expect(sink.counters().droppedLines).toBe(1);
  });

  it('bounds its buffer in series, dropping the oldest documents and counting them', async () => {
    const { receiver, sink } = await setup('?buffer_series=5');
    const port = receiver.port;
    await receiver.stop();
    for (let t = 1; t <= 5; t++) await sink.flush(bucketWith((b) => { b.counter('a', t, 1); b.counter('b', t, 1); }), t);
    expect(sink.counters().droppedLines).toBeGreaterThanOrEqual(4);
    await receiver.start(port);
    await waitFor(() => sink.counters().bufferedLines === 0, { timeoutMs: 15_000 });
    const timestamps = receiver.received.map((r) => r.body.timestamp);
    expect(timestamps.at(-1)).toBe(5);
    expect(timestamps).toEqual([...timestamps].sort());
    expect(sink.counters().sentLines + sink.counters().droppedLines).toBe(10);
  }, 30_000);
});
