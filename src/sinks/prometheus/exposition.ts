// The registry as Prometheus text exposition format 0.0.4, or OpenMetrics 1.0 when the scraper
// asks for it (compat openmetrics only: OpenMetrics would force `_total` on the counters
// statsd_exporter exposes without it). The two differ where it matters here:
// - in openmetrics compat a counter's samples are `NAME_total` in both, so a Prometheus gets the
//   same series whichever format it negotiates; OpenMetrics names the family `NAME`, 0.0.4
//   `NAME_total`;
// - OpenMetrics ends with `# EOF`, escapes `"` in HELP and writes integral `le`/`quantile`
//   label values as `1.0`.
// HELP and TYPE come once per family, before its first live series.

import { SERIES_PER_SLICE } from '../../util/ingest-first-pacer.js';
import { escapeHelp, escapeLabelValue } from './names.js';
import type { Family, FamilyKind, Series, SeriesRegistry } from './series-registry.js';
import { seriesSamples } from './series-samples.js';

export type ExpositionFormat = 'text' | 'openmetrics';

export const CONTENT_TYPES: Record<ExpositionFormat, string> = {
  text: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

/** OpenMetrics when Accept lists application/openmetrics-text (q > 0), as Prometheus does; else 0.0.4. */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  for (const range of (accept ?? '').split(',')) {
    const [type, ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    if (type !== 'application/openmetrics-text') continue;
    const q = params.find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return 'openmetrics';
  }
  return 'text';
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

const TYPES: Record<FamilyKind, string> = { counter: 'counter', gauge: 'gauge', set: 'gauge', summary: 'summary', histogram: 'histogram' };

/**
 * The exposition in chunks of about SERIES_PER_SLICE series, so the caller can let the event
 * loop run between them. Series past their ttl are left out; `trailer` (families of their own)
 * comes last.
 */
export function* renderExposition(
  registry: SeriesRegistry, format: ExpositionFormat, now: number, trailer = '',
): Generator<string, void, void> {
  const writer = new FamilyWriter(registry, format === 'openmetrics');
  let out = '';
  let n = 0;
  for (const family of registry.families.values()) {
    const union = family.mixedLabels ? labelUnion(family, registry, now) : null;
    let first = true;
    for (const series of family.series.values()) {
      if (!registry.isLive(series, now)) continue;
      if (first) out += writer.header(family);
      first = false;
      out += writer.samples(family, series, now, union === null ? series.labelText : labelsOver(series, union));
      if (++n % SERIES_PER_SLICE === 0) {
        yield out;
        out = '';
      }
    }
  }
  out += trailer;
  if (format === 'openmetrics') out += '# EOF\n';
  yield out;
}

class FamilyWriter {
  constructor(
    private readonly registry: SeriesRegistry,
    private readonly om: boolean,
  ) {}

  header(family: Family): string {
    // In 0.0.4 a family is named after its samples; OpenMetrics names a counter without `_total`.
    const name = family.kind === 'counter' && !this.om ? family.name + family.counterSuffix : family.name;
    return `# HELP ${name} ${escapeHelp(family.help, this.om)}\n# TYPE ${name} ${TYPES[family.kind]}\n`;
  }

  samples(family: Family, series: Series, now: number, labels: string): string {
    let out = '';
    seriesSamples(this.registry, family, series, now, (name, label, bound, value) => {
      out += sample(name, label === null ? labels : withLabel(labels, label, this.number(bound)), value);
    });
    return out;
  }

  /** A `le` or `quantile` value; OpenMetrics wants integral ones as `1.0`. */
  private number(x: number): string {
    return this.om && Number.isInteger(x) ? x.toFixed(1) : formatValue(x);
  }
}

function sample(name: string, labels: string, value: number): string {
  return labels === '' ? `${name} ${formatValue(value)}\n` : `${name}{${labels}} ${formatValue(value)}\n`;
}

function withLabel(labels: string, name: string, value: string): string {
  return labels === '' ? `${name}="${value}"` : `${labels},${name}="${value}"`;
}

/** Every label name among the family's live series, sorted. */
function labelUnion(family: Family, registry: SeriesRegistry, now: number): string[] {
  const names = new Set<string>();
  for (const series of family.series.values()) {
    if (registry.isLive(series, now)) for (const [name] of series.labels) names.add(name);
  }
  return [...names].sort();
}

/** A series' labels over all of `names`, '' for the ones it lacks. */
function labelsOver(series: Series, names: readonly string[]): string {
  const own = new Map(series.labels);
  return names.map((n) => `${n}="${escapeLabelValue(own.get(n) ?? '')}"`).join(',');
}
