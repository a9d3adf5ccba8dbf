// stdin that fails under the server (#15 item 5): `parse_stdin` reading from a socket that the
// other end resets. The read error must stop only the stdin reader — logged, not fatal — while the
// lines read before it and the other listeners go on.

import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { stats, waitForStats } from '../helpers/admin.js';
import { sendUdp } from '../helpers/clients.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { sumOf } from '../helpers/stream-output.js';
import { tempFiles } from '../helpers/temp-files.js';

afterEach(() => stopAllServers());

it('keeps running when its stdin socket is reset, with the lines read before it', async () => {
  const peer = createServer();
  peer.listen(0, '127.0.0.1');
  await once(peer, 'listening');
  const accepted = once(peer, 'connection') as Promise<[Socket]>;
  const address = peer.address();
  const stdin = connect(typeof address === 'object' && address !== null ? address.port : 0, '127.0.0.1');
  await once(stdin, 'connect');
  const [far] = await accepted;
  try {
    const admin = await freePort();
    const config = tempFiles('statsite-ts-stdin-').file('stdin.toml', '[statsite]\nparse_stdin = true\nflush_interval = 1\n');
    const server = await startServer({ args: ['--config', config, '--admin', String(admin)], stdin });
    stdin.destroy(); // the child has its own copy of the descriptor
    far.write('from.stdin:3|c\n');
    await waitForStats(admin, (s) => s['lines.stdin'] === 1, { what: 'the stdin line' });
    far.resetAndDestroy();
    await server.waitForStderr(/cannot read stdin any more/);
    await sendUdp(server.port, 'after.reset:1|c\n');
    await server.waitForKey('counts.after.reset');
    expect(server.exitInfo).toBeUndefined();
    expect(sumOf(server.flushes(), 'counts.from.stdin')).toBe(3);
    expect((await stats(admin))['lines.stdin']).toBe(1);
  } finally {
    far.destroy();
    peer.close();
  }
});
