// The scrape endpoint over real loopback HTTP: format negotiation, gzip, paths, and binding a
// port that is taken at first.

import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Bucket } from '../../../../src/aggregate/bucket.js';
import { createDefaultSketch } from '../../../../src/aggregate/sketch.js';
import { parsePrometheusSpec } from '../../../../src/sinks/prometheus/prometheus-options.js';
import { PrometheusSink } from '../../../../src/sinks/prometheus/prometheus-sink.js';
import { freePort } from '../../../helpers/ports.js';
import { waitFor } from '../../../helpers/wait.js';

const log = pino({ level: 'silent' });
let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function startSink(port: number, query = '?compat=openmetrics'): Promise<PrometheusSink> {
  const sink = new PrometheusSink(parsePrometheusSpec(`prometheus://127.0.0.1:${port}${query}`), log);
  cleanup.push(() => sink.close());
  return sink;
}

function bucketWith(fill: (b: Bucket) => void): Bucket {
  const b = new Bucket({ histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 });
  fill(b);
  return b;
}

const get = (port: number, path = '/metrics', headers: Record<string, string> = {}) =>
  fetch(`http://127.0.0.1:${port}${path}`, { headers, signal: AbortSignal.timeout(5000) });

describe('Prometheus scrape endpoint', () => {
  it('answers 0.0.4 text by default and OpenMetrics when asked', async () => {
    const port = await freePort();
    const sink = await startSink(port);
    await waitFor(async () => (await get(port).catch(() => null))?.ok, { timeoutMs: 5000, what: 'the endpoint' });
    await sink.flush(bucketWith((b) => b.counter('jobs.done', 4, 1)), 0);

    const text = await get(port);
    expect(text.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await text.text()).toContain('# TYPE jobs_done_total counter\njobs_done_total 4\n');

    const om = await get(port, '/metrics', { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' });
    expect(om.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    const body = await om.text();
    expect(body).toContain('# TYPE jobs_done counter\njobs_done_total 4\n');
    expect(body.endsWith('# EOF\n')).toBe(true);
  });

  it('gzips when the scraper accepts it, and answers 404 elsewhere and 405 to POST', async () => {
    const port = await freePort();
    const sink = await startSink(port, '?compat=openmetrics&path=/prom');
    await sink.flush(bucketWith((b) => b.gauge('g', 1.5, false)), 0);
    await waitFor(async () => (await get(port, '/prom').catch(() => null))?.ok, { timeoutMs: 5000, what: 'the endpoint' });

    // fetch() would unzip by itself; read the raw bytes through node:http instead.
    const raw = await new Promise<{ encoding?: string; body: Buffer }>((resolve, reject) => {
      import('node:http').then(({ get: httpGet }) => {
        httpGet({ host: '127.0.0.1', port, path: '/prom', headers: { 'accept-encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
        }).on('error', reject);
      }, reject);
    });
    expect(raw.encoding).toBe('gzip');
    expect(gunzipSync(raw.body).toString()).toContain('\ng 1.5\n');

    expect((await get(port, '/metrics')).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/prom`, { method: 'POST' })).status).toBe(405);
  });

  it('keeps trying to bind a port that is taken, and fails flushes (for /ready) until it can', async () => {
    const port = await freePort();
    const squatter: Server = createServer((_req, res) => res.end('squatter'));
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    const sink = await startSink(port);
    let flushes = 0;
    const flushOne = () => {
      flushes++;
      return sink.flush(bucketWith((b) => b.counter('c', 1, 1)), 0);
    };
    const failedFlush = () => flushOne().then(() => false, (err: Error) => err.message);
    const message = await waitFor(failedFlush, { timeoutMs: 5000, what: 'a failed flush' });
    expect(message).toMatch(/cannot listen on 127\.0\.0\.1:\d+\/metrics: .*EADDRINUSE/);
    await new Promise<void>((resolve) => squatter.close(() => resolve()));
    await waitFor(async () => (await get(port).catch(() => null))?.ok, { timeoutMs: 10_000, what: 'the sink to bind the freed port' });
    await flushOne();
    // What was flushed while it could not listen was kept.
    expect(await (await get(port)).text()).toContain(`c_total ${flushes}\n`);
  });
});
