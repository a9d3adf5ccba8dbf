// The global side of forwarding: `POST /v1/forward` takes a local instance's snapshot and merges
// it into the interval being collected here; the next flush writes everybody's data once.
// Off unless `[forward] listen` is set; loopback unless an address is given explicitly.

import { createServer, type Server } from 'node:http';
import { closeServer, listen } from '../util/listen.js';
import type { Bucket } from '../aggregate/bucket.js';
import type { Logger } from '../log/logger.js';
import { serverErrorLog } from '../log/rate-limited.js';
import { mergeSnapshot, parseSnapshot, seriesCount } from '../sinks/forward/snapshot.js';

export const FORWARD_PATH = '/v1/forward';
/** A snapshot larger than this is refused (413) rather than buffered without bound. */
const MAX_BODY_BYTES = 256 * 1024 * 1024;

export class MergeStats {
  snapshots = 0;
  series = 0;
  rejected = 0;
}

export interface MergeEndpoint {
  readonly port: number;
  close(): Promise<void>;
}

export async function listenMergeEndpoint(
  host: string,
  port: number,
  currentBucket: () => Bucket,
  stats: MergeStats,
  log: Logger,
): Promise<MergeEndpoint> {
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body) + '\n');
    };
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== FORWARD_PATH) {
      reply(404, { error: `POST snapshots to ${FORWARD_PATH}` });
      return;
    }
    // A client that goes away mid-body: its snapshot is not merged, nothing else happens.
    req.on('error', () => undefined);
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        stats.rejected++;
        reply(413, { error: `snapshot larger than ${MAX_BODY_BYTES} bytes` });
        req.destroy();
        return;
      }
      parts.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      try {
        const snapshot = parseSnapshot(JSON.parse(Buffer.concat(parts).toString('utf8')));
        mergeSnapshot(currentBucket(), snapshot);
        stats.snapshots++;
        stats.series += seriesCount(snapshot);
        reply(204);
      } catch (err) {
        stats.rejected++;
        const reason = err instanceof Error ? err.message : String(err);
        log.warn({ from: req.socket.remoteAddress, reason }, 'refused a forwarded snapshot');
        // 400 is permanent for the sender: it drops this snapshot instead of retrying forever.
        reply(400, { error: reason });
      }
    });
  });
  const boundPort = await listen(server, port, host, serverErrorLog(log, 'forward endpoint'));
  return { port: boundPort, close: () => closeServer(server) };
}
