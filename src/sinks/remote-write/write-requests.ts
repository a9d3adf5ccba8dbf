// The registry as remote-write requests. Each live series gives the samples a scrape of the
// Prometheus sink would read at that moment (series-samples.ts), stamped with the flush time, so
// counters stay cumulative `_total`s and timers summaries (or histograms). Requests hold about
// SERIES_PER_REQUEST time series, so none grows without bound.

import { SERIES_PER_SLICE } from '../../util/ingest-first-pacer.js';
import { formatValue } from '../prometheus/exposition.js';
import type { Label as SeriesLabel, SeriesRegistry } from '../prometheus/series-registry.js';
import { seriesSamples } from '../prometheus/series-samples.js';
import { encodeWriteRequest, type Label, type TimeSeries } from './write-request.js';

/** Prometheus's own default `max_samples_per_send`: receivers are tuned for requests this size. */
export const SERIES_PER_REQUEST = 2000;

/**
 * Calls `emit` with each encoded request and its number of time series; yields every
 * SERIES_PER_SLICE registry series so the caller can let the event loop run.
 */
export function* renderWriteRequests(
  registry: SeriesRegistry,
  timestampMs: number,
  now: number,
  emit: (body: Uint8Array, series: number) => void,
): Generator<void, void, void> {
  let batch: TimeSeries[] = [];
  let n = 0;
  for (const family of registry.families.values()) {
    for (const series of family.series.values()) {
      if (!registry.isLive(series, now)) continue;
      seriesSamples(registry, family, series, now, (name, label, bound, value) => {
        batch.push({ labels: labelsOf(name, series.labels, label, bound), samples: [{ value, timestamp: timestampMs }] });
      });
      if (batch.length >= SERIES_PER_REQUEST) {
        emit(encodeWriteRequest(batch), batch.length);
        batch = [];
      }
      if (++n % SERIES_PER_SLICE === 0) yield;
    }
  }
  if (batch.length > 0) emit(encodeWriteRequest(batch), batch.length);
}

/** `__name__`, the series' labels and the sample's own (`quantile`, `le`), sorted by name. */
function labelsOf(name: string, own: readonly SeriesLabel[], extra: string | null, bound: number): Label[] {
  const labels: Label[] = [{ name: '__name__', value: name }];
  for (const [n, v] of own) labels.push({ name: n, value: v });
  if (extra !== null) labels.push({ name: extra, value: formatValue(bound) });
  return labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
