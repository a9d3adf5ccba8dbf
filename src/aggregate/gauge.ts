/**
 * A gauge's mergeable form: its value and when it was last written (ms); a third element 1 says
 * the value is only a sum of +/- deltas.
 */
export type GaugeState = [value: number, updatedAt: number] | [value: number, updatedAt: number, deltasOnly: 1];

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

  /** Sets the gauge, or moves it by `value` when `isDelta` (`+N`/`-N`). */
  add(value: number, isDelta: boolean, now: number): void {
    if (isDelta) {
      this.value += value;
    } else {
      this.value = value;
      this.deltasOnly = false;
    }
    this.updatedAt = now;
  }

  state(): GaugeState {
    return this.deltasOnly ? [this.value, this.updatedAt, 1] : [this.value, this.updatedAt];
  }

  /** Another partial bucket's gauge: its deltas add; its absolute value wins if newer. */
  mergeState([value, updatedAt, deltasOnly]: GaugeState): void {
    if (deltasOnly === 1) this.add(value, true, Math.max(this.updatedAt, updatedAt));
    else if (this.updatedAt <= updatedAt) this.add(value, false, updatedAt);
  }
}
