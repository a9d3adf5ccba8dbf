// The admin endpoint, HTTP, loopback unless configured otherwise:
//   GET /             the status page (status-page.ts), which polls /status.json
//   GET /health       200 when every listener is up and flushes are happening, else 503
//   GET /ready        the same, plus each sink's last success and last error; 503 if a sink's last delivery failed
//   GET /stats        the server's counts and levels as JSON
//   GET /status.json  what the status page shows (status-report.ts); ?since=MS: only history points after it
// Responses are fixed JSON or the fixed page; nothing from the request is echoed back.

import { createServer, type Server } from 'node:http';
import type { Logger } from '../log/logger.js';
import { serverErrorLog } from '../log/rate-limited.js';
import { closeServer, listen } from '../util/listen.js';
import { STATUS_PAGE, STATUS_PAGE_CSP } from './status-page.js';

export interface Health {
  ok: boolean;
  problems: string[];
  [detail: string]: unknown;
}

export interface AdminSource {
  health(): Health;
  ready(): Health;
  stats(): unknown;
  /** `since`: unix ms, 0 for the whole history. */
  status(since: number): unknown;
}

const PATHS = ['/', '/health', '/ready', '/stats', '/status.json'];

export interface AdminHttp {
  readonly port: number;
  close(): Promise<void>;
}

export async function listenAdminHttp(host: string, port: number, source: AdminSource, log: Logger): Promise<AdminHttp> {
  const server: Server = createServer((req, res) => {
    const [path, query = ''] = (req.url ?? '').split('?');
    /** `compact`: for answers read by programs only, which may hold an hour of history. */
    const reply = (status: number, body: unknown, compact = false) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body, null, compact ? undefined : 2) + '\n');
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
    if (path === '/status.json') {
      const since = Number(new URLSearchParams(query).get('since') ?? 0);
      return reply(200, source.status(Number.isFinite(since) ? since : 0), true);
    }
    if (path === '/') {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': STATUS_PAGE_CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
      return res.end(STATUS_PAGE);
    }
    return reply(404, { error: 'not found', paths: PATHS });
  });
  const boundPort = await listen(server, { host, port }, serverErrorLog(log, 'admin endpoint'));
  return { port: boundPort, close: () => closeServer(server) };
}
