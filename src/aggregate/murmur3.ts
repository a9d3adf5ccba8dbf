// MurmurHash3_x64_128 (seed 0), the hash statsite feeds its sets and HyperLogLogs, so set sizes
// match statsite's once they turn approximate. 64-bit lanes are (hi, lo) pairs of uint32, kept in
// module registers so hashing allocates nothing.

let rHi = 0;
let rLo = 0;

/** (aHi,aLo) * (bHi,bLo) mod 2^64 → (rHi, rLo). */
function mul64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const a0 = aLo & 0xffff;
  const a1 = aLo >>> 16;
  const b0 = bLo & 0xffff;
  const b1 = bLo >>> 16;
  const mid = a0 * b1 + a1 * b0;
  const lo = a0 * b0 + (mid % 0x10000) * 0x10000;
  const hi = a1 * b1 + Math.floor(mid / 0x10000) + Math.floor(lo / 0x100000000);
  rLo = lo >>> 0;
  rHi = (hi + Math.imul(aHi, bLo) + Math.imul(aLo, bHi)) >>> 0;
}

function rotl64(hi: number, lo: number, r: number): void {
  if (r >= 32) {
    const t = hi;
    hi = lo;
    lo = t;
    r -= 32;
  }
  if (r === 0) {
    rHi = hi;
    rLo = lo;
    return;
  }
  rHi = ((hi << r) | (lo >>> (32 - r))) >>> 0;
  rLo = ((lo << r) | (hi >>> (32 - r))) >>> 0;
}

function add64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const lo = aLo + bLo;
  rLo = lo >>> 0;
  rHi = (aHi + bHi + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

function fmix64(hi: number, lo: number): void {
  lo = (lo ^ (hi >>> 1)) >>> 0; // k ^= k >> 33
  mul64(hi, lo, 0xff51afd7, 0xed558ccd);
  hi = rHi;
  lo = (rLo ^ (hi >>> 1)) >>> 0;
  mul64(hi, lo, 0xc4ceb9fe, 0x1a85ec53);
  hi = rHi;
  rLo = (rLo ^ (hi >>> 1)) >>> 0;
}

const C1_HI = 0x87c37b91;
const C1_LO = 0x114253d5;
const C2_HI = 0x4cf5ad43;
const C2_LO = 0x2745937f;

function readLo(key: Uint8Array, at: number): number {
  return (key[at] | (key[at + 1] << 8) | (key[at + 2] << 16) | (key[at + 3] << 24)) >>> 0;
}

/** Tail bytes key[from, from+count) (count ≤ 8) as a little-endian 64-bit lane → (rHi, rLo). */
function readTail(key: Uint8Array, from: number, count: number): void {
  let lo = 0;
  let hi = 0;
  for (let i = count - 1; i >= 0; i--) {
    if (i >= 4) hi = (hi * 256 + key[from + i]) >>> 0;
    else lo = (lo * 256 + key[from + i]) >>> 0;
  }
  rHi = hi;
  rLo = lo;
}

/** The second 64-bit half of MurmurHash3_x64_128(key, seed 0), as [hi, lo] uint32s in `out`. */
export function murmur3Hash2(key: Uint8Array, out: Uint32Array): void {
  const len = key.length;
  const blocks = len >>> 4;
  let h1Hi = 0, h1Lo = 0, h2Hi = 0, h2Lo = 0;

  for (let b = 0; b < blocks; b++) {
    const at = b * 16;
    // k1
    mul64(readLo(key, at + 4), readLo(key, at), C1_HI, C1_LO);
    rotl64(rHi, rLo, 31);
    mul64(rHi, rLo, C2_HI, C2_LO);
    h1Hi = (h1Hi ^ rHi) >>> 0;
    h1Lo = (h1Lo ^ rLo) >>> 0;
    rotl64(h1Hi, h1Lo, 27);
    add64(rHi, rLo, h2Hi, h2Lo);
    mul64(rHi, rLo, 0, 5);
    add64(rHi, rLo, 0, 0x52dce729);
    h1Hi = rHi;
    h1Lo = rLo;
    // k2
    mul64(readLo(key, at + 12), readLo(key, at + 8), C2_HI, C2_LO);
    rotl64(rHi, rLo, 33);
    mul64(rHi, rLo, C1_HI, C1_LO);
    h2Hi = (h2Hi ^ rHi) >>> 0;
    h2Lo = (h2Lo ^ rLo) >>> 0;
    rotl64(h2Hi, h2Lo, 31);
    add64(rHi, rLo, h1Hi, h1Lo);
    mul64(rHi, rLo, 0, 5);
    add64(rHi, rLo, 0, 0x38495ab5);
    h2Hi = rHi;
    h2Lo = rLo;
  }

  const tail = blocks * 16;
  const rest = len & 15;
  if (rest > 8) {
    readTail(key, tail + 8, rest - 8);
    mul64(rHi, rLo, C2_HI, C2_LO);
    rotl64(rHi, rLo, 33);
    mul64(rHi, rLo, C1_HI, C1_LO);
    h2Hi = (h2Hi ^ rHi) >>> 0;
    h2Lo = (h2Lo ^ rLo) >>> 0;
  }
  if (rest > 0) {
    readTail(key, tail, Math.min(rest, 8));
    mul64(rHi, rLo, C1_HI, C1_LO);
    rotl64(rHi, rLo, 31);
    mul64(rHi, rLo, C2_HI, C2_LO);
    h1Hi = (h1Hi ^ rHi) >>> 0;
    h1Lo = (h1Lo ^ rLo) >>> 0;
  }

  // Lengths here are far below 2^32, so `^= len` touches the low word only.
  h1Lo = (h1Lo ^ len) >>> 0;
  h2Lo = (h2Lo ^ len) >>> 0;
  add64(h1Hi, h1Lo, h2Hi, h2Lo);
  h1Hi = rHi; h1Lo = rLo;
  add64(h2Hi, h2Lo, h1Hi, h1Lo);
  h2Hi = rHi; h2Lo = rLo;
  fmix64(h1Hi, h1Lo);
  h1Hi = rHi; h1Lo = rLo;
  fmix64(h2Hi, h2Lo);
  h2Hi = rHi; h2Lo = rLo;
  add64(h1Hi, h1Lo, h2Hi, h2Lo);
  h1Hi = rHi; h1Lo = rLo;
  add64(h2Hi, h2Lo, h1Hi, h1Lo);
  out[0] = rHi;
  out[1] = rLo;
}
