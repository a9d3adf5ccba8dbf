/** A counter: the sum of value/sample_rate, and statsite's sample count Σ 1/rate. */
export class Counter {
  sum = 0;
  /** Truncated to an integer after every add, as statsite's uint64 count is. */
  count = 0;

  add(value: number, sampleRate: number): void {
    this.sum += value;
    this.count = Math.trunc(this.count + 1 / sampleRate);
  }

  merge(other: Counter): void {
    this.sum += other.sum;
    this.count += other.count;
  }
}
