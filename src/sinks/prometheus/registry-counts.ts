// What the registry counts about its own work, by statsd_exporter's categories (its
// `statsd_exporter_events_*` series; operational-series.ts exposes them). The exporter counts
// per line; the registry sees each series once per flush, so an event here is what the
// interval's aggregate stands for: a counter's or timer's sample count (Σ 1/rate, which for
// timers is the exporter's count exactly), one per gauge, set or kv series and flush.

export type EventType = 'counter' | 'gauge' | 'observer';

export class RegistryCounts {
  readonly events: Record<EventType, number> = { counter: 0, gauge: 0, observer: 0 };
  /** Events of series no mapping matched (only counted with a mapping config). */
  unmapped = 0;
  readonly actions = { map: 0, drop: 0 };
  readonly errors = { illegal_negative_counter: 0, empty_metric_name: 0 };
  readonly conflicts: Record<EventType, number> = { counter: 0, gauge: 0, observer: 0 };
  /** Tags that could not become labels, once per new series. */
  tagErrors = 0;
}
