// The Prometheus sink's state between scrapes. A StatsD bucket holds one interval, but Prometheus
// wants counters, and the sums and counts of summaries and histograms, cumulative — so each
// flush is added into long-lived series here, and scrapes read them.
//
// - What a StatsD series becomes (name, labels, type, units, window) is decided once, when the
//   series is first seen, by the naming of the compat mode (series-plan.ts), and remembered by
//   bucket key: a series seen before costs one lookup per flush.
// - One family per exposed name, one series per label set. StatsD names that come out as the
//   same name share a family; a series updated twice in a flush adds up (counters) or keeps the
//   later value.
// - A family has one type, and its samples may not collide with another family's (`x` as a
//   summary owns `x_sum` and `x_count`). An update that would break either is dropped, counted
//   as a conflict, and warned about once per name: Prometheus cannot expose it.
// - The same name with different label-name sets is kept: the exposition gives every series of
//   the family all the label names, missing ones empty (which Prometheus reads as absent).
// - A series not updated for its ttl leaves the exposition (and memory); with no ttl the
//   registry is bounded by `maxSeries`, past which new series are dropped and counted.

import type { Bucket } from '../../aggregate/bucket.js';
import type { Gauge } from '../../aggregate/gauge.js';
import { SeriesLimit, warnSeriesLimit } from '../../aggregate/series-limit.js';
import type { Timer } from '../../aggregate/timer.js';
import type { Logger } from '../../log/logger.js';
import { splitSeriesKey } from '../../model/series-key.js';
import { runPaced, SERIES_PER_SLICE } from '../../util/ingest-first-pacer.js';
import { ExporterNaming } from './exporter-naming.js';
import type { MappingConfig } from './mapping/mapping-config.js';
import { escapeLabelValue } from './names.js';
import { OpenMetricsNaming } from './openmetrics-naming.js';
import type { SeriesOptions } from './prometheus-options.js';
import { RegistryCounts, type EventType } from './registry-counts.js';
import type { FamilyKind, Label, NotExposed, SeriesNaming, SeriesPlan, StatsdKind, WindowSettings } from './series-plan.js';
import { SlidingWindow } from './sliding-window.js';
import { samplesAtOrBelow } from './timer-buckets.js';

export type { FamilyKind, Label } from './series-plan.js';

export interface Series {
  /** Sorted by name, each name once. */
  readonly labels: readonly Label[];
  /** The labels rendered, `a="1",b="2"` ('' for none); the series' key in its family. */
  readonly labelText: string;
  /** ms; the series leaves the exposition `ttlMs` after this. */
  updatedAt: number;
  ttlMs: number;
  /** The flush that last updated it: per-interval values show only until the next flush. */
  flush: number;
  /** counter: running total; gauge: last value; set: distinct members in its flush. */
  value: number;
  /** summary, histogram: running sum and count of observations. */
  sum: number;
  count: number;
  /** summary per interval: the quantiles of its flush; histogram: running count per bucket bound. */
  values: number[];
  /** summary with a window: the samples of the last maxAge, raw, and what to divide them by. */
  window: SlidingWindow | null;
  divisor: number;
  /** Timer samples sent as `ms`, and as `h`/`d`, are divided by these (series-plan.ts). */
  readonly msDivisor: number;
  readonly unitlessDivisor: number;
  /** Values are multiplied by this first (a mapping's scale). */
  readonly scale: number;
  /** Whether a mapping matched it (null: no mapping config). */
  readonly mapped: boolean | null;
  /** Removed for its ttl: a remembered lookup must not revive it. */
  expired: boolean;
  readonly family: Family;
}

export interface Family {
  /** The exposed name. */
  readonly name: string;
  readonly kind: FamilyKind;
  /** A counter's sample name is `name + counterSuffix`. */
  readonly counterSuffix: '' | '_total';
  readonly help: string;
  /** Summary quantiles; histogram bounds. */
  readonly quantiles: readonly number[];
  readonly buckets: readonly number[] | null;
  /** Summary quantiles over a sliding window; null: over the last flush interval. */
  readonly window: WindowSettings | null;
  /** The StatsD name that created the family, for warnings. */
  readonly source: string;
  readonly series: Map<string, Series>;
  /** Label names of the family's first series; another set makes the family mixed. */
  readonly labelNames: string;
  mixedLabels: boolean;
}

/** A bucket key whose series is not exposed (a mapping drops it), remembered like a series. */
const NOT_EXPOSED = null;

/** Once-per-name warnings remembered at most; past it they may repeat. */
const WARNED_LIMIT = 10_000;
/**
 * Dropped keys remembered at most: they are no series, so no ttl or max_series bounds them, and a
 * `drop` mapping for a name carrying a request id would grow them forever. Past it they are
 * forgotten, and mapped again when they come back.
 */
const NOT_EXPOSED_LIMIT = 100_000;

export class SeriesRegistry {
  readonly families = new Map<string, Family>();
  /** The last flush applied completely. */
  completedFlush = 0;
  /** Series updates taken in, and dropped (type clash, negative counter increment, series bound). */
  appliedUpdates = 0;
  rejectedUpdates = 0;
  /** What statsd_exporter counts about itself, for the operational series. */
  readonly counts = new RegistryCounts();
  private naming: SeriesNaming;
  private readonly warned = new Set<string>();
  /** Bucket key → series (or NOT_EXPOSED), per StatsD kind. */
  private readonly known = new Map<StatsdKind, Map<string, Series | typeof NOT_EXPOSED>>();
  /** Sample name → the family exposing it, to refuse a family whose samples would collide. */
  private readonly sampleOwners = new Map<string, Family>();
  private seriesTotal = 0;
  private notExposedKeys = 0;
  private limit: SeriesLimit;

  constructor(
    readonly options: SeriesOptions,
    private readonly log: Logger,
    /** Names the sink in warnings (the scrape endpoint's and remote write's registries differ). */
    private readonly sinkName = 'prometheus',
  ) {
    this.naming = this.namingFor(options.mapping);
    this.limit = new SeriesLimit(options.maxSeries);
  }

  /** How many mappings the sink's mapping config has. */
  get loadedMappings(): number {
    return this.naming.mappings;
  }

  /**
   * A reloaded mapping config: series met from now on are mapped with it; the ones already
   * exposed stay as they are (as in statsd_exporter) until their ttl, if they have one.
   */
  setMapping(mapping: MappingConfig | null): void {
    this.naming = this.namingFor(mapping);
    this.known.clear();
    this.notExposedKeys = 0;
  }

  isLive(series: Series, now: number): boolean {
    return series.ttlMs === 0 || now - series.updatedAt <= series.ttlMs;
  }

  /** Whether a series' per-interval values (set size, quantiles) are those of the latest flush. */
  isCurrent(series: Series): boolean {
    // During apply() the series it already updated carry the next flush number.
    return series.flush >= this.completedFlush;
  }

  /** Takes in one flush and drops expired series, pausing for ingest between slices. */
  async absorb(bucket: Bucket, now: number, signal?: AbortSignal): Promise<void> {
    await runPaced(this.apply(bucket, now), signal);
    await runPaced(this.expire(now));
  }

  *apply(bucket: Bucket, now: number): Generator<void, void, void> {
    const flush = this.completedFlush + 1;
    this.limit = new SeriesLimit(this.options.maxSeries);
    let n = 0;
    for (const [key, counter] of bucket.counters) {
      // Checked before the series is made: a counter that only ever went down is not exposed.
      if (counter.sum < 0) {
        this.counts.errors.illegal_negative_counter += counter.count;
        this.reject(key, `negative ${splitSeriesKey(key).name}`, 'negative counter increment dropped: a Prometheus counter only goes up');
      } else {
        const s = this.series('counter', key, now, flush, counter.count);
        if (s !== null) s.value += counter.sum * s.scale;
      }
      if (++n % SERIES_PER_SLICE === 0) yield;
    }
    for (const [key, timer] of bucket.timers) {
      const s = this.series('timer', key, now, flush, timer.count);
      if (s !== null) this.observe(s, timer, now);
      if (++n % SERIES_PER_SLICE === 0) yield;
    }
    for (const [key, gauge] of bucket.gauges) {
      const s = this.series('gauge', key, now, flush, 1);
      if (s !== null) this.setGauge(s, gauge);
      if (++n % SERIES_PER_SLICE === 0) yield;
    }
    for (const [key, set] of bucket.sets) {
      const s = this.series('set', key, now, flush, 1);
      if (s !== null) s.value = set.size();
      if (++n % SERIES_PER_SLICE === 0) yield;
    }
    for (const [key, kv] of bucket.keyValues) {
      // A gauge of the newest value: Prometheus samples a value, it has no use for the list.
      const s = this.series('kv', key, now, flush, 1);
      if (s !== null) s.value = kv.values[kv.values.length - 1] * s.scale;
      if (++n % SERIES_PER_SLICE === 0) yield;
    }
    warnSeriesLimit(this.limit, this.log, `sink ${this.sinkName} max_series`);
    this.completedFlush = flush;
  }

  /** Removes series past their ttl, and families left empty. */
  *expire(now: number): Generator<void, void, void> {
    let n = 0;
    for (const [name, family] of this.families) {
      for (const [key, series] of family.series) {
        if (!this.isLive(series, now)) {
          series.expired = true;
          family.series.delete(key);
          this.seriesTotal--;
        }
        if (++n % SERIES_PER_SLICE === 0) yield;
      }
      if (family.series.size === 0) this.removeFamily(name, family);
    }
    for (const known of this.known.values()) {
      for (const [key, series] of known) {
        if (series !== NOT_EXPOSED && series.expired) known.delete(key);
        if (++n % SERIES_PER_SLICE === 0) yield;
      }
    }
  }

  /** Series exposed right now. */
  seriesCount(): number {
    return this.seriesTotal;
  }

  /** A summary series' quantile values as exposed right now. */
  quantiles(family: Family, series: Series, now: number): number[] {
    if (series.window === null) return this.isCurrent(series) ? series.values : family.quantiles.map(() => NaN);
    const raw = series.window.quantiles(family.quantiles, now);
    return raw.map((v) => (v * series.scale) / series.divisor);
  }

  private observe(series: Series, timer: Timer, now: number): void {
    series.divisor = timer.unitless ? series.unitlessDivisor : series.msDivisor;
    const factor = series.scale / series.divisor;
    // Sample rates: `count` is Σ int(1/rate) — each sampled line observed int(1/rate) times, as
    // the exporter does — while `sum` adds each received value once, so it is scaled to match.
    const perSample = timer.samples > 0 ? timer.count / timer.samples : 0;
    series.count += timer.count;
    series.sum += ((timer.sum * series.scale) / series.divisor) * perSample;
    const family = series.family;
    if (family.kind === 'summary') {
      if (series.window !== null) series.window.add(timer, now);
      else series.values = family.quantiles.map((q) => timer.quantile(q) * factor);
      return;
    }
    const bounds = family.buckets!;
    for (let i = 0; i < bounds.length; i++) {
      series.values[i] += Math.round(samplesAtOrBelow(timer, bounds[i] / series.scale, series.divisor) * perSample);
    }
  }

  private setGauge(series: Series, gauge: Gauge): void {
    const value = gauge.value * series.scale;
    // statsd_exporter's gauges live on: a `+N`/`-N` moves the exposed value, whatever the
    // bucket started from. openmetrics takes the bucket's value as it is.
    if (this.options.compat === 'statsd_exporter' && gauge.deltasOnly) series.value += value;
    else series.value = value;
  }

  /**
   * The series for a bucket key, marked updated; null when it is not exposed (a mapping drops
   * it, a conflict, the series bound). `events` counts what the update stands for.
   */
  private series(kind: StatsdKind, key: string, now: number, flush: number, events: number): Series | null {
    let known = this.known.get(kind);
    if (known === undefined) this.known.set(kind, (known = new Map()));
    let series = known.get(key);
    if (series === NOT_EXPOSED) {
      this.counts.actions.drop += events;
      return null;
    }
    const type = eventType(kind);
    if (series === undefined || series.expired) {
      const found = this.findOrCreate(kind, key, now, flush, type, events);
      if (found === null) return null;
      if (found === NOT_EXPOSED) {
        this.rememberNotExposed(known, key);
        return null;
      }
      known.set(key, (series = found));
    }
    series.updatedAt = now;
    series.flush = flush;
    this.appliedUpdates++;
    this.counts.events[type] += events;
    if (series.mapped === true) this.counts.actions.map += events;
    else if (series.mapped === false) this.counts.unmapped += events;
    return series;
  }

  private findOrCreate(
    kind: StatsdKind, key: string, now: number, flush: number, type: EventType, events: number,
  ): Series | typeof NOT_EXPOSED | null {
    const { name, tags } = splitSeriesKey(key);
    const plan = this.naming.plan(kind, name, tags);
    if (isNotExposed(plan)) {
      if (plan.dropped === 'action_drop') {
        this.counts.actions.drop += events;
        return NOT_EXPOSED;
      }
      this.counts.errors.empty_metric_name += events;
      this.reject(key, `empty ${name}`, 'the mapping gives this metric an empty name: dropped');
      return null;
    }
    const labelNames = plan.labels.map((l) => l[0]).join(',');
    let family = this.families.get(plan.family);
    const clash = family === undefined ? this.collision(plan) : family.kind !== plan.kind ? family : null;
    if (clash !== null) {
      this.counts.conflicts[type] += events;
      const why = clash.name === plan.family ? 'the name is already a' : `its samples would collide with those of the`;
      this.reject(
        key,
        `${plan.kind} ${plan.family}`,
        `${plan.kind} dropped: ${why} ${clash.kind} ${clash.name} (${clash.source}); Prometheus allows one type per name`,
      );
      return null;
    }
    const labelText = plan.labels.map(([n, v]) => `${n}="${escapeLabelValue(v)}"`).join(',');
    const existing = family?.series.get(labelText);
    if (existing !== undefined) return existing;
    if (!this.limit.allows(this.seriesTotal)) {
      this.limit.recordDrop(key);
      this.rejectedUpdates++;
      return null;
    }
    if (family === undefined) {
      family = {
        name: plan.family, kind: plan.kind, counterSuffix: plan.counterSuffix, help: plan.help,
        quantiles: plan.quantiles, buckets: plan.buckets, window: plan.kind === 'summary' ? plan.window : null,
        source: name, series: new Map(), labelNames, mixedLabels: false,
      };
      this.families.set(plan.family, family);
      for (const sample of sampleNames(family)) this.sampleOwners.set(sample, family);
    }
    const series = this.newSeries(family, plan, labelText, now, flush);
    family.series.set(labelText, series);
    this.seriesTotal++;
    this.counts.tagErrors += plan.tagErrors;
    if (labelNames !== family.labelNames && !family.mixedLabels) {
      family.mixedLabels = true;
      this.warnOnce(`labels ${plan.family}`, { metric: plan.family, labels: family.labelNames, otherLabels: labelNames },
        'one metric name sent with different tag names: every series is exposed with all of them, missing ones empty');
    }
    return series;
  }

  private rememberNotExposed(known: Map<string, Series | typeof NOT_EXPOSED>, key: string): void {
    if (++this.notExposedKeys > NOT_EXPOSED_LIMIT) {
      for (const table of this.known.values()) {
        for (const [k, v] of table) if (v === NOT_EXPOSED) table.delete(k);
      }
      this.notExposedKeys = 1;
    }
    known.set(key, NOT_EXPOSED);
  }

  private newSeries(family: Family, plan: SeriesPlan, labelText: string, now: number, flush: number): Series {
    return {
      labels: plan.labels, labelText, updatedAt: now, ttlMs: plan.ttlMs, flush, value: 0, sum: 0, count: 0,
      values: family.kind === 'histogram' ? new Array<number>(family.buckets!.length).fill(0) : [],
      window: family.window === null ? null : new SlidingWindow(family.window, now),
      divisor: plan.msDivisor, msDivisor: plan.msDivisor, unitlessDivisor: plan.unitlessDivisor, scale: plan.scale,
      mapped: plan.mapped, expired: false, family,
    };
  }

  /**
   * The family a new family `plan` would collide with: one exposing a sample of the same name
   * (a counter `x_sum` beside the summary `x`), or one whose name is among the new one's samples.
   */
  private collision(plan: SeriesPlan): Family | null {
    for (const sample of [plan.family, ...sampleNames({ name: plan.family, kind: plan.kind, counterSuffix: plan.counterSuffix })]) {
      const owner = this.sampleOwners.get(sample) ?? this.families.get(sample);
      if (owner !== undefined) return owner;
    }
    return null;
  }

  private removeFamily(name: string, family: Family): void {
    this.families.delete(name);
    for (const sample of sampleNames(family)) if (this.sampleOwners.get(sample) === family) this.sampleOwners.delete(sample);
  }

  private namingFor(mapping: MappingConfig | null): SeriesNaming {
    return this.options.compat === 'statsd_exporter' ? new ExporterNaming(this.options, mapping) : new OpenMetricsNaming(this.options);
  }

  /** Counts a dropped update; warns once per `warnKey`. */
  private reject(key: string, warnKey: string, message: string): void {
    this.rejectedUpdates++;
    this.warnOnce(warnKey, { metric: splitSeriesKey(key).name }, message);
  }

  private warnOnce(key: string, fields: object, message: string): void {
    if (this.warned.has(key)) return;
    if (this.warned.size >= WARNED_LIMIT) this.warned.clear();
    this.warned.add(key);
    this.log.warn({ sink: this.sinkName, ...fields }, message);
  }
}

function isNotExposed(plan: SeriesPlan | NotExposed): plan is NotExposed {
  return 'dropped' in plan;
}

function eventType(kind: StatsdKind): EventType {
  return kind === 'counter' ? 'counter' : kind === 'timer' ? 'observer' : 'gauge';
}

/** The sample names a family writes (series-samples.ts). */
export function sampleNames(family: Pick<Family, 'name' | 'kind' | 'counterSuffix'>): string[] {
  const name = family.name;
  switch (family.kind) {
    case 'counter':
      return [name + family.counterSuffix];
    case 'summary':
      return [name, `${name}_sum`, `${name}_count`];
    case 'histogram':
      return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
    default:
      return [name];
  }
}
