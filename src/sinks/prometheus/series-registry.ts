// The Prometheus sink's state between scrapes. A StatsD bucket holds one interval, but Prometheus
// wants counters, and the sums and counts of summaries and histograms, cumulative — so each
// flush is added into long-lived series here, and scrapes read them.
//
// - One family per exposed name, one series per label set. StatsD names that sanitise to the
//   same name share a family (names.ts); a series updated twice in a flush adds up (counters)
//   or keeps the later value.
// - A family has one type. An update of another type under the same name is dropped, counted,
//   and warned about once per name: Prometheus cannot expose two types under one name.
// - The same name with different label-name sets is kept, unlike statsd_exporter: the
//   exposition gives every series of the family all the label names, missing ones empty.
//   Warned about once per name.
// - A series not updated for `ttl` leaves the exposition (and memory).

import type { Bucket } from '../../aggregate/bucket.js';
import type { Timer } from '../../aggregate/timer.js';
import type { Logger } from '../../log/logger.js';
import { SERIES_PER_SLICE } from '../../util/ingest-first-pacer.js';
import { splitSeriesKey } from '../../model/series-key.js';
import { tagPairs } from '../../model/series-key.js';
import { escapeLabelValue, labelName, metricName, withoutSuffix, withSuffix } from './names.js';
import type { SeriesOptions } from './prometheus-options.js';
import { samplesAtOrBelow } from './timer-buckets.js';
import { runPaced } from '../../util/ingest-first-pacer.js';

/** Sets and gauges are both exposed as gauges, but a set's size belongs to one interval. */
export type FamilyKind = 'counter' | 'gauge' | 'set' | 'summary' | 'histogram';

export type Label = readonly [name: string, value: string];

export interface Series {
  /** Sorted by name, each name once. */
  readonly labels: readonly Label[];
  /** The labels rendered, `a="1",b="2"` ('' for none); the series' key in its family. */
  readonly labelText: string;
  /** ms; the series leaves the exposition `ttl` after this. */
  updatedAt: number;
  /** The flush that last updated it: per-interval values show only until the next flush. */
  flush: number;
  /** counter: running total; gauge: last value; set: distinct members in its flush. */
  value: number;
  /** summary, histogram: running sum and count of observations. */
  sum: number;
  count: number;
  /** summary: the quantiles of its flush; histogram: running count per bucket bound. */
  values: number[];
  /** Removed for its ttl: a remembered lookup must not revive it. */
  expired: boolean;
}

export interface Family {
  /** The exposed name; a counter's samples add `_total`. */
  readonly name: string;
  readonly kind: FamilyKind;
  /** The StatsD name that created the family, for HELP. */
  readonly source: string;
  readonly series: Map<string, Series>;
  /** Label names of the family's first series; another set makes the family mixed. */
  readonly labelNames: string;
  mixedLabels: boolean;
}

/** Once-per-name warnings remembered at most; past it they may repeat. */
const WARNED_LIMIT = 10_000;

export class SeriesRegistry {
  readonly families = new Map<string, Family>();
  /** The last flush applied completely. */
  completedFlush = 0;
  /** Series updates taken in, and dropped (type clash, negative counter increment). */
  appliedUpdates = 0;
  rejectedUpdates = 0;
  private readonly warned = new Set<string>();
  /**
   * Bucket key → series, per kind: a series seen before costs one lookup per flush instead of
   * sanitising its name and labels again (most series come back every interval).
   */
  private readonly known = new Map<FamilyKind, Map<string, Series>>();
  /** Timer values are divided by this (1000: milliseconds to seconds). */
  private readonly divisor: number;

  constructor(
    readonly options: SeriesOptions,
    private readonly log: Logger,
    /** Names the sink in warnings (the scrape endpoint's and remote write's registries differ). */
    private readonly sinkName = 'prometheus',
  ) {
    this.divisor = options.timerUnit === 'seconds' ? 1000 : 1;
  }

  isLive(series: Series, now: number): boolean {
    return this.options.ttlMs === 0 || now - series.updatedAt <= this.options.ttlMs;
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
    let n = 0;
    for (const [key, counter] of bucket.counters) {
      if (counter.sum < 0) {
        this.reject(key, `negative ${splitSeriesKey(key).name}`, 'negative counter increment dropped: a Prometheus counter only goes up');
      } else {
        const s = this.series('counter', key, now, flush);
        if (s !== null) s.value += counter.sum;
      }
      if (++n % SERIES_PER_SLICE === 0) yield;
    }
    for (const [key, timer] of bucket.timers) {
      const s = this.series(this.options.histogramBuckets === null ? 'summary' : 'histogram', key, now, flush);
      if (s !== null) this.observe(s, timer);
      if (++n % SERIES_PER_SLICE === 0) yield;
    }
    for (const [key, gauge] of bucket.gauges) {
      const s = this.series('gauge', key, now, flush);
      if (s !== null) s.value = gauge.value;
      if (++n % SERIES_PER_SLICE === 0) yield;
    }
    for (const [key, set] of bucket.sets) {
      const s = this.series('set', key, now, flush);
      if (s !== null) s.value = set.size();
      if (++n % SERIES_PER_SLICE === 0) yield;
    }
    for (const [key, kv] of bucket.keyValues) {
      // A gauge of the newest value: Prometheus samples a value, it has no use for the list.
      const s = this.series('gauge', key, now, flush);
      if (s !== null) s.value = kv.values[kv.values.length - 1];
      if (++n % SERIES_PER_SLICE === 0) yield;
    }
    this.completedFlush = flush;
  }

  /** Removes series past their ttl, and families left empty. */
  *expire(now: number): Generator<void, void, void> {
    if (this.options.ttlMs === 0) return;
    let n = 0;
    for (const [name, family] of this.families) {
      for (const [key, series] of family.series) {
        if (!this.isLive(series, now)) {
          series.expired = true;
          family.series.delete(key);
        }
        if (++n % SERIES_PER_SLICE === 0) yield;
      }
      if (family.series.size === 0) this.families.delete(name);
    }
    for (const known of this.known.values()) {
      for (const [key, series] of known) {
        if (series.expired) known.delete(key);
        if (++n % SERIES_PER_SLICE === 0) yield;
      }
    }
  }

  /** Series exposed right now. */
  seriesCount(): number {
    let n = 0;
    for (const family of this.families.values()) n += family.series.size;
    return n;
  }

  private observe(series: Series, timer: Timer): void {
    // Sample rates: `count` is Σ 1/rate while `sum` adds each received value once, so the sum
    // is scaled by the same factor to keep `_sum / _count` the mean.
    const perSample = timer.samples > 0 ? timer.count / timer.samples : 0;
    series.count += timer.count;
    series.sum += (timer.sum / this.divisor) * perSample;
    const bounds = this.options.histogramBuckets;
    if (bounds === null) {
      series.values = this.options.quantiles.map((q) => timer.quantile(q) / this.divisor);
    } else {
      for (let i = 0; i < bounds.length; i++) {
        series.values[i] += Math.round(samplesAtOrBelow(timer, bounds[i], this.divisor) * perSample);
      }
    }
  }

  /** The series for a bucket key, marked updated; null if the name has a family of another kind. */
  private series(kind: FamilyKind, key: string, now: number, flush: number): Series | null {
    let known = this.known.get(kind);
    if (known === undefined) this.known.set(kind, (known = new Map()));
    let series: Series | null | undefined = known.get(key);
    if (series === undefined || series.expired) {
      series = this.findOrCreate(kind, key, now, flush);
      if (series === null) return null;
      known.set(key, series);
    }
    series.updatedAt = now;
    series.flush = flush;
    this.appliedUpdates++;
    return series;
  }

  private findOrCreate(kind: FamilyKind, key: string, now: number, flush: number): Series | null {
    const { name, tags } = splitSeriesKey(key);
    const familyName = this.familyName(kind, name);
    const labels = toLabels(tags);
    const labelNames = labels.map((l) => l[0]).join(',');
    let family = this.families.get(familyName);
    if (family === undefined) {
      family = { name: familyName, kind, source: name, series: new Map(), labelNames, mixedLabels: false };
      this.families.set(familyName, family);
    } else if (family.kind !== kind) {
      this.reject(
        key,
        `${kind} ${familyName}`,
        `${kind} dropped: the name is already a ${family.kind} (${family.source}); Prometheus allows one type per name`,
      );
      return null;
    }
    const labelText = labels.map(([n, v]) => `${n}="${escapeLabelValue(v)}"`).join(',');
    let series = family.series.get(labelText);
    if (series === undefined) {
      const values = kind === 'histogram' ? new Array<number>(this.options.histogramBuckets!.length).fill(0) : [];
      series = { labels, labelText, updatedAt: now, flush, value: 0, sum: 0, count: 0, values, expired: false };
      family.series.set(labelText, series);
      if (labelNames !== family.labelNames && !family.mixedLabels) {
        family.mixedLabels = true;
        this.warnOnce(`labels ${familyName}`, { metric: familyName, labels: family.labelNames, otherLabels: labelNames },
          'one metric name sent with different tag names: every series is exposed with all of them, missing ones empty');
      }
    }
    return series;
  }

  private familyName(kind: FamilyKind, statsdName: string): string {
    const name = metricName(statsdName);
    if (kind === 'counter') return withoutSuffix(name, '_total');
    if ((kind === 'summary' || kind === 'histogram') && this.divisor === 1000) return withSuffix(name, '_seconds');
    return name;
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
  return [...byName].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
