// `compat = "statsd_exporter"`: what statsd_exporter (pkg/exporter, pkg/line) exposes for a
// series, mapping config included:
// - the mapping's name and labels if one matches (`action: drop` drops the series), else the
//   StatsD name; either escaped with the exporter's rule (names.ts: exporterName);
// - tags become labels with escaped names; a tag without a name or a value is a tag error and
//   left out, as the exporter does; label names the exporter would pass through to its own
//   failure (`__…`, `quantile`, `le`) get an `exported_` prefix instead;
// - a mapping's labels win over the line's tags, unless it says `honor_labels`;
// - counters keep their name; `ms` timers are divided by 1000, `h` and `d` are not; timers are
//   summaries over a sliding window (10 minutes in 5 age buckets), or histograms where the
//   mapping (or the sink's `histogram_buckets`) says so.

import { tagPairs } from '../../model/series-key.js';
import { MetricMapper, type MappedName } from './mapping/metric-mapper.js';
import { NO_MAPPING_DEFAULTS, type MappingConfig, type MatchMetricType } from './mapping/mapping-config.js';
import { exporterName, guardLabel } from './names.js';
import type { SeriesOptions } from './prometheus-options.js';
import { sortLabels, type FamilyKind, type NotExposed, type SeriesNaming, type SeriesPlan, type StatsdKind } from './series-plan.js';

const MATCH_TYPES: Record<StatsdKind, MatchMetricType> = {
  counter: 'counter', timer: 'observer', gauge: 'gauge', set: 'gauge', kv: 'gauge',
};

export class ExporterNaming implements SeriesNaming {
  private readonly mapper: MetricMapper | null;

  constructor(
    private readonly options: SeriesOptions,
    private readonly config: MappingConfig | null = options.mapping,
  ) {
    this.mapper = config === null ? null : new MetricMapper(config);
  }

  get mappings(): number {
    return this.mapper?.size ?? 0;
  }

  plan(statsdKind: StatsdKind, name: string, tags: string): SeriesPlan | NotExposed {
    const mapped = this.mapper?.map(name, MATCH_TYPES[statsdKind]) ?? null;
    if (mapped?.mapping.action === 'drop') return { dropped: 'action_drop' };
    if (mapped !== null && mapped.name === '') return { dropped: 'empty_metric_name' };
    const { labels, tagErrors } = this.labels(tags, mapped);
    const kind = this.kind(statsdKind, mapped);
    const summary = mapped?.mapping.summary ?? this.defaultSummary();
    return {
      family: exporterName(mapped?.name ?? name),
      kind,
      counterSuffix: '',
      labels,
      help: mapped?.mapping.help ?? `StatsD ${statsdKind} ${name}`,
      ttlMs: mapped?.mapping.ttlMs || this.config?.defaults.ttlMs || this.options.ttlMs,
      scale: mapped?.mapping.scale ?? 1,
      msDivisor: 1000,
      unitlessDivisor: 1,
      quantiles: summary.quantiles.map((o) => o.quantile),
      buckets: kind === 'histogram' ? (mapped?.mapping.buckets ?? this.defaultBuckets()) : null,
      window: { maxAgeMs: summary.maxAgeMs, ageBuckets: summary.ageBuckets },
      mapped: this.mapper === null ? null : mapped !== null,
      tagErrors,
    };
  }

  private kind(statsdKind: StatsdKind, mapped: MappedName | null): FamilyKind {
    if (statsdKind === 'counter') return 'counter';
    if (statsdKind === 'set') return 'set';
    if (statsdKind !== 'timer') return 'gauge';
    if (mapped !== null) return mapped.mapping.observerType;
    if (this.config !== null) return this.config.defaults.observerType;
    return this.options.histogramBuckets === null ? 'summary' : 'histogram';
  }

  private labels(tags: string, mapped: MappedName | null): { labels: SeriesPlan['labels']; tagErrors: number } {
    const byName = new Map<string, string>();
    let tagErrors = 0;
    for (const [n, v] of tagPairs(tags)) {
      if (n === '' || v === '') {
        tagErrors++;
        continue;
      }
      const label = guardLabel(exporterName(n));
      if (!byName.has(label)) byName.set(label, v);
    }
    if (mapped !== null) {
      for (const [n, v] of mapped.labels) {
        const label = guardLabel(n);
        if (mapped.mapping.honorLabels && byName.has(label)) continue;
        byName.set(label, v);
      }
    }
    return { labels: sortLabels(byName), tagErrors };
  }

  /** Without a mapping file the sink's `quantiles` stand in for the exporter's defaults. */
  private defaultSummary(): MappingConfig['defaults']['summary'] {
    if (this.config !== null) return this.config.defaults.summary;
    const base = NO_MAPPING_DEFAULTS.summary;
    const objectives = this.options.quantiles.map(
      (quantile) => base.quantiles.find((o) => o.quantile === quantile) ?? { quantile, error: 0 },
    );
    return { ...base, quantiles: objectives };
  }

  private defaultBuckets(): number[] {
    return this.config?.defaults.buckets ?? this.options.histogramBuckets ?? NO_MAPPING_DEFAULTS.buckets;
  }
}
