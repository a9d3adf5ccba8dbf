// An HTTP endpoint on loopback for the pushing sinks (HTTP JSON, remote write, forward): it records
// every request it accepts, decoded, with its headers and path. Each test decides the answers, and
// can stop it and start it again on the same port, as an endpoint going away and coming back.

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import { within } from './wait.js';

export interface ReceivedRequest<T> {
  body: T;
  headers: IncomingHttpHeaders;
  path: string;
}

/** A request body as JSON. */
export function jsonBody<T>(body: Buffer): T {
  return JSON.parse(body.toString('utf8')) as T;
}

export class HttpReceiver<T> {
  /** The accepted (2xx) requests, in the order they were answered. */
  received: Array<ReceivedRequest<T>> = [];
  /** The status each request gets; only 2xx requests are recorded. */
  answer: (req: IncomingMessage) => number = () => 204;
  port = 0;
  private server: Server | null = null;

  constructor(private readonly decode: (body: Buffer) => T) {}

  /** The bodies of the accepted requests. */
  get bodies(): T[] {
    return this.received.map((r) => r.body);
  }

  /** Listens on 127.0.0.1:`port` (0: a free port, kept for later starts). */
  async start(port = this.port): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = this.answer(req);
        // Recorded before the answer: a sender counts a request as delivered once answered.
        if (status >= 200 && status < 300) {
          this.received.push({ body: this.decode(Buffer.concat(chunks)), headers: req.headers, path: req.url ?? '' });
        }
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
  }

  /** Graceful: requests already received are answered, idle keep-alive connections closed; cut after 5 s. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    if ((await within(closed, 5000, 'timeout')) === 'timeout') server.closeAllConnections();
  }
}
