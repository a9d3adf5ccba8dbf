// A set: the number of distinct members. Exact (by 64-bit member hash, as statsite) up to
// EXACT_MEMBERS, then a HyperLogLog so memory stays bounded however many members arrive.

import { HyperLogLog } from './hyperloglog.js';
import { murmur3Hash2 } from './murmur3.js';

export const EXACT_MEMBERS = 64;
const hash = new Uint32Array(2);

/** A set's mergeable form: member hashes while exact, else HyperLogLog registers (base64). */
export type SetState = { hashes: number[] } | { precision: number; registers: string };

export class SetMetric {
  /** Member hashes as interleaved (hi, lo) pairs while the set is exact. */
  private exact: Uint32Array | null = new Uint32Array(EXACT_MEMBERS * 2);
  private exactCount = 0;
  private hll: HyperLogLog | null = null;

  constructor(private readonly precision: number) {}

  /** Bytes are hashed as they are, like statsite: two invalid UTF-8 members stay two members. */
  add(member: Uint8Array | string): void {
    murmur3Hash2(typeof member === 'string' ? Buffer.from(member, 'utf8') : member, hash);
    this.addHash(hash[0], hash[1]);
  }

  size(): number {
    // statsite rounds the estimate up.
    return this.hll === null ? this.exactCount : Math.ceil(this.hll.estimate());
  }

  /** The set in a form another process can merge: member hashes while exact, else HLL registers. */
  state(): SetState {
    if (this.hll !== null) return { precision: this.hll.precision, registers: Buffer.from(this.hll.registers).toString('base64') };
    return { hashes: Array.from(this.exact!.subarray(0, 2 * this.exactCount)) };
  }

  /** The union of both sets. */
  mergeState(state: SetState): void {
    if ('hashes' in state) {
      for (let i = 0; i + 1 < state.hashes.length; i += 2) this.addHash(state.hashes[i] >>> 0, state.hashes[i + 1] >>> 0);
      return;
    }
    const registers = Buffer.from(state.registers, 'base64');
    if (state.precision !== this.precision || registers.length !== 1 << this.precision) {
      throw new Error(`set precision ${state.precision} cannot merge into precision ${this.precision}`);
    }
    const other = new HyperLogLog(this.precision);
    other.registers.set(registers);
    this.toApproximate().merge(other);
  }

  private addHash(hi: number, lo: number): void {
    const exact = this.exact;
    if (exact === null) {
      this.hll!.addHash(hi, lo);
      return;
    }
    for (let i = 0; i < this.exactCount; i++) {
      if (exact[2 * i] === hi && exact[2 * i + 1] === lo) return;
    }
    if (this.exactCount < EXACT_MEMBERS) {
      exact[2 * this.exactCount] = hi;
      exact[2 * this.exactCount + 1] = lo;
      this.exactCount++;
      return;
    }
    this.toApproximate().addHash(hi, lo);
  }

  private toApproximate(): HyperLogLog {
    if (this.hll !== null) return this.hll;
    const hll = new HyperLogLog(this.precision);
    for (let i = 0; i < this.exactCount; i++) hll.addHash(this.exact![2 * i], this.exact![2 * i + 1]);
    this.exact = null;
    this.hll = hll;
    return hll;
  }
}
