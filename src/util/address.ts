// `HOST:PORT`, `[v6]:PORT` or a bare `PORT` (loopback) for the admin listeners.

export function parseListenAddress(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !(port >= 0 && port <= 65535)) throw new Error(`"${text}" is not HOST:PORT`);
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

/** The base URL a client on this machine reaches an HTTP listener at: a wildcard address is asked on loopback. */
export function adminUrl(address: string): string {
  const { host, port } = parseListenAddress(address);
  const local = host === '::' || host === '0.0.0.0' ? '127.0.0.1' : host;
  return `http://${local.includes(':') ? `[${local}]` : local}:${port}`;
}

/** Whether a listen host is reachable from this machine only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
