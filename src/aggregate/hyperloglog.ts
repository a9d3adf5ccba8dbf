// HyperLogLog over the 64-bit hashes statsite uses (register index from the top `precision`
// bits, rank from the rest), so estimates agree with statsite's wherever it uses linear counting.
// Mergeable: the register-wise max of two HLLs is the HLL of the union.

/** HLL++ thresholds below which linear counting beats the raw estimate, by precision 4..18. */
const LINEAR_COUNTING_THRESHOLD = [10, 20, 40, 80, 220, 400, 900, 1800, 3100, 6500, 11500, 20000, 50000, 120000, 350000];

export const MIN_PRECISION = 4;
export const MAX_PRECISION = 18;

/** statsite's choice: the smallest precision whose standard error 1.04/√m is within `eps`. */
export function precisionForError(eps: number): number {
  return Math.ceil(Math.log2((1.04 / eps) ** 2));
}

export class HyperLogLog {
  readonly registers: Uint8Array;

  constructor(readonly precision: number) {
    this.registers = new Uint8Array(1 << precision);
  }

  addHash(hi: number, lo: number): void {
    const p = this.precision;
    const index = hi >>> (32 - p);
    // Shift the index bits out and set a sentinel bit, as statsite does, so the rank is bounded.
    const shiftedHi = ((hi << p) | (lo >>> (32 - p))) >>> 0;
    const shiftedLo = ((lo << p) | (1 << (p - 1))) >>> 0;
    const rank = (shiftedHi !== 0 ? Math.clz32(shiftedHi) : 32 + Math.clz32(shiftedLo)) + 1;
    if (rank > this.registers[index]) this.registers[index] = rank;
  }

  merge(other: HyperLogLog): void {
    for (let i = 0; i < this.registers.length; i++) {
      if (other.registers[i] > this.registers[i]) this.registers[i] = other.registers[i];
    }
  }

  estimate(): number {
    const m = this.registers.length;
    let inverseSum = 0;
    let zeros = 0;
    for (let i = 0; i < m; i++) {
      inverseSum += 2 ** -this.registers[i];
      if (this.registers[i] === 0) zeros++;
    }
    const alpha = m === 16 ? 0.673 : m === 32 ? 0.697 : m === 64 ? 0.709 : 0.7213 / (1 + 1.079 / m);
    const raw = (alpha * m * m) / inverseSum;
    if (zeros > 0) {
      const linear = m * Math.log(m / zeros);
      if (linear <= LINEAR_COUNTING_THRESHOLD[this.precision - MIN_PRECISION]) return linear;
      // Below 5m the raw estimate is strongly biased; statsite subtracts HLL++'s empirical bias
      // tables there. Linear counting stays within a few percent in this range without them.
      if (raw <= 5 * m) return linear;
    }
    return raw;
  }
}
