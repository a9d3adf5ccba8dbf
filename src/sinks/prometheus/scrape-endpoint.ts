// The HTTP endpoint Prometheus scrapes: GET (or HEAD) on the configured path answers the
// exposition — OpenMetrics or 0.0.4 by the Accept header, gzipped when accepted — streamed in
// slices with a turn of the event loop between them, so a big exposition never stalls ingest.
// Anything else is 404/405; nothing from the request is echoed back.
//
// Binding is retried with backoff (and logged) rather than failing the server: on a reload the
// new sink starts while the old one still holds the port for a moment.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Logger } from '../../log/logger.js';
import { CONTENT_TYPES, negotiateFormat, type ExpositionFormat } from './exposition.js';
import { IngestFirstPacer } from '../../util/ingest-first-pacer.js';

export type RenderExposition = (format: ExpositionFormat) => Iterable<string>;

const MAX_RETRY_MS = 10_000;

export class ScrapeEndpoint {
  /** Why the port cannot be bound; null once it is (or before the first attempt failed). */
  listenError: Error | null = null;
  private readonly server: Server;
  private retryMs = 100;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly path: string,
    private readonly render: RenderExposition,
    private readonly log: Logger,
    /** Whether OpenMetrics may be negotiated; else every scrape gets text format 0.0.4. */
    private readonly openMetrics = true,
  ) {
    this.server = createServer((req, res) => this.answer(req, res));
    this.server.on('listening', () => {
      if (this.listenError !== null) this.log.info({ address: this.address }, 'prometheus endpoint listening at last');
      this.listenError = null;
    });
    this.server.on('error', (err) => this.onListenError(err));
    this.listen();
  }

  get address(): string {
    return `${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}${this.path}`;
  }

  close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private listen(): void {
    this.retryTimer = null;
    if (!this.closed) this.server.listen(this.port, this.host);
  }

  private onListenError(err: Error): void {
    if (this.server.listening) {
      this.log.error({ address: this.address, err: err.message }, 'prometheus endpoint error');
      return;
    }
    if (this.listenError?.message !== err.message) {
      this.log.warn({ address: this.address, err: err.message }, 'prometheus endpoint cannot listen; retrying');
    }
    this.listenError = err;
    if (this.closed) return;
    this.retryTimer = setTimeout(() => this.listen(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== this.path) {
      return void res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found; metrics are at ${this.path}\n`);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
    const format = this.openMetrics ? negotiateFormat(req.headers.accept) : 'text';
    const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[format],
      'cache-control': 'no-store',
      vary: 'Accept, Accept-Encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    const body = Readable.from(this.slices(format));
    (gzip ? pipeline(body, createGzip(), res) : pipeline(body, res)).catch((err: Error) => {
      this.log.debug({ err: err.message }, 'scrape ended early');
    });
  }

  private async *slices(format: ExpositionFormat): AsyncGenerator<string> {
    const pacer = new IngestFirstPacer();
    for (const slice of this.render(format)) {
      yield slice;
      await pacer.pause();
    }
  }
}
