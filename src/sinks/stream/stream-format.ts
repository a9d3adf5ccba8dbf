// The two forms of statsite's stream: its text lines (`KEY|VALUE|TS`) or its binary records
// (statsite's `binary_stream`). The stdout and stream-command sinks write either.

import type { Bucket } from '../../aggregate/bucket.js';
import type { Logger } from '../../log/logger.js';
import type { NamingConfig } from '../../naming/naming-config.js';
import { binaryStreamBuffers } from './binary-stream.js';
import { streamLineBuffers } from './stream-lines.js';

export type StreamFormat = 'text' | 'binary';

/** A sink spec's form for a format: `stdout` or `stdout+binary`, `stream` or `stream+binary`. */
export function formatSuffix(format: StreamFormat): string {
  return format === 'binary' ? '+binary' : '';
}

export function streamBuffers(
  format: StreamFormat,
  bucket: Bucket,
  naming: NamingConfig,
  timestamp: number,
  log: Logger,
  sink: string,
): AsyncGenerator<Buffer> {
  if (format === 'text') return streamLineBuffers(bucket, naming, timestamp);
  return binaryStreamBuffers(bucket, naming, timestamp, (series) => {
    log.warn({ sink, series }, 'series left out of the binary stream: their keys are longer than its 16-bit key length allows');
  });
}
