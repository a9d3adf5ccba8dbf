// Strict decimal number parsing straight from bytes, no string built on the common path.
// Accepted: [+-] digits [. digits] [e|E [+-] digits], or [+-] . digits — at least one digit
// in the mantissa. Everything else (12abc, 0x10, ".", "-", NaN, Infinity, overflow) is rejected
// with NaN, which no valid input can produce.
//
// Underflow as statsite has it: statsite reads a number with an exponent through strtod and drops
// it when strtod reports ERANGE, which glibc does for a nonzero value that rounds below the
// smallest normal double (`1e-310`, `4.9e-324`, `1e-400`). Zero written with an exponent (`0e-5`)
// is exact, and a number without an exponent never goes through strtod, so a long `0.000…1` is
// kept, as statsite keeps it.

const CH_0 = 0x30;
const CH_9 = 0x39;
const CH_PLUS = 0x2b;
const CH_MINUS = 0x2d;
const CH_DOT = 0x2e;
const CH_E_LOWER = 0x65;
const CH_E_UPPER = 0x45;

// Powers of ten up to 1e22 are exact doubles, so mantissa / 10^k is correctly rounded.
const EXACT_POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const MAX_EXACT_MANTISSA = 2 ** 53;

/** Any run of this many decimal digits is below 2^53, so summing it digit by digit is exact. */
const MAX_EXACT_DIGITS = 15;

/** DBL_MIN: the smallest positive normal double. */
const MIN_NORMAL = 2 ** -1022;

export function parseNumber(buf: Uint8Array, start: number, end: number): number {
  // The usual value is a short unsigned integer (`1` in `k:1|c`): digits only, exact, and valid
  // in the grammar below with the same value, so it can skip the general parse.
  if (end > start && end - start <= MAX_EXACT_DIGITS) {
    let n = 0;
    let i = start;
    for (; i < end; i++) {
      const digit = buf[i] - CH_0;
      if (digit < 0 || digit > 9) break;
      n = n * 10 + digit;
    }
    if (i === end) return n;
  }
  return parseDecimal(buf, start, end);
}

function parseDecimal(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (i < end && (buf[i] === CH_PLUS || buf[i] === CH_MINUS)) {
    negative = buf[i] === CH_MINUS;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  while (i < end && buf[i] >= CH_0 && buf[i] <= CH_9) {
    mantissa = mantissa * 10 + (buf[i] - CH_0);
    digits++;
    i++;
  }
  if (i < end && buf[i] === CH_DOT) {
    i++;
    while (i < end && buf[i] >= CH_0 && buf[i] <= CH_9) {
      mantissa = mantissa * 10 + (buf[i] - CH_0);
      digits++;
      fractionDigits++;
      i++;
    }
  }
  if (digits === 0) return NaN;
  let hasExponent = false;
  if (i < end && (buf[i] === CH_E_LOWER || buf[i] === CH_E_UPPER)) {
    hasExponent = true;
    i++;
    if (i < end && (buf[i] === CH_PLUS || buf[i] === CH_MINUS)) i++;
    const expStart = i;
    while (i < end && buf[i] >= CH_0 && buf[i] <= CH_9) i++;
    if (i === expStart) return NaN;
  }
  if (i !== end) return NaN;

  if (!hasExponent && mantissa <= MAX_EXACT_MANTISSA && fractionDigits < EXACT_POW10.length) {
    const value = mantissa / EXACT_POW10[fractionDigits];
    return negative ? -value : value;
  }
  // Rare: long mantissas or exponents. The grammar is already validated, so Number() is safe.
  const value = Number(Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1'));
  if (!Number.isFinite(value)) return NaN;
  if (hasExponent && mantissa !== 0 && Math.abs(value) < MIN_NORMAL) return NaN;
  return value;
}
