// `compat = "openmetrics"` (and remote write): this sink's own scheme, with names that read the
// same in both exposition formats — counters end in `_total`, timers optionally in seconds with a
// `_seconds` suffix, bare tags become `"true"` labels. docs/prometheus.md has the table.

import { tagPairs } from '../../model/series-key.js';
import { labelName, metricName, withoutSuffix, withSuffix } from './names.js';
import type { SeriesOptions } from './prometheus-options.js';
import { sortLabels, type FamilyKind, type Label, type SeriesNaming, type SeriesPlan, type StatsdKind } from './series-plan.js';

const KINDS: Record<StatsdKind, FamilyKind> = { counter: 'counter', timer: 'summary', gauge: 'gauge', set: 'set', kv: 'gauge' };

export class OpenMetricsNaming implements SeriesNaming {
  readonly mappings = 0;
  private readonly divisor: number;

  constructor(private readonly options: SeriesOptions) {
    this.divisor = options.timerUnit === 'seconds' ? 1000 : 1;
  }

  plan(statsdKind: StatsdKind, name: string, tags: string): SeriesPlan {
    const histogram = statsdKind === 'timer' && this.options.histogramBuckets !== null;
    const kind = histogram ? 'histogram' : KINDS[statsdKind];
    return {
      family: this.familyName(kind, name),
      kind,
      counterSuffix: '_total',
      labels: toLabels(tags),
      help: this.help(kind, name),
      ttlMs: this.options.ttlMs,
      scale: 1,
      msDivisor: this.divisor,
      unitlessDivisor: this.divisor,
      quantiles: this.options.quantiles,
      buckets: this.options.histogramBuckets,
      window: null,
      mapped: null,
      tagErrors: 0,
    };
  }

  private familyName(kind: FamilyKind, statsdName: string): string {
    const name = metricName(statsdName);
    if (kind === 'counter') return withoutSuffix(name, '_total');
    if ((kind === 'summary' || kind === 'histogram') && this.divisor === 1000) return withSuffix(name, '_seconds');
    return name;
  }

  private help(kind: FamilyKind, source: string): string {
    switch (kind) {
      case 'counter':
        return `StatsD counter ${source}`;
      case 'gauge':
        return `StatsD gauge ${source}`;
      case 'set':
        return `StatsD set ${source}: distinct members in the last flush interval`;
      default: {
        const unit = this.divisor === 1000 ? ', in seconds' : '';
        const quantiles = kind === 'summary' ? '; quantiles over the last flush interval' : '';
        return `StatsD timer ${source}${unit}${quantiles}`;
      }
    }
  }
}

/**
 * A canonical tag list as labels: names sanitised, a bare tag `canary` as `canary="true"` (an
 * empty label value would mean "no label" to Prometheus), sorted, and the first of several tags
 * that sanitise to one name kept.
 */
function toLabels(tags: string): Label[] {
  if (tags === '') return [];
  const byName = new Map<string, string>();
  for (const [n, v] of tagPairs(tags)) {
    const name = labelName(n);
    if (!byName.has(name)) byName.set(name, v === '' ? 'true' : v);
  }
  return sortLabels(byName);
}
