// Reads the two kinds of statsite-ts lines the bench counts, `counts.k17|3.000000|TS` and
// `timers.k17.count|3|TS` (or the Graphite forms, `statsite.counts.k17 3.000000 TS`), with
// String#indexOf jumps instead of two multiline regexes over every byte. A million-timer flush is
// ~600 MB of lines, read by the bench on the load generator's core: the regexes made the bench,
// not the server, what a Graphite flush waited for.

const LF = 10;
const PIPE = 124;
const SPACE = 32;
const GRAPHITE_PREFIX = 'statsite.';

const isLower = (c) => c >= 97 && c <= 122;
const isDigit = (c) => c >= 48 && c <= 57;
const isSeparator = (c) => c === PIPE || c === SPACE;

/** Whether `name` (e.g. `counts.`) at `at` starts a line, bare or after `statsite.`. */
function startsLine(text, at) {
  if (at === 0 || text.charCodeAt(at - 1) === LF) return true;
  const p = at - GRAPHITE_PREFIX.length;
  return p >= 0 && text.startsWith(GRAPHITE_PREFIX, p) && (p === 0 || text.charCodeAt(p - 1) === LF);
}

/** The end of `[a-z]+` from `at` (`at` itself if there is none). */
function lettersEnd(text, at) {
  let i = at;
  while (isLower(text.charCodeAt(i))) i++;
  return i;
}

/** The end of `\d+` from `at`, or -1. */
function digitsEnd(text, at) {
  let i = at;
  while (isDigit(text.charCodeAt(i))) i++;
  return i === at ? -1 : i;
}

/** The value after the separator at `at`, up to the next separator; NaN if malformed. */
function valueAfter(text, at) {
  if (!isSeparator(text.charCodeAt(at))) return NaN;
  let i = at + 1;
  while (i < text.length && !isSeparator(text.charCodeAt(i)) && text.charCodeAt(i) !== LF) i++;
  return isSeparator(text.charCodeAt(i)) ? Number(text.slice(at + 1, i)) : NaN;
}

/** Calls `add('c' | 'ms', prefix, value)` for each counter and timer-count line of `text` (whole lines). */
export function readStatsiteLines(text, add) {
  const counts = 'counts.';
  for (let at = text.indexOf(counts); at !== -1; at = text.indexOf(counts, at + counts.length)) {
    if (!startsLine(text, at)) continue;
    const name = at + counts.length;
    const letters = lettersEnd(text, name);
    const end = letters === name ? -1 : digitsEnd(text, letters);
    if (end < 0) continue;
    const value = valueAfter(text, end);
    if (!Number.isNaN(value)) add('c', text.slice(name, letters), value);
  }
  const field = '.count';
  const timers = 'timers.';
  for (let at = text.indexOf(field); at !== -1; at = text.indexOf(field, at + field.length)) {
    const lineStart = text.lastIndexOf('\n', at) + 1;
    const name = text.startsWith(timers, lineStart)
      ? lineStart + timers.length
      : text.startsWith(GRAPHITE_PREFIX + timers, lineStart) ? lineStart + GRAPHITE_PREFIX.length + timers.length : -1;
    if (name < 0) continue;
    const letters = lettersEnd(text, name);
    if (letters === name || digitsEnd(text, letters) !== at) continue;
    const value = valueAfter(text, at + field.length);
    if (!Number.isNaN(value)) add('ms', text.slice(name, letters), value);
  }
}
