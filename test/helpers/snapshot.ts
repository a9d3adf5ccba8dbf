// A bucket as the forwarded snapshot a global instance receives: the real writer, read back by
// the real decoder.

import type { Bucket } from '../../src/aggregate/bucket.js';
import { SnapshotDecoder, writeSnapshotJson, type Snapshot, type SnapshotJson } from '../../src/sinks/forward/snapshot.js';

export function toSnapshot(bucket: Bucket, source: string, timestamp: number, interval: number): Snapshot {
  const json: SnapshotJson = { parts: [], series: 0 };
  for (const _slice of writeSnapshotJson(bucket, { source, id: `${source}/${timestamp}` }, timestamp, interval, json)) {
    // all at once: nothing to pause for in a test
  }
  const decoder = new SnapshotDecoder();
  decoder.push(Buffer.from(json.parts.join('')));
  const { snapshot, refused } = decoder.end();
  if (refused.length > 0) throw new Error(`the decoder refused series it wrote: ${JSON.stringify(refused)}`);
  return snapshot;
}
