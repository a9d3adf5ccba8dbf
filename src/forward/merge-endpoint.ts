// The global side of forwarding: `POST /v1/forward` takes a local instance's snapshot and merges
// it into the interval being collected here; the next flush writes everybody's data once.
// Off unless `[forward] listen` is set; loopback unless an address is given explicitly.
//
// Anyone who can reach the port can POST, so the body is bounded ([forward] max_body_bytes, 413
// past it), every series is checked before it is merged (a malformed one is left out and counted,
// the rest of the interval kept), and the merge runs in slices that let ingest — and a SIGTERM —
// go first.

import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Bucket } from '../aggregate/bucket.js';
import type { Logger } from '../log/logger.js';
import { RateLimitedLog, serverErrorLog } from '../log/rate-limited.js';
import { mergeSnapshot, seriesCount, SnapshotDecoder, type RefusedSeries, type Snapshot } from '../sinks/forward/snapshot.js';
import { runPaced } from '../util/ingest-first-pacer.js';
import { closeServer, listen } from '../util/listen.js';
import type { MergeStats } from './merge-stats.js';

export const FORWARD_PATH = '/v1/forward';
/** Snapshot ids remembered: many intervals of many agents (an agent retries one for minutes at most). */
const MERGED_IDS_KEPT = 100_000;
/** Longer ids are not remembered (so 100k of them stay small); ours are about 60 characters. */
const MAX_ID_LENGTH = 256;

export interface MergeEndpoint {
  readonly port: number;
  close(): Promise<void>;
}

export interface MergeEndpointOptions {
  host: string;
  port: number;
  maxBodyBytes: number;
  /** When set, a POST must carry `Authorization: Bearer TOKEN` ([forward] token); else 401. */
  token: string | null;
}

/** Compares in time that does not depend on where the two differ (nor on their lengths). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export async function listenMergeEndpoint(
  options: MergeEndpointOptions,
  currentBucket: () => Bucket,
  stats: MergeStats,
  log: Logger,
): Promise<MergeEndpoint> {
  const refusals = new RateLimitedLog(log, 'left malformed series out of a forwarded snapshot');
  const refusedPosts = new RateLimitedLog(log, 'refused a forwarded snapshot: no valid token, or too large');
  // The ids of the snapshots merged lately, oldest first, to answer a re-sent one without merging it again.
  const merged = new Set<string>();
  const remember = (id: string) => {
    merged.add(id);
    if (merged.size > MERGED_IDS_KEPT) merged.delete(merged.values().next().value!);
  };
  const refuse = (from: string | undefined) => (series: RefusedSeries) => {
    stats.refusedSeries++;
    refusals.hit(() => ({ from, ...series }));
  };
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body?: unknown) => {
      if (res.headersSent) return;
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body) + '\n');
    };
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== FORWARD_PATH) {
      reply(404, { error: `POST snapshots to ${FORWARD_PATH}` });
      return;
    }
    const from = req.socket.remoteAddress;
    if (options.token !== null && !sameSecret(req.headers.authorization ?? '', `Bearer ${options.token}`)) {
      stats.unauthorized++;
      refusedPosts.hit(() => ({ from, status: 401 }));
      reply(401, { error: 'a bearer token is required ([forward] token)' });
      req.resume();
      return;
    }
    const tooLarge = () => {
      stats.rejected++;
      refusedPosts.hit(() => ({ from, status: 413, maxBodyBytes: options.maxBodyBytes }));
      reply(413, { error: `snapshot larger than ${options.maxBodyBytes} bytes ([forward] max_body_bytes)` });
      req.destroy();
    };
    if (Number(req.headers['content-length'] ?? 0) > options.maxBodyBytes) return tooLarge();
    // A client that goes away mid-body: its snapshot is not merged, nothing else happens.
    req.on('error', () => undefined);
    const refuseBody = (err: unknown) => {
      stats.rejected++;
      const reason = err instanceof Error ? err.message : String(err);
      log.warn({ from, reason }, 'refused a forwarded snapshot');
      // 400 is permanent for the sender: it drops this snapshot instead of retrying forever.
      reply(400, { error: reason });
    };
    // Decoded as it arrives, a chunk at a time: no single step of a large body blocks ingest.
    const decoder = new SnapshotDecoder();
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (res.headersSent) return;
      size += chunk.length;
      if (size > options.maxBodyBytes) return tooLarge();
      try {
        decoder.push(chunk);
      } catch (err) {
        refuseBody(err);
        req.resume();
      }
    });
    req.on('end', () => {
      if (res.headersSent) return;
      let parsed: { snapshot: Snapshot; refused: RefusedSeries[] };
      try {
        parsed = decoder.end();
      } catch (err) {
        return refuseBody(err);
      }
      const { snapshot, refused } = parsed;
      if (typeof snapshot.id === 'string' && snapshot.id.length <= MAX_ID_LENGTH) {
        if (merged.has(snapshot.id)) {
          stats.duplicates++;
          return reply(204);
        }
        remember(snapshot.id);
      }
      refused.forEach(refuse(from));
      const before = stats.refusedSeries;
      void runPaced(mergeSnapshot(currentBucket, snapshot, refuse(from))).then(() => {
        stats.snapshots++;
        stats.series += seriesCount(snapshot) - (stats.refusedSeries - before);
        const left = refused.length + stats.refusedSeries - before;
        reply(left === 0 ? 204 : 200, left === 0 ? undefined : { refusedSeries: left });
      });
    });
  });
  const boundPort = await listen(server, options, serverErrorLog(log, 'forward endpoint'));
  return { port: boundPort, close: () => closeServer(server) };
}
