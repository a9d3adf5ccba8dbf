// statsd_exporter's mapping config (its `--statsd.mapping-config` YAML), after defaults are
// applied and every pattern checked: plain data, so it can be compared and shipped like any
// other sink option. metric-mapper.ts compiles and applies it.

/** The exporter's metric types for `match_metric_type`: `ms`, `h` and `d` are all `observer`. */
export type MatchMetricType = 'counter' | 'gauge' | 'observer';
export type ObserverType = 'summary' | 'histogram';

export interface Objective {
  quantile: number;
  /** The exporter's allowed rank error; our sketch is within it, so it is kept for the record only. */
  error: number;
}

export interface SummaryOptions {
  quantiles: Objective[];
  /** The sliding window a summary's quantiles cover, in ms, and how many age buckets it rotates through. */
  maxAgeMs: number;
  ageBuckets: number;
}

export interface Mapping {
  /** Where in the file the mapping starts, for logs. */
  line: number;
  match: string;
  matchType: 'glob' | 'regex';
  /** The metric name, with `$1`/`${1}` (glob) or Go-style `$1`/`${name}` (regex) references. */
  name: string;
  /** Label name → value template, in file order. */
  labels: Array<[string, string]>;
  /** Labels the line's own tags win over (exporter 0.24+). */
  honorLabels: boolean;
  help: string | null;
  matchMetricType: MatchMetricType | null;
  action: 'map' | 'drop';
  observerType: ObserverType;
  /** Histogram bucket bounds (observerType histogram). */
  buckets: number[];
  /** Summary quantiles and window (observerType summary). */
  summary: SummaryOptions;
  /** ms; 0 keeps the series forever. */
  ttlMs: number;
  /** Values are multiplied by this (exporter 0.26+); null: as they come. */
  scale: number | null;
}

export interface MappingDefaults {
  observerType: ObserverType;
  matchType: 'glob' | 'regex';
  /** Globs: the most specific match wins instead of the first in file order. */
  globDisableOrdering: boolean;
  ttlMs: number;
  buckets: number[];
  summary: SummaryOptions;
}

export interface MappingConfig {
  file: string;
  defaults: MappingDefaults;
  mappings: Mapping[];
}

/** client_golang's defaults, which the exporter uses for summaries and histograms. */
export const DEFAULT_OBJECTIVES: readonly Objective[] = [
  { quantile: 0.5, error: 0.05 },
  { quantile: 0.9, error: 0.01 },
  { quantile: 0.99, error: 0.001 },
];
export const DEFAULT_MAX_AGE_MS = 10 * 60 * 1000;
export const DEFAULT_AGE_BUCKETS = 5;
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The exporter's behaviour without a mapping file. */
export const NO_MAPPING_DEFAULTS: MappingDefaults = {
  observerType: 'summary',
  matchType: 'glob',
  globDisableOrdering: false,
  ttlMs: 0,
  buckets: [...DEFAULT_BUCKETS],
  summary: { quantiles: [...DEFAULT_OBJECTIVES], maxAgeMs: DEFAULT_MAX_AGE_MS, ageBuckets: DEFAULT_AGE_BUCKETS },
};
