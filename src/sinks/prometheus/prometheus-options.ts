// The Prometheus sink's settings, from a spec URL:
//   prometheus://HOST:PORT[?path=/metrics&quantiles=0.5,0.9,0.99&ttl=600
//                         &timer_unit=milliseconds|seconds&histogram_buckets=0.005,0.01,…]
// A bare PORT listens on 127.0.0.1. [[sinks]] tables are turned into the same URL, so both
// paths share one parser. The series options (quantiles … histogram_buckets) shape the registry
// and are shared with the remote-write sink.

import { parseListenAddress } from '../../util/address.js';

export type TimerUnit = 'milliseconds' | 'seconds';

/** How StatsD series become Prometheus series (series-registry.ts). */
export interface SeriesOptions {
  /** Summary quantiles, computed per flush interval. */
  quantiles: number[];
  /** Series not updated for this long (ms) leave the exposition; 0 keeps them forever. */
  ttlMs: number;
  /** `seconds` divides timer values by 1000 and names timers `…_seconds`. */
  timerUnit: TimerUnit;
  /** Ascending upper bounds, in the exposed unit: timers become histograms. null: summaries. */
  histogramBuckets: number[] | null;
}

export interface PrometheusOptions extends SeriesOptions {
  host: string;
  port: number;
  /** Where the exposition is served. */
  path: string;
}

export const PROMETHEUS_DEFAULTS = {
  path: '/metrics',
  quantiles: [0.5, 0.9, 0.99],
  ttlSeconds: 600,
  timerUnit: 'milliseconds' as TimerUnit,
};

export const SERIES_KEYS = ['quantiles', 'ttl', 'timer_unit', 'histogram_buckets'];
const QUERY_KEYS = ['path', ...SERIES_KEYS];

function numberList(text: string, what: string, spec: string): number[] {
  const list = text.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (list.length === 0 || list.some((n) => !Number.isFinite(n))) {
    throw new Error(`sink "${spec}": ${what} must be a comma-separated list of numbers`);
  }
  return list;
}

export function parsePrometheusSpec(spec: string): PrometheusOptions {
  const rest = spec.slice('prometheus://'.length);
  const q = rest.indexOf('?');
  const query = new URLSearchParams(q < 0 ? '' : rest.slice(q + 1));
  for (const key of query.keys()) {
    if (!QUERY_KEYS.includes(key)) throw new Error(`sink "${spec}": unknown option "${key}" (known: ${QUERY_KEYS.join(', ')})`);
  }
  let address: { host: string; port: number };
  try {
    address = parseListenAddress(q < 0 ? rest : rest.slice(0, q));
  } catch (err) {
    throw new Error(`sink "${spec}": ${(err as Error).message}`);
  }
  if (address.port === 0) throw new Error(`sink "${spec}": needs a port from 1 to 65535`);

  const path = query.get('path') ?? PROMETHEUS_DEFAULTS.path;
  if (!path.startsWith('/')) throw new Error(`sink "${spec}": path must start with "/"`);
  return { ...address, path, ...parseSeriesOptions(query, spec) };
}

/** The series options among a spec's query parameters; the others are left alone. */
export function parseSeriesOptions(query: URLSearchParams, spec: string): SeriesOptions {
  const quantiles = query.has('quantiles') ? numberList(query.get('quantiles')!, 'quantiles', spec) : PROMETHEUS_DEFAULTS.quantiles;
  if (quantiles.some((x) => !(x > 0 && x < 1))) throw new Error(`sink "${spec}": each quantile must be between 0 and 1 (exclusive)`);
  const ttl = Number(query.get('ttl') ?? PROMETHEUS_DEFAULTS.ttlSeconds);
  if (!(ttl >= 0)) throw new Error(`sink "${spec}": ttl must be a number of seconds ≥ 0 (0: never expire)`);
  const timerUnit = (query.get('timer_unit') ?? PROMETHEUS_DEFAULTS.timerUnit) as TimerUnit;
  if (timerUnit !== 'milliseconds' && timerUnit !== 'seconds') {
    throw new Error(`sink "${spec}": timer_unit must be milliseconds or seconds, got "${timerUnit}"`);
  }
  let histogramBuckets: number[] | null = null;
  if (query.has('histogram_buckets')) {
    histogramBuckets = numberList(query.get('histogram_buckets')!, 'histogram_buckets', spec);
    if (histogramBuckets.some((b, i) => i > 0 && b <= histogramBuckets![i - 1])) {
      throw new Error(`sink "${spec}": histogram_buckets must be in ascending order, each once`);
    }
  }
  return { quantiles, ttlMs: ttl * 1000, timerUnit, histogramBuckets };
}
