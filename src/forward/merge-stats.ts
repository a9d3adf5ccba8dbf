// What the merge endpoint (forward/merge-endpoint.ts) counted, kept by the server so that /stats
// can read it whether or not the endpoint is configured (and loaded).

export class MergeStats {
  snapshots = 0;
  series = 0;
  /** Whole snapshots refused: not a snapshot, another version, too large. */
  rejected = 0;
  /** Series left out of snapshots that were merged otherwise. */
  refusedSeries = 0;
  /** POSTs without the right bearer token. */
  unauthorized = 0;
  /** Snapshots sent again (same id) after they were merged: answered, not merged twice. */
  duplicates = 0;
}
