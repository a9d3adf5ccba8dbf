// How series become output keys: statsite's global and per-type prefixes, the timer fields and
// quantiles written, and the interval that turns sums into rates.

export type TimerField =
  | 'count' | 'mean' | 'stdev' | 'sum' | 'sum_sq' | 'lower' | 'upper' | 'rate' | 'median' | 'sample_rate';

export const TIMER_FIELDS: readonly TimerField[] = [
  'count', 'mean', 'stdev', 'sum', 'sum_sq', 'lower', 'upper', 'rate', 'median', 'sample_rate',
];

export interface TypePrefixes {
  counts: string;
  timers: string;
  gauges: string;
  sets: string;
  kv: string;
}

export const DEFAULT_TYPE_PREFIXES: TypePrefixes = {
  counts: 'counts.',
  timers: 'timers.',
  gauges: 'gauges.',
  sets: 'sets.',
  kv: 'kv.',
};

export interface NamingConfig {
  globalPrefix: string;
  useTypePrefix: boolean;
  typePrefixes: TypePrefixes;
  extendedCounters: boolean;
  legacyExtendedCounters: boolean;
  timersInclude: ReadonlySet<TimerField>;
  quantiles: readonly number[];
  /** Seconds; rates are sums divided by the configured interval, as statsite does. */
  flushInterval: number;
  /** statsite's prefix_binary_stream: the binary stream's keys get the global and type prefixes too. */
  prefixBinaryStream: boolean;
}

/**
 * The full prefix of each type: the output's own prefix (e.g. Graphite's `statsite.`), the global
 * prefix, then the type prefix when use_type_prefix is on.
 */
export function finalPrefixes(naming: NamingConfig, outputPrefix = ''): TypePrefixes {
  const p = (typePrefix: string) => outputPrefix + naming.globalPrefix + (naming.useTypePrefix ? typePrefix : '');
  const t = naming.typePrefixes;
  return { counts: p(t.counts), timers: p(t.timers), gauges: p(t.gauges), sets: p(t.sets), kv: p(t.kv) };
}
