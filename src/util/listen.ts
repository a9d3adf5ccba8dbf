// Binding a TCP or HTTP server and getting its port: the one place that turns listen()'s
// error event into a rejected promise.

import type { Server as NetServer } from 'node:net';

/** Listens on host:port; resolves with the bound port (useful with port 0), rejects on EADDRINUSE etc. */
export async function listen(server: NetServer, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : port;
}

/** Closes a server and its open connections. */
export function closeServer(server: NetServer, connections: Iterable<{ destroy(): void }> = []): Promise<void> {
  return new Promise<void>((resolve) => {
    for (const c of connections) c.destroy();
    if ('closeAllConnections' in server && typeof server.closeAllConnections === 'function') server.closeAllConnections();
    server.close(() => resolve());
  });
}
