// A bucket's counters: per series the sum of value/sample_rate and statsite's sample count Σ 1/rate,
// kept as a row of two numbers in the table's arrays, found by key in a Map of row numbers.
//
// No object per series: a million counters used to be a million objects that every collection
// during a big interval promoted and marked, and what V8's marking mallocs while so many objects
// are alive is what stayed resident after it (bench/README.md, RSS after a big interval). The
// views handed to readers (`Counter`) are made on demand, at a flush, and dropped with it.
//
// The rows are plain arrays of doubles, not Float64Arrays, for the reason number-columns.ts gives
// (tried: the RSS after a big interval of counters went from ~1.3–1.5× to ~2×).

import { zeros } from './number-columns.js';

/** A counter's mergeable form: its sum and its sample count. */
export type CounterState = [sum: number, count: number];

/** A counter as readers see it: a view of its row. */
export interface Counter {
  readonly sum: number;
  /** Truncated to an integer after every add, as statsite's uint64 count is. */
  readonly count: number;
  state(): CounterState;
}

const NUMBERS = 2;
const SUM = 0;
const COUNT = 1;
/** Rows per chunk past the first, a power of two (256 KiB of numbers: V8's large-object space, a mapping each). */
const CHUNK_SHIFT = 14;
const CHUNK_ROWS = 1 << CHUNK_SHIFT;
const ROW_MASK = CHUNK_ROWS - 1;
/** The first chunk starts this small and doubles to CHUNK_ROWS: a bucket of a few counters stays small. */
const FIRST_ROWS = 16;

class CounterRow implements Counter {
  constructor(
    private readonly table: CounterTable,
    private readonly row: number,
  ) {}

  get sum(): number {
    return this.table.sum(this.row);
  }

  get count(): number {
    return this.table.count(this.row);
  }

  state(): CounterState {
    return [this.sum, this.count];
  }
}

export class CounterTable implements Iterable<[string, Counter]> {
  private readonly rows = new Map<string, number>();
  private readonly chunks: number[][] = [zeros(FIRST_ROWS * NUMBERS)];

  get size(): number {
    return this.rows.size;
  }

  has(key: string): boolean {
    return this.rows.has(key);
  }

  get(key: string): Counter | undefined {
    const row = this.rows.get(key);
    return row === undefined ? undefined : new CounterRow(this, row);
  }

  /** The row of `key`, or -1 if it has none yet. */
  rowOf(key: string): number {
    return this.rows.get(key) ?? -1;
  }

  /** A new row for `key` (which has none), at zero. */
  addRow(key: string): number {
    const row = this.rows.size;
    const chunk = row >>> CHUNK_SHIFT;
    if (chunk === this.chunks.length) this.chunks.push(zeros(CHUNK_ROWS * NUMBERS));
    else if (chunk === 0 && row * NUMBERS === this.chunks[0].length) this.growFirstChunk();
    this.rows.set(key, row);
    return row;
  }

  /** One sample into `row`. */
  add(row: number, value: number, sampleRate: number): void {
    const numbers = this.chunks[row >>> CHUNK_SHIFT];
    const at = (row & ROW_MASK) * NUMBERS;
    numbers[at + SUM] += value;
    numbers[at + COUNT] = Math.trunc(numbers[at + COUNT] + 1 / sampleRate);
  }

  /** Another partial counter of the row's series: sums and counts add. */
  merge(row: number, [sum, count]: CounterState): void {
    const numbers = this.chunks[row >>> CHUNK_SHIFT];
    const at = (row & ROW_MASK) * NUMBERS;
    numbers[at + SUM] += sum;
    numbers[at + COUNT] += count;
  }

  sum(row: number): number {
    return this.chunks[row >>> CHUNK_SHIFT][(row & ROW_MASK) * NUMBERS + SUM];
  }

  count(row: number): number {
    return this.chunks[row >>> CHUNK_SHIFT][(row & ROW_MASK) * NUMBERS + COUNT];
  }

  *[Symbol.iterator](): Iterator<[string, Counter]> {
    for (const [key, row] of this.rows) yield [key, new CounterRow(this, row)];
  }

  private growFirstChunk(): void {
    const first = this.chunks[0];
    for (let i = first.length, end = Math.min(2 * first.length, CHUNK_ROWS * NUMBERS); i < end; i++) first.push(0);
  }
}
