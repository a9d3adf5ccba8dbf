// The admin endpoint, HTTP, loopback unless configured otherwise:
//   GET /health  200 when every listener is up and flushes are happening, else 503
//   GET /ready   the same, plus each sink's last success and last error; 503 if a sink's last delivery failed
//   GET /stats   the server's counts and levels as JSON
// Responses are fixed JSON; nothing from the request is echoed back.

import { createServer, type Server } from 'node:http';
import type { Logger } from '../log/logger.js';
import { serverErrorLog } from '../log/rate-limited.js';
import { closeServer, listen } from '../util/listen.js';

export interface Health {
  ok: boolean;
  problems: string[];
  [detail: string]: unknown;
}

export interface AdminSource {
  health(): Health;
  ready(): Health;
  stats(): unknown;
}

export interface AdminHttp {
  readonly port: number;
  close(): Promise<void>;
}

export async function listenAdminHttp(host: string, port: number, source: AdminSource, log: Logger): Promise<AdminHttp> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body, null, 2) + '\n');
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, { error: 'method not allowed' });
    if (path === '/health') {
      const h = source.health();
      return reply(h.ok ? 200 : 503, h);
    }
    if (path === '/ready') {
      const h = source.ready();
      return reply(h.ok ? 200 : 503, h);
    }
    if (path === '/stats') return reply(200, source.stats());
    return reply(404, { error: 'not found', paths: ['/health', '/ready', '/stats'] });
  });
  const boundPort = await listen(server, { host, port }, serverErrorLog(log, 'admin endpoint'));
  return { port: boundPort, close: () => closeServer(server) };
}
