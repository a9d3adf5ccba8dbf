// What a StatsD series becomes in Prometheus: decided once, when the registry first sees the
// series, by the naming of the sink's compat mode (openmetrics-naming.ts, exporter-naming.ts),
// and then kept with the series, so a flush costs one lookup per series and nothing per line.

/** Sets and gauges are both exposed as gauges, but a set's size belongs to one interval. */
export type FamilyKind = 'counter' | 'gauge' | 'set' | 'summary' | 'histogram';

/** The bucket table a series comes from. */
export type StatsdKind = 'counter' | 'timer' | 'gauge' | 'set' | 'kv';

export type Label = readonly [name: string, value: string];

/** A summary's quantiles over a sliding window (statsd_exporter's) rather than the last interval. */
export interface WindowSettings {
  maxAgeMs: number;
  ageBuckets: number;
}

export interface SeriesPlan {
  /** The exposed family name. */
  family: string;
  kind: FamilyKind;
  /** What a counter's sample adds to the family name. */
  counterSuffix: '' | '_total';
  /** Sorted by name, each name once. */
  labels: Label[];
  /** HELP text of the family, if it is created by this series. */
  help: string;
  /** ms; 0 keeps the series forever. */
  ttlMs: number;
  /** Values are multiplied by this (a mapping's `scale`), then timers divided by their divisor. */
  scale: number;
  /** Timer samples sent as `ms`, and as `h`/`d`, are divided by these. */
  msDivisor: number;
  unitlessDivisor: number;
  /** Summary quantiles; histogram upper bounds (in the exposed unit). */
  quantiles: number[];
  buckets: number[] | null;
  /** null: summary quantiles over the last flush interval. */
  window: WindowSettings | null;
  /** Whether a mapping matched; null when the sink has no mapping config. */
  mapped: boolean | null;
  /** Tags that could not become labels (no name, or no value). */
  tagErrors: number;
}

/** A series that is not exposed: a mapping said `action: drop`, or its name came out empty. */
export interface NotExposed {
  dropped: 'action_drop' | 'empty_metric_name';
}

export interface SeriesNaming {
  plan(kind: StatsdKind, name: string, tags: string): SeriesPlan | NotExposed;
  /** How many mappings are loaded (statsd_exporter's loaded_mappings). */
  readonly mappings: number;
}

export function sortLabels(labels: Map<string, string>): Label[] {
  return [...labels].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
