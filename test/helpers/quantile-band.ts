// Quantile lines are estimates (statsite: CKMS, statsite-ts: t-digest), so
// they are not compared digit for digit but against the rank-error band of
// the exact quantile (test/vectors/README.md):
//   samples sorted (n), e = 2·timer_eps,
//   sample[floor((q−e)·n) − 1] <= value <= sample[ceil((q+e)·n)], indices clamped to [0, n−1].

export const DEFAULT_QUANTILES = [0.5, 0.95, 0.99];
export const DEFAULT_TIMER_EPS = 0.01;

// Printed values carry six decimals, so a quantile equal to a sample such as
// 1.23456789 prints as 1.234568; allow that rounding at the band's edges.
const PRINT_TOLERANCE = 1e-6;

/**
 * The `.pNN` suffix statsite prints for q: `p` + `%0.0f` of q·100. C rounds
 * an exact tie to even (0.125 → p12), which Math.round would not.
 */
export function percentileName(q: number): string {
  const x = q * 100;
  let n = Math.round(x);
  if (n - x === 0.5 && n % 2 !== 0) n -= 1;
  return `p${n}`;
}

/** Key suffix → quantile: `.median` (0.5) and `.pNN` for each configured q. */
export function quantileSuffixes(quantiles: readonly number[]): Map<string, number> {
  const suffixes = new Map<string, number>([['.median', 0.5]]);
  for (const q of quantiles) suffixes.set(`.${percentileName(q)}`, q);
  return suffixes;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Timer samples (`NAME:VALUE|ms` or `|h`, optional `|@rate`) per timer name,
 * from the text a client sent. Sample rates do not change the raw samples;
 * a rate that is not a number drops the line, as in statsite.
 */
export function collectTimerSamples(texts: readonly string[], into = new Map<string, number[]>()): Map<string, number[]> {
  for (const text of texts) {
    for (let line of text.split('\n')) {
      if (line.endsWith('\r')) line = line.slice(0, -1);
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const [valueText, type, rate, ...rest] = line.slice(colon + 1).split('|');
      if (type !== 'ms' && type !== 'h') continue;
      if (rest.length > 0 || valueText === undefined || !NUMBER.test(valueText)) continue;
      if (rate !== undefined && !(rate.startsWith('@') && NUMBER.test(rate.slice(1)))) continue;
      const name = line.slice(0, colon);
      const list = into.get(name) ?? [];
      list.push(Number(valueText));
      into.set(name, list);
    }
  }
  return into;
}

export interface Band {
  lo: number;
  hi: number;
  n: number;
}

/** The README's rank-error band for quantile q of these samples. */
export function rankBand(samples: readonly number[], q: number, timerEps: number): Band {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const e = 2 * timerEps;
  const clamp = (i: number) => Math.min(n - 1, Math.max(0, i));
  return {
    lo: sorted[clamp(Math.floor((q - e) * n) - 1)]!,
    hi: sorted[clamp(Math.ceil((q + e) * n))]!,
    n,
  };
}

export function inBand(value: number, band: Band): boolean {
  return value >= band.lo - PRINT_TOLERANCE && value <= band.hi + PRINT_TOLERANCE;
}

export interface QuantileKey {
  timer: string;
  q: number;
  band: Band;
}

/**
 * Recognises the quantile lines of known timers: KEY = anything ending in
 * the timer name (so global and type prefixes need no parsing) + a quantile
 * suffix. The longest timer name wins (`timers.api.foo` is `api.foo`, not `foo`).
 */
export function quantileKeyMatcher(
  samples: ReadonlyMap<string, readonly number[]>,
  quantiles: readonly number[],
  timerEps: number,
): (key: string) => QuantileKey | undefined {
  const suffixes = quantileSuffixes(quantiles);
  const names = [...samples.keys()].sort((a, b) => b.length - a.length);
  return (key) => {
    for (const [suffix, q] of suffixes) {
      if (!key.endsWith(suffix)) continue;
      const base = key.slice(0, -suffix.length);
      const timer = names.find((name) => base === name || base.endsWith(`.${name}`));
      if (timer !== undefined) return { timer, q, band: rankBand(samples.get(timer)!, q, timerEps) };
    }
    return undefined;
  };
}
