// The numbers of many series (a timer's count, sum, min, max, …) in shared arrays of doubles
// rather than in fields of each series' object. V8 keeps every double-valued field in a heap
// number of its own, so a million one-sample timers were some six million heap objects: each
// allocated when its series first came, promoted by the scavenges that followed, and marked by
// every full collection, the one that lands in the middle of a big flush included
// (bench/README.md). An array of doubles holds its numbers unboxed, and no collection scans them.
//
// Plain arrays, not Float64Arrays: a typed array's memory comes from malloc, and the arrays of a
// big interval of timers, freed there, stayed resident in a fragmented brk heap (bench/README.md,
// RSS after a big interval); a plain array this size is in V8's large-object space, a mapping of
// its own that goes back to the system when the array dies.
//
// A bucket hands one NumberColumns to all its series of a kind; each claims a row once, when it
// is made, and the arrays live as long as the series in them: the whole bucket's, dropped with
// it after its flush. The arrays start small and double, so a bucket of a few series costs
// a few hundred bytes.

const FIRST_ROWS = 16;
const MOST_ROWS_PER_ARRAY = 8192;

export class NumberColumns {
  /** The array the last claimed row is in. */
  array: number[];
  private rows: number;
  private used = 0;

  /** `width`: numbers per row. */
  constructor(
    readonly width: number,
    firstRows = FIRST_ROWS,
  ) {
    this.rows = firstRows;
    this.array = zeros(firstRows * width);
  }

  /** Claims a row: its first number's index in `array`, read right after the claim (a claim may start a new array). */
  claim(): number {
    if (this.used === this.rows) {
      this.rows = Math.min(2 * this.rows, MOST_ROWS_PER_ARRAY);
      this.array = zeros(this.rows * this.width);
      this.used = 0;
    }
    return this.width * this.used++;
  }
}

/**
 * `length` zeros in an array of doubles from the start (filling with a double fixes its kind, an
 * empty array's too), so no store converts it; filled, not pushed: growing by push copies it.
 */
export function zeros(length: number): number[] {
  const numbers = new Array<number>(Math.max(length, 1)).fill(0.5);
  numbers.length = length;
  return numbers.fill(0);
}
