// The Prometheus sink's settings, from a spec URL:
//   prometheus://HOST:PORT[?path=/metrics&compat=statsd_exporter|openmetrics&mapping_config=FILE
//                         &max_series=1000000&quantiles=0.5,0.9,0.99&ttl=0
//                         &timer_unit=milliseconds|seconds&histogram_buckets=0.005,0.01,…]
// A bare PORT listens on 127.0.0.1. [[sinks]] tables are turned into the same URL, so both
// paths share one parser. The series options (quantiles … histogram_buckets) shape the registry
// and are shared with the remote-write sink, which is always `openmetrics`: it feeds a TSDB, not
// dashboards written for statsd_exporter.
//
// `compat = "statsd_exporter"` (the default) exposes what statsd_exporter does; `mapping_config`
// is read here, so a bad file fails the start (or the reload) like any other bad option.

import { parseListenAddress } from '../../util/address.js';
import type { MappingConfig } from './mapping/mapping-config.js';
import { loadMappingFile } from './mapping/mapping-file.js';

export type TimerUnit = 'milliseconds' | 'seconds';
export type Compat = 'statsd_exporter' | 'openmetrics';

/** How StatsD series become Prometheus series (series-registry.ts). */
export interface SeriesOptions {
  /**
   * statsd_exporter: its names, counters without `_total`, `ms` in seconds, sliding-window
   * summaries, persistent gauges, the mapping config. openmetrics: this sink's own scheme.
   */
  compat: Compat;
  /** Summary quantiles (openmetrics: per flush interval; statsd_exporter: unless the mapping says otherwise). */
  quantiles: number[];
  /** Series not updated for this long (ms) leave the exposition; 0 keeps them forever. */
  ttlMs: number;
  /** `seconds` divides timer values by 1000 and names timers `…_seconds` (openmetrics only). */
  timerUnit: TimerUnit;
  /** Ascending upper bounds, in the exposed unit: timers become histograms. null: summaries. */
  histogramBuckets: number[] | null;
  /** Most series the registry holds; past it new series are dropped and counted. 0: no bound. */
  maxSeries: number;
  /** statsd_exporter's mapping config, read and checked (statsd_exporter compat only); null: none. */
  mapping: MappingConfig | null;
}

export interface PrometheusOptions extends SeriesOptions {
  host: string;
  port: number;
  /** Where the exposition is served. */
  path: string;
}

export const PROMETHEUS_DEFAULTS = {
  path: '/metrics',
  compat: 'statsd_exporter' as Compat,
  quantiles: [0.5, 0.9, 0.99],
  /** The exporter keeps series forever unless the mapping sets a ttl; openmetrics drops idle ones. */
  ttlSeconds: { statsd_exporter: 0, openmetrics: 600 } as Record<Compat, number>,
  timerUnit: 'milliseconds' as TimerUnit,
  /** With no ttl the registry only grows: this bounds it. */
  maxSeries: { statsd_exporter: 1_000_000, openmetrics: 0 } as Record<Compat, number>,
};

export const SERIES_KEYS = ['quantiles', 'ttl', 'timer_unit', 'histogram_buckets'];
const QUERY_KEYS = ['path', 'compat', 'mapping_config', 'max_series', ...SERIES_KEYS];

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
  const compat = (query.get('compat') ?? PROMETHEUS_DEFAULTS.compat) as Compat;
  if (compat !== 'statsd_exporter' && compat !== 'openmetrics') {
    throw new Error(`sink "${spec}": compat must be statsd_exporter or openmetrics, got "${compat}"`);
  }
  const series = parseSeriesOptions(query, spec, compat);
  if (query.has('max_series')) {
    const max = Number(query.get('max_series'));
    if (!(Number.isInteger(max) && max >= 0)) throw new Error(`sink "${spec}": max_series must be a whole number ≥ 0 (0: no bound)`);
    series.maxSeries = max;
  }
  const mappingFile = query.get('mapping_config');
  if (mappingFile !== null) {
    if (compat !== 'statsd_exporter') throw new Error(`sink "${spec}": mapping_config needs compat = statsd_exporter`);
    try {
      series.mapping = loadMappingFile(mappingFile);
    } catch (err) {
      throw new Error(`sink "${spec}": mapping_config ${(err as Error).message}`);
    }
  }
  return { ...address, path, ...series };
}

/** The series options among a spec's query parameters; the others are left alone. */
export function parseSeriesOptions(query: URLSearchParams, spec: string, compat: Compat = 'openmetrics'): SeriesOptions {
  const quantiles = query.has('quantiles') ? numberList(query.get('quantiles')!, 'quantiles', spec) : PROMETHEUS_DEFAULTS.quantiles;
  if (quantiles.some((x) => !(x > 0 && x < 1))) throw new Error(`sink "${spec}": each quantile must be between 0 and 1 (exclusive)`);
  const ttl = Number(query.get('ttl') ?? PROMETHEUS_DEFAULTS.ttlSeconds[compat]);
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
  if (compat === 'statsd_exporter' && query.has('timer_unit')) {
    throw new Error(
      `sink "${spec}": timer_unit is for compat = openmetrics; statsd_exporter compat turns ms into seconds under the same name`,
    );
  }
  const maxSeries = PROMETHEUS_DEFAULTS.maxSeries[compat];
  return { compat, quantiles, ttlMs: ttl * 1000, timerUnit, histogramBuckets, maxSeries, mapping: null };
}
