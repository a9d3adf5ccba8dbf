// The samples one registry series stands for. The scrape exposition and remote write both take
// them from here, so a Prometheus gets the same series whichever way the data reaches it:
// - counter: `NAME_total` (openmetrics) or `NAME` (statsd_exporter), the running total;
// - gauge: `NAME`; set: `NAME`, its size in the latest flush (0 once a flush passed without it);
// - summary: `NAME{quantile="Q"}` per quantile (over the last flush interval, NaN once a flush
//   passed without samples; or over the sliding window), `NAME_sum`, `NAME_count`;
// - histogram: `NAME_bucket{le="B"}` per bound and `le="+Inf"`, `NAME_sum`, `NAME_count`.

import type { Family, Series, SeriesRegistry } from './series-registry.js';

/** `label` is the one label a sample adds to the series' own (`quantile` or `le`), with `bound` its value. */
export type SampleSink = (name: string, label: 'quantile' | 'le' | null, bound: number, value: number) => void;

export function seriesSamples(registry: SeriesRegistry, family: Family, series: Series, now: number, emit: SampleSink): void {
  const name = family.name;
  const current = registry.isCurrent(series);
  switch (family.kind) {
    case 'counter':
      emit(name + family.counterSuffix, null, 0, series.value);
      return;
    case 'gauge':
      emit(name, null, 0, series.value);
      return;
    case 'set':
      emit(name, null, 0, current ? series.value : 0);
      return;
    case 'summary': {
      const quantiles = family.quantiles;
      const values = registry.quantiles(family, series, now);
      for (let i = 0; i < quantiles.length; i++) emit(name, 'quantile', quantiles[i], values[i]);
      break;
    }
    case 'histogram': {
      const bounds = family.buckets!;
      for (let i = 0; i < bounds.length; i++) emit(name + '_bucket', 'le', bounds[i], series.values[i]);
      emit(name + '_bucket', 'le', Infinity, series.count);
      break;
    }
  }
  emit(name + '_sum', null, 0, series.sum);
  emit(name + '_count', null, 0, series.count);
}
