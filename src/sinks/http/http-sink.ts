// `http://…` / `https://…`: every flush POSTed as JSON (json-document.ts) to one endpoint, through
// a buffering, retrying sender. A flush only renders and queues; delivery runs on its own, so a
// slow or dead endpoint never delays ingest, the next flush or another sink.

import type { Bucket } from '../../aggregate/bucket.js';
import type { Logger } from '../../log/logger.js';
import type { NamingConfig } from '../../naming/naming-config.js';
import { runPaced } from '../../util/ingest-first-pacer.js';
import type { HttpOptions } from '../delivery/http-options.js';
import { HttpSender } from '../delivery/http-sender.js';
import { PushSink } from '../delivery/push-sink.js';
import { renderDocuments } from './json-document.js';

export class HttpSink extends PushSink {
  constructor(
    options: HttpOptions,
    private readonly naming: () => NamingConfig,
    log: Logger,
    name = 'http',
  ) {
    super(name, options.displayName, new HttpSender(options, log), log, 'http buffer full: dropped the oldest documents');
  }

  flush(bucket: Bucket, timestamp: number, signal?: AbortSignal): Promise<void> {
    const { flushInterval, quantiles } = this.naming();
    const send = (json: string, series: number) => this.sender.send(json, series);
    let omitted = 0;
    let example = '';
    const omit = (name: string, field: string) => {
      if (omitted++ === 0) example = `${name} ${field}`;
    };
    return this.deliver(async () => {
      await runPaced(renderDocuments(bucket, timestamp, flushInterval, quantiles, send, omit), signal);
      if (omitted === 0) return;
      this.log.warn({ sink: this.name, omittedFields: omitted, example }, 'left out fields that are not finite numbers (inf, nan)');
    }, signal);
  }
}
