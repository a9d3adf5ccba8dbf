// The HTTP sink end to end: statsite-ts POSTs every flush to a local test server, which goes
// away for a few flushes and comes back on the same port; everything flushed meanwhile arrives,
// in order, none twice. Header values come from the environment and never reach the logs.

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { sendUdp } from '../helpers/clients.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { sleep, within } from '../helpers/wait.js';

interface Received {
  timestamp: number;
  interval: number;
  series: Array<{ name: string; tags: Record<string, string>; type: string; fields: Record<string, unknown> }>;
}

/** A JSON receiver on a fixed loopback port that can be stopped and started again. */
class Receiver {
  docs: Received[] = [];
  headers: IncomingHttpHeaders[] = [];
  private server: Server | null = null;

  constructor(readonly port: number) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        this.docs.push(JSON.parse(body) as Received);
        this.headers.push(req.headers);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.server = server;
  }

  /** Graceful: requests already received are answered, idle keep-alive connections closed. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    if ((await within(closed, 5000, 'timeout')) === 'timeout') server.closeAllConnections();
  }

  /** Every value of the kv series `name`, in the order the documents arrived. */
  kvValues(name: string): number[] {
    return this.docs.flatMap((d) => d.series.filter((s) => s.name === name && s.type === 'kv').flatMap((s) => s.fields.values as number[]));
  }
}

let receiver: Receiver | null = null;
afterEach(async () => {
  await stopAllServers();
  await receiver?.stop();
});

it('delivers every flush across a restart of the receiving server: in order, none twice', async () => {
  receiver = new Receiver(await freePort());
  await receiver.start();
  const token = 'Bearer e2e-s3cret-token';
  const server = await startServer({
    args: ['--flush-interval', '1', '--sink', `http://127.0.0.1:${receiver.port}/ingest?header=Authorization:env:STATSITE_TEST_TOKEN`],
    env: { ...process.env, STATSITE_TEST_TOKEN: token },
  });
  const r = receiver;
  // A kv keeps every value of an interval, so each sent number is visible exactly once per delivery.
  let seq = 0;
  const sendFor = async (ms: number) => {
    for (const end = Date.now() + ms; Date.now() < end; ) {
      await sendUdp(server.port!, `e2e.seq:${++seq}|kv\ne2e.hits:1|c|#env:test\n`);
      await sleep(150);
    }
  };
  const allArrived = () => server.waitUntil(() => r.kvValues('e2e.seq').length >= seq, { timeoutMs: 25_000, what: `values 1…${seq} at the receiver` });

  await sendFor(1500);
  await allArrived();
  expect(r.headers[0]).toMatchObject({ authorization: token, 'content-type': 'application/json' });
  const doc = r.docs.find((d) => d.series.some((s) => s.name === 'e2e.hits'))!;
  expect(doc.interval).toBe(1);
  expect(doc.series.find((s) => s.name === 'e2e.hits')).toEqual({ name: 'e2e.hits', tags: { env: 'test' }, type: 'counter', fields: expect.objectContaining({ count: expect.any(Number) }) });

  await r.stop();
  const before = r.docs.length;
  await sendFor(3000); // about three flushes with nowhere to go
  await server.waitForStderr(/http endpoint unavailable; buffering and retrying/);
  expect(r.docs.length).toBe(before);

  await r.start();
  await sendFor(1000);
  await allArrived();
  await sleep(1500); // a late duplicate would show up here
  const values = r.kvValues('e2e.seq');
  expect(values).toEqual(Array.from({ length: seq }, (_, i) => i + 1));
  const hits = r.docs.flatMap((d) => d.series.filter((s) => s.name === 'e2e.hits').map((s) => s.fields.sum as number));
  expect(hits.reduce((a, b) => a + b, 0)).toBe(seq);
  const timestamps = r.docs.map((d) => d.timestamp);
  expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
  expect(server.stderr).toMatch(/http endpoint delivering again/);
  expect(server.stderr).not.toContain('s3cret');
}, 60_000);
