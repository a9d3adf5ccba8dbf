// A TCP client whose connection is reset mid-line: what it sent is used as at a close — the lines
// before, and the unfinished last one if it parses; one that does not parse is counted as bad.

import { connect, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { waitForStats } from '../helpers/admin.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';

afterEach(() => stopAllServers());

/** Sends `text`, waits until the server has read all of it, then resets the connection (RST, no FIN). */
async function sendThenReset(port: number, admin: number, text: string): Promise<void> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
  const before = (await waitForStats(admin, () => true))['bytes.tcp'];
  socket.write(text);
  // Read by the server before the reset arrives: the reset then finds the line unfinished.
  await waitForStats(admin, (s) => s['bytes.tcp'] >= before + text.length, { what: 'the bytes read' });
  socket.resetAndDestroy();
}

it('uses the unfinished last line of a reset connection, and counts one that does not parse', async () => {
  const admin = await freePort();
  const server = await startServer({ args: ['--flush-interval', '1', '--admin', String(admin)] });
  await sendThenReset(server.port!, admin, 'reset.whole:1|c\nreset.partial:2|c');
  await sendThenReset(server.port!, admin, 'reset.cut:3|');
  await server.waitForKey('counts.reset.partial');
  const keys = server.flushes().flatMap((f) => f.lines.map((l) => `${l.key}|${l.value}`));
  expect(keys).toEqual(expect.arrayContaining(['counts.reset.whole|1.000000', 'counts.reset.partial|2.000000']));
  await waitForStats(admin, (s) => s['parse_errors.unknown_type'] === 1, { what: 'the cut line counted' });
});
