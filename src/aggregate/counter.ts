/** A counter's mergeable form: its sum and its sample count. */
export type CounterState = [sum: number, count: number];

/** A counter: the sum of value/sample_rate, and statsite's sample count Σ 1/rate. */
export class Counter {
  sum = 0;
  /** Truncated to an integer after every add, as statsite's uint64 count is. */
  count = 0;

  add(value: number, sampleRate: number): void {
    this.sum += value;
    this.count = Math.trunc(this.count + 1 / sampleRate);
  }

  state(): CounterState {
    return [this.sum, this.count];
  }

  /** Sums and counts add. */
  mergeState([sum, count]: CounterState): void {
    this.sum += sum;
    this.count += count;
  }
}
