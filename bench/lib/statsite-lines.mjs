// Reads the two kinds of statsite-ts lines the bench counts, `counts.k17|3.000000|TS` and
// `timers.k17.count|3|TS` (or the Graphite forms, `statsite.counts.k17 3.000000 TS`), straight
// from the bytes as they arrive: Buffer#indexOf jumps to each candidate, a few byte loops read it.
// A million-timer flush is ~600 MB of lines, read by the bench on the load generator's core.
// Decoded to strings and scanned with regexes (later with String#indexOf), the reading was what
// the server's flush waited for, not the server: every 64 KiB chunk was copied twice (decoded,
// then flattened with the previous chunk's partial line) before it was scanned twice.

const LF = 10;
const PIPE = 124;
const SPACE = 32;
const MINUS = 45;
const DOT = 46;
const GRAPHITE_PREFIX = Buffer.from('statsite.');
const COUNTS = Buffer.from('counts.');
const TIMERS = Buffer.from('timers.');
const COUNT_FIELD = Buffer.from('.count');
const OUNT = Buffer.from('ount');
const C = 99;
const S = 115;

const isLower = (c) => c >= 97 && c <= 122;
const isDigit = (c) => c >= 48 && c <= 57;
const isSeparator = (c) => c === PIPE || c === SPACE;

/** Whether `word` is at `at` in `bytes` (within `end`). */
function startsWith(bytes, at, end, word) {
  if (at + word.length > end) return false;
  for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word[i]) return false;
  return true;
}

/** Whether `name` (e.g. `counts.`) at `at` starts a line, bare or after `statsite.`. */
function startsLine(bytes, start, at) {
  if (at === start || bytes[at - 1] === LF) return true;
  const p = at - GRAPHITE_PREFIX.length;
  return p >= start && startsWith(bytes, p, at, GRAPHITE_PREFIX) && (p === start || bytes[p - 1] === LF);
}

/** The end of `[a-z]+` from `at` (`at` itself if there is none). */
function lettersEnd(bytes, at, end) {
  let i = at;
  while (i < end && isLower(bytes[i])) i++;
  return i;
}

/** The end of `\d+` from `at`, or -1. */
function digitsEnd(bytes, at, end) {
  let i = at;
  while (i < end && isDigit(bytes[i])) i++;
  return i === at ? -1 : i;
}

/** The value after the separator at `at`, up to the next separator; NaN if malformed. */
function valueAfter(bytes, at, end) {
  if (at >= end || !isSeparator(bytes[at])) return NaN;
  let i = at + 1;
  while (i < end && !isSeparator(bytes[i]) && bytes[i] !== LF) i++;
  return i < end && isSeparator(bytes[i]) ? decimal(bytes, at + 1, i) : NaN;
}

/** `[-]digits[.digits]` as a number without a string; anything else through Number(). */
function decimal(bytes, from, to) {
  let i = from;
  const negative = bytes[i] === MINUS;
  if (negative) i++;
  let whole = 0;
  let digits = 0;
  for (; i < to && isDigit(bytes[i]); i++, digits++) whole = whole * 10 + (bytes[i] - 48);
  let fraction = 0;
  let scale = 1;
  if (i < to && bytes[i] === DOT) {
    for (i++; i < to && isDigit(bytes[i]); i++, digits++) {
      fraction = fraction * 10 + (bytes[i] - 48);
      scale *= 10;
    }
  }
  // Long or odd spellings (exponents, nan, > 15 digits) take the exact path.
  if (i !== to || digits === 0 || digits > 15) return Number(bytes.latin1Slice(from, to));
  const value = whole + fraction / scale;
  return negative ? -value : value;
}

/** Key prefixes (`k` of `k17`) as strings, the last one kept: the bench's keys share a few. */
class PrefixNames {
  #bytes = Buffer.alloc(0);
  #name = '';

  name(bytes, from, to) {
    const length = to - from;
    if (length !== this.#bytes.length || !startsWith(bytes, from, to, this.#bytes)) {
      this.#bytes = Buffer.from(bytes.subarray(from, to));
      this.#name = this.#bytes.latin1Slice(0, length);
    }
    return this.#name;
  }
}

/**
 * Calls `add('c' | 'ms', prefix, value)` for each counter and timer-count line of
 * `bytes[start, end)`, which holds whole lines. One scan finds both: `ount` is in `counts.` and in
 * `.count`, and a 4-byte needle is one Buffer#indexOf skips through fastest (~3× a scan for `.count`).
 */
function readStatsiteLines(bytes, start, end, add, names) {
  for (let at = bytes.indexOf(OUNT, start); at !== -1 && at < end; at = bytes.indexOf(OUNT, at + OUNT.length)) {
    const word = at - 1;
    if (word < start || bytes[word] !== C) continue;
    if (bytes[at + OUNT.length] === S) {
      if (startsWith(bytes, word, end, COUNTS) && startsLine(bytes, start, word)) counter(bytes, end, word, add, names);
    } else if (word > start && bytes[word - 1] === DOT) {
      timerCount(bytes, start, end, word - 1, add, names);
    }
  }
}

/** `counts.k17|3.000000|TS` with `counts.` at `at`. */
function counter(bytes, end, at, add, names) {
  const name = at + COUNTS.length;
  const letters = lettersEnd(bytes, name, end);
  const digits = letters === name ? -1 : digitsEnd(bytes, letters, end);
  if (digits < 0) return;
  const value = valueAfter(bytes, digits, end);
  if (!Number.isNaN(value)) add('c', names.name(bytes, name, letters), value);
}

/** `timers.k17.count|3|TS` with `.count` at `at`. */
function timerCount(bytes, start, end, at, add, names) {
  let lineStart = at;
  while (lineStart > start && bytes[lineStart - 1] !== LF) lineStart--;
  const name = startsWith(bytes, lineStart, at, TIMERS)
    ? lineStart + TIMERS.length
    : startsWith(bytes, lineStart, at, GRAPHITE_PREFIX) && startsWith(bytes, lineStart + GRAPHITE_PREFIX.length, at, TIMERS)
      ? lineStart + GRAPHITE_PREFIX.length + TIMERS.length
      : -1;
  if (name < 0) return;
  const letters = lettersEnd(bytes, name, at);
  if (letters === name || digitsEnd(bytes, letters, at) !== at) return;
  const value = valueAfter(bytes, at + COUNT_FIELD.length, end);
  if (!Number.isNaN(value)) add('ms', names.name(bytes, name, letters), value);
}

/**
 * Reads a stream of chunks that split lines anywhere: each chunk's whole lines in place, the
 * partial line at its end carried over to the next.
 */
export class StatsiteLineReader {
  #carry = Buffer.alloc(0);
  #names = new PrefixNames();

  constructor(add) {
    this.add = add;
  }

  push(chunk) {
    let from = 0;
    if (this.#carry.length > 0) {
      const lf = chunk.indexOf(LF);
      if (lf === -1) {
        this.#carry = Buffer.concat([this.#carry, chunk]);
        return;
      }
      const line = Buffer.concat([this.#carry, chunk.subarray(0, lf + 1)]);
      readStatsiteLines(line, 0, line.length, this.add, this.#names);
      from = lf + 1;
    }
    const end = chunk.lastIndexOf(LF) + 1;
    if (end > from) readStatsiteLines(chunk, from, end, this.add, this.#names);
    this.#carry = Buffer.from(chunk.subarray(Math.max(from, end)));
  }
}
