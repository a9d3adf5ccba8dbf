// `forward:URL` (`--forward URL`, `[forward] url`): each flush, this instance's interval goes to
// a global statsite-ts as a mergeable snapshot (snapshot.ts) — over the HTTP sink's sender, so it
// is buffered, retried with backoff and bounded like every other network sink.

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Bucket } from '../../aggregate/bucket.js';
import type { Logger } from '../../log/logger.js';
import type { NamingConfig } from '../../naming/naming-config.js';
import { runPaced } from '../../util/ingest-first-pacer.js';
import type { HttpOptions } from '../delivery/http-options.js';
import { HttpSender } from '../delivery/http-sender.js';
import { PushSink } from '../delivery/push-sink.js';
import { writeSnapshotJson, type SnapshotJson } from './snapshot.js';

export class ForwardSink extends PushSink {
  private readonly source = hostname();
  /** This process among others on the same host: with the flush's timestamp, a snapshot's id. */
  private readonly nonce = randomUUID();

  constructor(
    options: HttpOptions,
    private readonly naming: () => NamingConfig,
    log: Logger,
    name = 'forward',
  ) {
    const sender = new HttpSender(options, log, { 'content-type': 'application/x-ndjson' });
    super(name, `forward:${options.displayName}`, sender, log, 'forward buffer full: dropped the oldest snapshots');
  }

  flush(bucket: Bucket, timestamp: number, signal?: AbortSignal): Promise<void> {
    const interval = this.naming().flushInterval;
    return this.deliver(async () => {
      const json: SnapshotJson = { parts: [], series: 0 };
      const from = { source: this.source, id: `${this.source}/${this.nonce}/${timestamp}` };
      await runPaced(writeSnapshotJson(bucket, from, timestamp, interval, json), signal);
      if (json.series > 0) this.sender.send(json.parts.join(''), json.series);
    }, signal);
  }
}
