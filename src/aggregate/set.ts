// A set: the number of distinct members. Exact (by 64-bit member hash, as statsite) up to
// EXACT_MEMBERS, then a HyperLogLog so memory stays bounded however many members arrive.

import { HyperLogLog } from './hyperloglog.js';
import { murmur3Hash2 } from './murmur3.js';

export const EXACT_MEMBERS = 64;
const hash = new Uint32Array(2);

export class SetMetric {
  /** Member hashes as interleaved (hi, lo) pairs while the set is exact. */
  private exact: Uint32Array | null = new Uint32Array(EXACT_MEMBERS * 2);
  private exactCount = 0;
  private hll: HyperLogLog | null = null;

  constructor(private readonly precision: number) {}

  add(member: string): void {
    murmur3Hash2(Buffer.from(member, 'utf8'), hash);
    this.addHash(hash[0], hash[1]);
  }

  size(): number {
    // statsite rounds the estimate up.
    return this.hll === null ? this.exactCount : Math.ceil(this.hll.estimate());
  }

  merge(other: SetMetric): void {
    if (other.hll !== null) {
      this.toApproximate().merge(other.hll);
      return;
    }
    for (let i = 0; i < other.exactCount; i++) this.addHash(other.exact![2 * i], other.exact![2 * i + 1]);
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
