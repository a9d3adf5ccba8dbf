/** statsite's kv type: no aggregation, every value of the interval is written out. */
export class KeyValues {
  readonly values: number[] = [];

  add(value: number): void {
    this.values.push(value);
  }
}
