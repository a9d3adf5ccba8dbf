/** A kv series' mergeable form: its values in arrival order. */
export type KeyValuesState = ArrayLike<number>;

/** statsite's kv type: no aggregation, every value of the interval is written out. */
export class KeyValues {
  readonly values: number[] = [];

  add(value: number): void {
    this.values.push(value);
  }

  state(): KeyValuesState {
    return this.values;
  }

  /** The other part's values follow this one's. */
  mergeState(values: KeyValuesState): void {
    for (let i = 0; i < values.length; i++) this.values.push(values[i]);
  }
}
