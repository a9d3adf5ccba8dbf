// What the primary and its ingest workers say to each other over the cluster IPC channel
// (`serialization: 'advanced'`, so Sets, typed arrays and large objects pass as they are).

import type { ServerConfig } from '../config/server-config.js';
import type { IngestTotals } from '../ingest/ingest-totals.js';
import type { ListenerStatus } from '../ingest/listeners.js';
import type { LogFormat } from '../log/logger.js';
import type { PackedPart } from './packed-bucket.js';

/** The seq of parts a worker hands over before the flush asks (the primary's seqs start at 1). */
export const EARLY_SEQ = 0;

export type ToWorker =
  /** The first one starts the worker; later ones are reloads. */
  | { kind: 'configure'; config: ServerConfig; logFormat: LogFormat }
  /** Hand over the finished interval: parts, then done, all tagged with `seq`. */
  | { kind: 'swap'; seq: number }
  /** Stop listening, hand over the last interval like `swap`, then exit. */
  | { kind: 'stop'; seq: number };

export type FromWorker =
  /** Listening for messages: the primary may send `configure` now. */
  | { kind: 'started' }
  | { kind: 'listening'; listeners: ListenerStatus[] }
  /** The first configure failed (e.g. the port is taken); the worker exits. */
  | { kind: 'failed'; error: string }
  /** `seq` EARLY_SEQ: handed over early, unasked, into the interval that is filling. */
  | { kind: 'part'; seq: number; part: PackedPart }
  | { kind: 'done'; seq: number; totals: IngestTotals };
