// The HTTP sink end to end: statsite-ts POSTs every flush to a local test server, which goes
// away for a few flushes and comes back on the same port; everything flushed meanwhile arrives,
// in order, none twice. Header values come from the environment and never reach the logs.

import { afterEach, expect, it } from 'vitest';
import { sendUdp } from '../helpers/clients.js';
import { HttpReceiver, jsonBody } from '../helpers/http-receiver.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { sleep } from '../helpers/wait.js';

interface Received {
  timestamp: number;
  interval: number;
  series: Array<{ name: string; tags: Record<string, string>; type: string; fields: Record<string, unknown> }>;
}

/** Every value of the kv series `name`, in the order the documents arrived. */
function kvValues(docs: Received[], name: string): number[] {
  return docs.flatMap((d) => d.series.filter((s) => s.name === name && s.type === 'kv').flatMap((s) => s.fields.values as number[]));
}

let receiver: HttpReceiver<Received> | null = null;
afterEach(async () => {
  await stopAllServers();
  await receiver?.stop();
});

it('delivers every flush across a restart of the receiving server: in order, none twice', async () => {
  receiver = new HttpReceiver<Received>(jsonBody);
  await receiver.start(await freePort());
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
  const allArrived = () => server.waitUntil(() => kvValues(r.bodies, 'e2e.seq').length >= seq, {
    timeoutMs: 25_000, what: `values 1…${seq} at the receiver`,
  });

  await sendFor(1500);
  await allArrived();
  expect(r.received[0].headers).toMatchObject({ authorization: token, 'content-type': 'application/json' });
  const doc = r.bodies.find((d) => d.series.some((s) => s.name === 'e2e.hits'))!;
  expect(doc.interval).toBe(1);
  expect(doc.series.find((s) => s.name === 'e2e.hits')).toEqual({
    name: 'e2e.hits', tags: { env: 'test' }, type: 'counter', fields: expect.objectContaining({ count: expect.any(Number) }),
  });

  await r.stop();
  const before = r.bodies.length;
  await sendFor(3000); // about three flushes with nowhere to go
  await server.waitForStderr(/destination unreachable; buffering/);
  expect(r.bodies.length).toBe(before);

  await r.start();
  await sendFor(1000);
  await allArrived();
  // The sink delivers one document at a time, in order, retrying each until it is answered: a
  // duplicate (a request that arrived but whose answer was lost) would come before any later
  // document. So once a marker sent after everything has arrived, no duplicate can follow.
  await sendUdp(server.port!, 'e2e.marker:1|c\n');
  await server.waitUntil(() => r.bodies.some((d) => d.series.some((s) => s.name === 'e2e.marker')), { what: 'the marker at the receiver' });
  const values = kvValues(r.bodies, 'e2e.seq');
  expect(values).toEqual(Array.from({ length: seq }, (_, i) => i + 1));
  const hits = r.bodies.flatMap((d) => d.series.filter((s) => s.name === 'e2e.hits').map((s) => s.fields.sum as number));
  expect(hits.reduce((a, b) => a + b, 0)).toBe(seq);
  const timestamps = r.bodies.map((d) => d.timestamp);
  expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
  expect(server.stderr).toMatch(/destination back/);
  expect(server.stderr).not.toContain('s3cret');
}, 60_000);
