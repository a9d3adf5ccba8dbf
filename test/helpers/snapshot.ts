// A bucket as the forwarded snapshot a global instance receives: the real JSON writer, parsed.

import type { Bucket } from '../../src/aggregate/bucket.js';
import { writeSnapshotJson, type Snapshot, type SnapshotJson } from '../../src/sinks/forward/snapshot.js';

export function toSnapshot(bucket: Bucket, source: string, timestamp: number, interval: number): Snapshot {
  const json: SnapshotJson = { parts: [], series: 0 };
  for (const _slice of writeSnapshotJson(bucket, { source, id: `${source}/${timestamp}` }, timestamp, interval, json)) {
    // all at once: nothing to pause for in a test
  }
  return JSON.parse(json.parts.join('')) as Snapshot;
}
