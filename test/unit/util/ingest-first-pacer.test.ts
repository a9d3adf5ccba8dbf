import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestFirstPacer, noteDatagram } from '../../../src/util/ingest-first-pacer.js';

const sockets: { close(): void }[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a slice of rendering
  }
}

async function receiverWithBacklog(datagrams: number): Promise<{ received: () => number }> {
  const receiver = createSocket('udp4');
  const sender = createSocket('udp4');
  sockets.push(receiver, sender);
  let received = 0;
  receiver.on('message', () => {
    received++;
    noteDatagram();
  });
  await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
  receiver.setRecvBufferSize(4 * 1024 * 1024);
  const { port } = receiver.address();
  // Queue the datagrams in the receiver's kernel buffer while this thread is busy, as a flush would be.
  const sent: Promise<void>[] = [];
  for (let i = 0; i < datagrams; i++) sent.push(new Promise((resolve) => sender.send(`k${i}:1|c`, port, '127.0.0.1', () => resolve())));
  await Promise.all(sent);
  return { received: () => received };
}

describe('IngestFirstPacer', () => {
  // Small backlogs: the kernel's default receive buffer (rmem_max 208 KiB) must hold them.
  it('lets ingest drain a backlog far larger than one turn reads before the flush goes on', async () => {
    const backlog = 250; // libuv reads 32 per turn
    const socket = await receiverWithBacklog(backlog);
    const pacer = new IngestFirstPacer();
    const seenBefore = socket.received();
    busy(100); // the slice: ingest may now take up to 9x as long
    await pacer.pause();
    expect(seenBefore).toBeLessThan(backlog);
    expect(socket.received()).toBe(backlog);
  });

  it('lets the flush go on after its share of time even if datagrams are still waiting', async () => {
    const socket = await receiverWithBacklog(250);
    const pacer = new IngestFirstPacer(0); // no time for ingest past the turns every pause gives
    busy(1);
    await pacer.pause();
    expect(socket.received()).toBeGreaterThan(0);
    expect(socket.received()).toBeLessThanOrEqual(2 * 32);
  });
});
