// A bucket's series of one type, indexed by the parser's KeyInterner id: an array read on the hot
// path instead of hashing the key string again in the bucket's Map. It only mirrors the Map, which
// stays the table every reader uses: a miss falls back to the Map, and since series are never
// removed from a bucket, a series found here is always the one the Map holds.

import { NO_GENERATION } from '../model/sample-handler.js';

export class SeriesById<T> {
  /** The interner generation the ids below belong to. */
  private generation = NO_GENERATION;
  private series: Array<T | undefined> = [];

  get(id: number, generation: number): T | undefined {
    return generation === this.generation ? this.series[id] : undefined;
  }

  /** Remembers `series` under `id`; ids of any other generation are dropped first, never reused. */
  set(id: number, generation: number, series: T): void {
    if (generation === NO_GENERATION) return; // so a key that came without an id always misses in get()
    if (generation !== this.generation) {
      this.generation = generation;
      this.series = [];
    }
    // Filled up to `id` rather than assigned far past the end, which would turn the array into a slow dictionary.
    while (this.series.length <= id) this.series.push(undefined);
    this.series[id] = series;
  }
}
