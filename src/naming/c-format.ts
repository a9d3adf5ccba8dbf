// Numbers printed exactly as C's printf does them, because statsite's output is the contract.

/**
 * Below this magnitude, value·10^6 is under 2^50, so the double product is within 1/8 of the
 * exact one: far enough from a half, rounding the product rounds the exact value the same way.
 */
const FAST_LIMIT = 1e9;
const MICRO = 1e6;

/** C's `%.<digits>f`: fixed notation at any magnitude, ties to even, nan/inf spelled as glibc. */
export function formatFixed(value: number, digits = 6): string {
  // The common case (statsite's six decimals, timer means and stdevs in ms) without toFixed,
  // which is several times slower; near a tie the exact path below decides.
  if (digits === 6) {
    const abs = Math.abs(value);
    if (abs < FAST_LIMIT) {
      const scaled = abs * MICRO;
      const whole = Math.floor(scaled);
      const fraction = scaled - whole;
      if (fraction < 0.25 || fraction > 0.75) {
        const text = String(fraction > 0.5 ? whole + 1 : whole).padStart(7, '0');
        return (value < 0 || Object.is(value, -0) ? '-' : '') + text.slice(0, -6) + '.' + text.slice(-6);
      }
    }
  }
  return formatFixedExact(value, digits);
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

/** C's `%PRIu64` of a count. */
export function formatCount(value: number): string {
  return String(Math.trunc(value));
}
