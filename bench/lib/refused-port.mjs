// A loopback TCP port that refuses connections (bound once, then closed): a carbon that is down.

import { createServer } from 'node:net';

export async function refusedPort() {
  const listener = createServer();
  await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address();
  await new Promise((resolve) => listener.close(resolve));
  return port;
}
