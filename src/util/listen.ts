// Binding a TCP or HTTP server and getting its port: the one place that turns listen()'s
// error event into a rejected promise, and that keeps an 'error' listener on the server for the
// rest of its life — a failed accept (EMFILE: out of file descriptors) is emitted there, and with
// no listener it would end the process.

import type { EventEmitter } from 'node:events';
import type { Server as NetServer } from 'node:net';

/** Where a listener binds: an address, or a socket systemd passed (socket activation). */
export type BindTarget = { host: string; port: number } | { fd: number };

/**
 * Listens on host:port, or on a listening socket passed as a file descriptor (systemd's socket
 * activation); resolves with the bound port (useful with port 0), rejects on EADDRINUSE etc.
 * From then on `onError` gets the server's errors; the server goes on listening.
 */
export async function listen(
  server: NetServer,
  where: BindTarget,
  onError: (err: Error) => void,
): Promise<number> {
  const options = 'fd' in where ? { fd: where.fd } : { port: where.port, host: where.host };
  await startListening(server, (ready) => server.listen(options, ready), onError);
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/**
 * Runs `start` (a listen() or bind() that calls back once bound): rejects with its error, and from
 * then on hands the target's errors to `onError`, so there is never a moment without a listener.
 */
export function startListening(target: EventEmitter, start: (ready: () => void) => void, onError: (err: Error) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    target.once('error', reject);
    start(() => {
      target.off('error', reject);
      target.on('error', onError);
      resolve();
    });
  });
}

/** A failed accept (e.g. EMFILE): the connection is lost, the server keeps listening. */
export function isAcceptError(err: Error): boolean {
  return (err as NodeJS.ErrnoException).syscall === 'accept';
}

/** Closes a server and its open connections. */
export function closeServer(server: NetServer, connections: Iterable<{ destroy(): void }> = []): Promise<void> {
  return new Promise<void>((resolve) => {
    for (const c of connections) c.destroy();
    if ('closeAllConnections' in server && typeof server.closeAllConnections === 'function') server.closeAllConnections();
    server.close(() => resolve());
  });
}
