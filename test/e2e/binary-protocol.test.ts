// statsite's binary input protocol against the real server, over UDP and over TCP, with the server
// ingesting itself and with two ingest workers: every type aggregates as its text line would, a
// message split across TCP reads is joined, and a malformed message closes only its own connection
// (counted and logged) or drops only the rest of its datagram.

import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitForStats } from '../helpers/admin.js';
import { binaryMessage, binarySet } from '../helpers/binary-messages.js';
import { sendTcp, sendUdp } from '../helpers/clients.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { linesWithKey, sumOf, valuesOf } from '../helpers/stream-output.js';
import { tempFiles } from '../helpers/temp-files.js';
import { waitForUdpRead } from '../helpers/udp-queue.js';
import { sleep, within } from '../helpers/wait.js';

afterEach(() => stopAllServers());

/** One message of every type; the flush they make is checked by `expectEveryType`. */
function everyType(prefix: string): Buffer {
  return Buffer.concat([
    binaryMessage('counter', `${prefix}hits`, 2),
    binaryMessage('counter', `${prefix}hits`, 3),
    binaryMessage('timer', `${prefix}latency`, 10),
    binaryMessage('timer', `${prefix}latency`, 30),
    binaryMessage('gauge', `${prefix}depth`, 7),
    binaryMessage('gaugeDelta', `${prefix}depth`, -2),
    binarySet(`${prefix}users`, 'alice'),
    binarySet(`${prefix}users`, 'bob'),
    binarySet(`${prefix}users`, 'alice'),
    binaryMessage('kv', `${prefix}version`, 42),
    // A key a text line cannot carry.
    binaryMessage('counter', `${prefix}a:b|c`, 1),
  ]);
}

function expectEveryType(flushes: ReturnType<Awaited<ReturnType<typeof startServer>>['flushes']>, prefix: string): void {
  expect(sumOf(flushes, `counts.${prefix}hits`)).toBe(5);
  expect(sumOf(flushes, `timers.${prefix}latency.sum`)).toBe(40);
  expect(sumOf(flushes, `timers.${prefix}latency.count`)).toBe(2);
  expect(valuesOf(flushes, `timers.${prefix}latency.lower`)).toEqual(['10.000000']);
  expect(valuesOf(flushes, `gauges.${prefix}depth`)).toEqual(['5.000000']);
  expect(valuesOf(flushes, `sets.${prefix}users`)).toEqual(['2']);
  expect(valuesOf(flushes, `kv.${prefix}version`)).toEqual(['42.000000']);
  expect(sumOf(flushes, `counts.${prefix}a:b|c`)).toBe(1);
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.off('error', reject);
      s.on('error', () => undefined);
      resolve(s);
    });
    s.once('error', reject);
  });
}

for (const workers of [1, 2]) {
  const workerArgs = workers > 1 ? ['--workers', String(workers)] : [];

  describe(`binary input protocol, ${workers > 1 ? `${workers} ingest workers` : 'one process'}`, () => {
    it('aggregates every type sent over UDP; a malformed message drops only the rest of its datagram', async () => {
      const admin = await freePort();
      const server = await startServer({ args: [...workerArgs, '--flush-interval', '1', '--admin', `127.0.0.1:${admin}`] });
      await server.waitForStderr(/statsite-ts listening/); // with workers, TCP answers before the admin port does
      await sendUdp(server.port, everyType('udp.'));
      const unknownType = Buffer.from([0xaa, 0x09, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x61, 0]);
      const faulty = Buffer.concat([binaryMessage('counter', 'udp.before', 1), unknownType, binaryMessage('counter', 'udp.lost', 1)]);
      await sendUdp(server.port, faulty);
      await sendUdp(server.port, binaryMessage('counter', 'udp.cut', 1).subarray(0, 13));
      await sendUdp(server.port, 'udp.text:1|c\n');
      await waitForUdpRead(server.port);
      await waitForStats(admin, (s) => s['parse_errors.binary_truncated'] === 1 && s['parse_errors.binary_unknown_type'] === 1, {
        what: 'the malformed datagrams counted by reason',
      });
      await server.stop();
      const flushes = server.flushes();
      expectEveryType(flushes, 'udp.');
      expect(sumOf(flushes, 'counts.udp.before')).toBe(1);
      expect(sumOf(flushes, 'counts.udp.text')).toBe(1);
      expect(linesWithKey(flushes, 'counts.udp.lost')).toEqual([]);
      expect(linesWithKey(flushes, 'counts.udp.cut')).toEqual([]);
      expect(server.stderr).toMatch(/rejected malformed binary metric message/);
    });

    it('joins messages split across TCP reads; a malformed message closes only its own connection', async () => {
      const admin = await freePort();
      const server = await startServer({ args: [...workerArgs, '--flush-interval', '1', '--admin', `127.0.0.1:${admin}`] });
      await server.waitForStderr(/statsite-ts listening/);
      const bytes = everyType('tcp.');
      const bystander = await open(server.port);
      bystander.write(binaryMessage('counter', 'tcp.bystander', 1));

      // Split inside headers, keys and values, one write at a time.
      const cuts = [1, 7, 13, 40, 61, bytes.length];
      const chunks = cuts.map((cut, i) => bytes.subarray(i === 0 ? 0 : cuts[i - 1], cut));
      await sendTcp(server.port, chunks, { gapMs: 30 });

      const bad = await open(server.port);
      const closedByServer = new Promise<boolean>((resolve) => bad.once('close', () => resolve(true)));
      const unterminatedKey = Buffer.from([0xaa, 0x02, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x61, 0x62, 0x63]);
      bad.write(Buffer.concat([binaryMessage('counter', 'tcp.before_fault', 1), unterminatedKey]));
      expect(await within(closedByServer, 5000, false)).toBe(true);

      // The other connection is untouched and still read.
      bystander.write(binaryMessage('counter', 'tcp.bystander', 1));
      bystander.end();
      await server.waitUntil((s) => sumOf(s.flushes(), 'counts.tcp.bystander') === 2 || undefined, { what: 'the bystander connection' });
      await waitForStats(admin, (s) => s['connections.tcp_binary_faults_closed'] === 1 && s['parse_errors.binary_unterminated_key'] === 1, {
        what: 'the closed connection counted',
      });
      await server.waitForStderr(/closed a TCP connection at a malformed binary message/);
      await server.stop();
      const flushes = server.flushes();
      expectEveryType(flushes, 'tcp.');
      expect(sumOf(flushes, 'counts.tcp.before_fault')).toBe(1);
    });
  });
}

it('reads binary messages on stdin (parse_stdin), and stops reading stdin only at a malformed one', async () => {
  const config = tempFiles('statsite-ts-binary-stdin-').file('stdin.toml', '[statsite]\nflush_interval = 1\nparse_stdin = true\n');
  const server = await startServer({ args: ['--config', config], stdin: true });
  const stdin = server.stdin!;
  const bytes = Buffer.concat([binaryMessage('counter', 'stdin.hits', 2), binaryMessage('counter', 'stdin.hits', 3)]);
  stdin.write(bytes.subarray(0, 15));
  await sleep(30);
  stdin.write(bytes.subarray(15));
  await server.waitUntil((s) => sumOf(s.flushes(), 'counts.stdin.hits') === 5 || undefined, { what: 'the messages from stdin' });

  stdin.write(Buffer.from([0xaa, 0x0f, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x61, 0]));
  await server.waitForStderr(/malformed binary message \(binary_unknown_type\).*parse_stdin stops/);
  await sendUdp(server.port, binaryMessage('counter', 'udp.after', 1));
  await server.waitForKey('counts.udp.after');
  // Stopped reading, stdin must not keep the process from exiting.
  expect(await server.stop()).toMatchObject({ code: 0, forced: false });
});
