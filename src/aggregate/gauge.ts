/** A gauge: the last value set, moved by +/- deltas. */
export class Gauge {
  value = 0;
  /** When it was last written (ms), so merged partial buckets keep the newest write. */
  updatedAt = 0;
  /**
   * No absolute value was set in this bucket: `value` is only a sum of deltas. A partial bucket
   * (another worker's, a forwarding agent's) must then add to the merged gauge, not replace it.
   */
  deltasOnly = true;

  set(value: number, now: number): void {
    this.value = value;
    this.updatedAt = now;
    this.deltasOnly = false;
  }

  addDelta(delta: number, now: number): void {
    this.value += delta;
    this.updatedAt = now;
  }

  /** Folds in another partial bucket's gauge: its deltas add; its absolute value wins if newer. */
  merge(value: number, updatedAt: number, deltasOnly: boolean): void {
    if (deltasOnly) this.addDelta(value, Math.max(this.updatedAt, updatedAt));
    else if (this.updatedAt <= updatedAt) this.set(value, updatedAt);
  }
}
