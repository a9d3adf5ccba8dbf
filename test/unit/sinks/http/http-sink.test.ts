// The HTTP sink against a real loopback HTTP server: the JSON document, headers, ordering,
// retries, refusals and the buffer bound.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Bucket } from '../../../../src/aggregate/bucket.js';
import { createDefaultSketch } from '../../../../src/aggregate/sketch.js';
import { defaultConfig } from '../../../../src/config/defaults.js';
import { seriesKey } from '../../../../src/model/series-key.js';
import { canonicalTags } from '../../../../src/protocol/tags.js';
import { parseHttpSpec } from '../../../../src/sinks/delivery/http-options.js';
import { HttpSink } from '../../../../src/sinks/http/http-sink.js';
import { quantileField, renderDocuments, SERIES_PER_DOCUMENT, type JsonDocument } from '../../../../src/sinks/http/json-document.js';
import { waitFor, within } from '../../../helpers/wait.js';

const log = pino({ level: 'silent' });
const naming = () => ({ ...defaultConfig().naming, flushInterval: 10 });

function bucketWith(fill: (b: Bucket) => void): Bucket {
  const b = new Bucket({ histograms: [{ prefix: 'h.', min: 0, max: 20, width: 10 }], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 });
  fill(b);
  return b;
}

/** A receiver whose answer each test decides; it records what it was sent. */
class Receiver {
  received: Array<{ doc: JsonDocument; headers: IncomingMessage['headers']; path: string }> = [];
  answer: (req: IncomingMessage) => number = () => 204;
  port = 0;
  private server: Server | null = null;

  async start(port = 0): Promise<void> {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const status = this.answer(req);
        if (status >= 200 && status < 300) this.received.push({ doc: JSON.parse(body) as JsonDocument, headers: req.headers, path: req.url ?? '' });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    if ((await within(closed, 5000, 'timeout')) === 'timeout') server.closeAllConnections();
  }
}

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(query = '', env: NodeJS.ProcessEnv = {}) {
  const receiver = new Receiver();
  await receiver.start();
  cleanup.push(() => receiver.stop());
  const sink = new HttpSink(parseHttpSpec(`http://127.0.0.1:${receiver.port}/ingest${query}`, env), naming, log);
  cleanup.push(() => sink.close(1000));
  return { receiver, sink };
}

describe('JSON documents', () => {
  it('carry every type with its fields, names as received and tags as an object', () => {
    const docs: JsonDocument[] = [];
    const bucket = bucketWith((b) => {
      b.counter(seriesKey('api.hits', canonicalTags('env:prod,canary')), 3, 1);
      b.timer('h.latency', 12, 1);
      b.timer('h.latency', 30, 1);
      b.gauge('queue.depth', 7, false);
      b.set('users', 'alice');
      b.kv('kv.x', 1);
      b.kv('kv.x', 2);
    });
    for (const _ of renderDocuments(bucket, 1795431836, 10, [0.5, 0.95, 0.999], (json) => docs.push(JSON.parse(json) as JsonDocument)));
    expect(docs).toEqual([{
      timestamp: 1795431836,
      interval: 10,
      series: [
        { name: 'api.hits', tags: { canary: '', env: 'prod' }, type: 'counter', fields: { sum: 3, count: 1, rate: 0.3 } },
        {
          name: 'h.latency', tags: {}, type: 'timer',
          fields: {
            count: 2, sum: 42, sum_sq: 1044, mean: 21, lower: 12, upper: 30, stdev: expect.closeTo(12.7279, 4) as number,
            p50: 12, p95: 30, p99_9: 30, rate: 4.2, sample_rate: 0.2,
            histogram: { min: 0, max: 20, width: 10, bins: [0, 0, 1, 1] },
          },
        },
        { name: 'queue.depth', tags: {}, type: 'gauge', fields: { value: 7 } },
        { name: 'users', tags: {}, type: 'set', fields: { size: 1 } },
        { name: 'kv.x', tags: {}, type: 'kv', fields: { values: [1, 2] } },
      ],
    }]);
  });

  it('split a big flush into documents of at most SERIES_PER_DOCUMENT series; an empty one sends nothing', () => {
    const sizes: number[] = [];
    const bucket = bucketWith((b) => {
      for (let i = 0; i < SERIES_PER_DOCUMENT * 2 + 5; i++) b.counter(`c${i}`, 1, 1);
    });
    for (const _ of renderDocuments(bucket, 1, 10, [], (json, n) => sizes.push(n, (JSON.parse(json) as JsonDocument).series.length)));
    expect(sizes).toEqual([SERIES_PER_DOCUMENT, SERIES_PER_DOCUMENT, SERIES_PER_DOCUMENT, SERIES_PER_DOCUMENT, 5, 5]);
    for (const _ of renderDocuments(bucketWith(() => undefined), 1, 10, [], () => sizes.push(-1)));
    expect(sizes).toHaveLength(6);
  });

  it('name quantile fields pNN', () => {
    expect([0.5, 0.9, 0.95, 0.99, 0.999, 0.25].map(quantileField)).toEqual(['p50', 'p90', 'p95', 'p99', 'p99_9', 'p25']);
  });
});

describe('HttpSink', () => {
  it('POSTs each flush as JSON with the configured headers, over one kept-alive connection', async () => {
    const { receiver, sink } = await setup('?header=Authorization:env:TOKEN&header=X-Team:core', { TOKEN: 'Bearer t0k3n' });
    await sink.flush(bucketWith((b) => b.counter('a', 1, 1)), 100);
    await sink.flush(bucketWith((b) => b.counter('a', 2, 1)), 110);
    // The receiver records a document before it answers; the sender counts it once answered.
    await waitFor(() => receiver.received.length === 2 && sink.counters().bufferedLines === 0, { timeoutMs: 5000 });
    expect(receiver.received.map((r) => [r.path, r.doc.timestamp, r.doc.series[0].fields.sum])).toEqual([['/ingest', 100, 1], ['/ingest', 110, 2]]);
    expect(receiver.received[0].headers).toMatchObject({ authorization: 'Bearer t0k3n', 'x-team': 'core', 'content-type': 'application/json' });
    expect(sink.counters()).toEqual({ sentLines: 2, droppedLines: 0, bufferedLines: 0 });
  });

  it('retries 5xx, 429 and network errors in order, with nothing sent twice', async () => {
    const { receiver, sink } = await setup();
    const answers = [503, 429, 500];
    receiver.answer = () => answers.shift() ?? 200;
    for (let t = 1; t <= 3; t++) await sink.flush(bucketWith((b) => b.counter('a', t, 1)), t);
    await waitFor(() => receiver.received.length === 3 && sink.counters().bufferedLines === 0, { timeoutMs: 10_000 });
    expect(receiver.received.map((r) => r.doc.timestamp)).toEqual([1, 2, 3]);

    // Endpoint gone, then back on the same port.
    const port = receiver.port;
    await receiver.stop();
    for (let t = 4; t <= 6; t++) await sink.flush(bucketWith((b) => b.counter('a', t, 1)), t);
    await waitFor(() => sink.sender.lastError !== null, { timeoutMs: 5000 });
    expect(sink.counters().bufferedLines).toBe(3);
    await receiver.start(port);
    await waitFor(() => receiver.received.length === 6 && sink.counters().bufferedLines === 0, { timeoutMs: 15_000 });
    expect(receiver.received.map((r) => r.doc.timestamp)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sink.counters()).toEqual({ sentLines: 6, droppedLines: 0, bufferedLines: 0 });
  }, 30_000);

  it('drops a document the endpoint refuses (4xx) and goes on with the next', async () => {
    const { receiver, sink } = await setup();
    let requests = 0;
    receiver.answer = () => (++requests === 1 ? 400 : 200);
    await sink.flush(bucketWith((b) => b.counter('a', 1, 1)), 1);
    await sink.flush(bucketWith((b) => b.counter('a', 1, 1)), 2);
    await waitFor(() => receiver.received.length === 1 && sink.counters().bufferedLines === 0, { timeoutMs: 5000, detail: () => JSON.stringify([receiver.received.length, sink.counters(), sink.sender.lastError]) });
    expect(receiver.received[0].doc.timestamp).toBe(2);
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
    const timestamps = receiver.received.map((r) => r.doc.timestamp);
    expect(timestamps.at(-1)).toBe(5);
    expect(timestamps).toEqual([...timestamps].sort());
    expect(sink.counters().sentLines + sink.counters().droppedLines).toBe(10);
  }, 30_000);
});
