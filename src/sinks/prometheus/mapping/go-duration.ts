// Durations as the exporter's YAML reads them into Go's time.Duration: a string in Go's
// ParseDuration syntax (`90s`, `1h30m`, `1.5m`, `250ms`), or an integer meaning nanoseconds.

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 micro sign
  'μs': 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d*\.?\d*)([a-zµμ]+)/gy;

/** Milliseconds, or null when `value` is not a Go duration. */
export function goDurationMs(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) ? value / 1e6 : null;
  if (typeof value !== 'string') return null;
  let text = value;
  let sign = 1;
  if (text.startsWith('-') || text.startsWith('+')) {
    sign = text.startsWith('-') ? -1 : 1;
    text = text.slice(1);
  }
  if (text === '0') return 0;
  if (text === '') return null;
  let total = 0;
  PART.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    const m = PART.exec(text);
    if (m === null || m[1] === '' || m[1] === '.') return null;
    const unit = UNIT_MS[m[2]];
    if (unit === undefined) return null;
    total += Number(m[1]) * unit;
    at = PART.lastIndex;
  }
  return sign * total;
}
