// The one interface every output implements. A sink must never block ingest or another sink:
// flush() is called and not awaited by the next interval; a sink serialises its own flushes.

import type { Bucket } from '../aggregate/bucket.js';

export interface Sink {
  readonly name: string;
  /** Delivers one finished interval; `timestamp` is the flush time in unix seconds. */
  flush(bucket: Bucket, timestamp: number): Promise<void>;
  /** Finishes pending deliveries (bounded by the caller) and releases resources. */
  close(): Promise<void>;
}
