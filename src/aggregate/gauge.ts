/** A gauge: the last value set, moved by +/- deltas. */
export class Gauge {
  value = 0;
  /** When it was last written (ms), so merged partial buckets keep the newest write. */
  updatedAt = 0;

  set(value: number, now: number): void {
    this.value = value;
    this.updatedAt = now;
  }

  addDelta(delta: number, now: number): void {
    this.value += delta;
    this.updatedAt = now;
  }
}
