// Socket activation: the server takes UDP and TCP from the sockets systemd passes (LISTEN_FDS,
// LISTEN_PID), here from socket-activator.py, which passes them exactly as systemd does. What
// arrives while no server runs waits in the kernel for the next one; the ports belong to the
// socket unit, so a reload may not move them; ingest workers are refused in one line.

import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { health } from '../helpers/admin.js';
import { sendUdp } from '../helpers/clients.js';
import { freePort } from '../helpers/ports.js';
import { SocketActivator, type ActivatedServer } from '../helpers/socket-activation.js';
import { sumOf } from '../helpers/stream-output.js';
import { tempFiles } from '../helpers/temp-files.js';
import { waitFor } from '../helpers/wait.js';

const GAP_DATAGRAMS = 50;
const files = tempFiles('statsite-ts-socket-activation-');
let activator: SocketActivator | null = null;

afterEach(async () => {
  await activator?.close();
  activator = null;
});

function configFor(port: number, admin: number): string {
  return files.file(`${port}.toml`, configText(port, admin));
}

function configText(port: number, admin: number): string {
  const statsite = `[statsite]\nbind_address = "127.0.0.1"\nport = ${port}\nudp_port = ${port}\nflush_interval = 1\n`;
  return `${statsite}\n[admin]\nhttp = "127.0.0.1:${admin}"\n`;
}

async function started(server: ActivatedServer): Promise<ActivatedServer> {
  await server.waitForStderr(/statsite-ts listening/);
  return server;
}

/** Opens a TCP connection, writes `text` and closes it, without waiting for anybody to read it. */
function sendTcpUnread(port: number, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.end(text, () => resolve()));
    socket.once('error', reject);
  });
}

it('takes the passed sockets; what arrives while no server runs is received by the next one', async () => {
  activator = await SocketActivator.open();
  const config = configFor(activator.port, await freePort());
  const first = await started(await activator.start(['--config', config]));
  expect(first.stderr).toMatch(/"socketActivation":\["udp systemd socket \(fd 3\)","tcp systemd socket \(fd 4\)"\]/);
  await sendUdp(activator.port, 'before:1|c\n');
  await waitFor(() => sumOf(first.flushes(), 'counts.before') === 1, { what: 'the first server to flush', detail: () => first.stderr });
  expect(await first.stop()).toBe(0);

  // No server runs now: the held sockets queue the datagrams and accept the connection.
  for (let i = 0; i < GAP_DATAGRAMS; i++) await sendUdp(activator.port, 'gap.udp:1|c\n');
  await sendTcpUnread(activator.port, 'gap.tcp:2|c\n');

  const second = await started(await activator.start(['--config', config]));
  await waitFor(
    () => sumOf(second.flushes(), 'counts.gap.udp') === GAP_DATAGRAMS && sumOf(second.flushes(), 'counts.gap.tcp') === 2,
    { what: 'the next server to flush what arrived in between', detail: () => second.stdout + second.stderr },
  );
  expect(sumOf(first.flushes(), 'counts.gap.udp')).toBe(0);
});

it('refuses a reload that changes the ports: they belong to the socket unit', async () => {
  activator = await SocketActivator.open();
  const admin = await freePort();
  const config = configFor(activator.port, admin);
  const server = await started(await activator.start(['--config', config]));
  writeFileSync(config, configText(activator.port + 1, admin));
  server.signal('SIGHUP');
  await server.waitForStderr(/config reload rejected; keeping the running config/);
  expect(server.stderr).toMatch(/udpPort, tcpPort changed, but under socket activation the ports belong to the socket unit/);
  const answer = await health(admin);
  expect(answer.status).toBe(200);
  expect(answer.body).toMatchObject({ lastReload: { ok: false } });
  await sendUdp(activator.port, 'still:1|c\n');
  await waitFor(() => sumOf(server.flushes(), 'counts.still') === 1, { what: 'the old sockets to keep serving' });
});

it('refuses ingest workers under socket activation, in one line, with the config exit code', async () => {
  activator = await SocketActivator.open();
  const server = await activator.start(['--config', configFor(activator.port, await freePort()), '--workers', '2']);
  expect(await server.exited()).toBe(2);
  expect(server.stderr.trim().split('\n')).toEqual([
    expect.stringMatching(/socket activation \(LISTEN_FDS\) and ingest workers .* do not go together: set workers = 1/),
  ]);
});
