// Numbers printed exactly as C's printf does them, because statsite's output is the contract.

/** Below this magnitude, value·10^6 is under 2^50 (see roundedMicros). */
const FAST_LIMIT = 1e9;
const MICRO = 1e6;
/** 2^-52: twice the largest relative rounding error of one double multiplication. */
const TWICE_PRODUCT_ERROR = 2 ** -52;

/** C's `%.<digits>f`: fixed notation at any magnitude, ties to even, nan/inf spelled as glibc. */
export function formatFixed(value: number, digits = 6): string {
  // The common case (statsite's six decimals, timer means and stdevs in ms) without toFixed,
  // which is several times slower; near a tie the exact path below decides.
  if (digits === 6) {
    const micros = roundedMicros(value);
    if (micros >= 0) {
      const text = String(micros).padStart(7, '0');
      return (isNegative(value) ? '-' : '') + text.slice(0, -6) + '.' + text.slice(-6);
    }
  }
  return formatFixedExact(value, digits);
}

/**
 * |value|·10^6 rounded as `%.6f` rounds it, when that is certain without the exact algorithm;
 * else -1. The double product differs from the exact one by at most half an ulp, under
 * scaled·2^-53, and below FAST_LIMIT its fraction is exact; so a fraction farther than twice that
 * from a half rounds as the exact value does. Only values within a few ulps of a tie (a mean of
 * x/3 is not one: ~1e-10 from it at most magnitudes) take the exact path.
 */
function roundedMicros(value: number): number {
  const abs = Math.abs(value);
  if (!(abs < FAST_LIMIT)) return -1;
  const scaled = abs * MICRO;
  const whole = Math.floor(scaled);
  const fraction = scaled - whole;
  if (Math.abs(fraction - 0.5) <= scaled * TWICE_PRODUCT_ERROR) return -1;
  return fraction > 0.5 ? whole + 1 : whole;
}

function isNegative(value: number): boolean {
  return value < 0 || Object.is(value, -0);
}

/**
 * formatFixed(value) (six digits) written as ASCII into `out` at `at`; returns the end. The caller
 * leaves room for MAX_FIXED_BYTES. For the byte-level line writers: no string per value.
 */
export function writeFixed(out: Uint8Array, at: number, value: number): number {
  // Whole numbers below 2^31 (counts, sums, most timer values in ms, a lone sample's stdev 0) are
  // the common case: their digits and six zeros, without scaling. -0 is not one: C prints `-0.000000`.
  const small = value | 0;
  if (small === value && small >= 0 && (small !== 0 || 1 / value > 0)) {
    at = writePadded(out, at, small, digitCount(small));
    out[at++] = 0x2e; // '.'
    return writeZeroFraction(out, at);
  }
  const micros = roundedMicros(value);
  if (micros < 0) return writeAscii(out, at, formatFixedExact(value, 6));
  if (isNegative(value)) out[at++] = 0x2d; // '-'
  // The fraction is below 10^6 and the whole part below 10^9 + 1: small integers for the digit loops.
  const whole = Math.floor(micros / MICRO);
  at = writeDigits(out, at, whole);
  out[at++] = 0x2e; // '.'
  const fraction = micros - whole * MICRO;
  return fraction !== 0 ? writePadded(out, at, fraction, 6) : writeZeroFraction(out, at);
}

/** The six zeros after the point of a whole number. */
function writeZeroFraction(out: Uint8Array, at: number): number {
  out[at] = out[at + 1] = out[at + 2] = out[at + 3] = out[at + 4] = out[at + 5] = 0x30;
  return at + 6;
}

/** formatCount(value) written as ASCII into `out` at `at`; returns the end. */
export function writeCount(out: Uint8Array, at: number, value: number): number {
  const n = Math.trunc(value);
  if (!(n >= 0 && n <= Number.MAX_SAFE_INTEGER)) return writeAscii(out, at, formatCount(value));
  return writeDigits(out, at, n);
}

/**
 * Bytes writeFixed or writeCount may write: the exact path spells doubles up to 1.8e308 with all
 * their digits (309), plus sign, point and six decimals.
 */
export const MAX_FIXED_BYTES = 320;

/** A non-negative safe integer in decimal. */
function writeDigits(out: Uint8Array, at: number, n: number): number {
  if (n > 0x7fffffff) {
    // Past 31 bits: the high digits first, then the low nine (zero-padded) in small integers.
    const high = Math.floor(n / 1e9);
    at = writeDigits(out, at, high);
    return writePadded(out, at, n - high * 1e9, 9);
  }
  return writePadded(out, at, n, digitCount(n));
}

/** Decimal digits of `n` (below 2^31), by comparisons rather than a division per digit. */
function digitCount(n: number): number {
  if (n < 1e4) return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : 4;
  if (n < 1e8) return n < 1e5 ? 5 : n < 1e6 ? 6 : n < 1e7 ? 7 : 8;
  return n < 1e9 ? 9 : 10;
}

/** `n` (below 2^31) in exactly `length` digits, zero-padded. */
function writePadded(out: Uint8Array, at: number, n: number, length: number): number {
  for (let i = at + length - 1; i >= at; i--) {
    const next = (n / 10) | 0;
    out[i] = 0x30 + n - next * 10;
    n = next;
  }
  return at + length;
}

/** An ASCII string (as every formatted number is). */
function writeAscii(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  return at;
}

/** formatFixed without the fast path: exact at every value, the reference the fast path must match. */
export function formatFixedExact(value: number, digits: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Math.abs(value) >= 1e21) {
    // toFixed switches to exponent notation here; such doubles are integers anyway.
    return BigInt(value).toString() + (digits > 0 ? '.' + '0'.repeat(digits) : '');
  }
  if (Object.is(value, -0)) return digits > 0 ? '-0.' + '0'.repeat(digits) : '-0';
  // Whole numbers (counts, most timer values in ms) are the common case and need no rounding.
  // (Below 2^53 String() is exact; above it prints the shortest form, not C's exact digits.)
  if (Number.isInteger(value) && Math.abs(value) < 2 ** 53) return digits === 6 ? value + '.000000' : value.toFixed(digits);
  // toFixed rounds an exact tie away from zero; C rounds it to even. A tie needs the value to be
  // a multiple of 2^-(digits+1) (exact to test), with a 5 as the first dropped digit.
  if (Number.isInteger(value * 2 ** (digits + 1))) {
    const longer = value.toFixed(digits + 1);
    if (longer.endsWith('5')) {
      const truncated = longer.slice(0, -1);
      const kept = truncated.endsWith('.') ? truncated.slice(0, -1) : truncated;
      const lastDigit = kept.charCodeAt(kept.length - 1) - 48;
      if (lastDigit % 2 === 0) return kept;
    }
  }
  return value.toFixed(digits);
}

/**
 * C's `%PRIu64` of a count: all its digits, never an exponent (a count past 1e21 is a count
 * still), and a count that is no number at all as `%f` spells it.
 */
export function formatCount(value: number): string {
  const n = Math.trunc(value);
  return Number.isFinite(n) ? BigInt(n).toString() : formatFixed(n, 0);
}
