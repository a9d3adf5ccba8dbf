// statsd_exporter's own series, which its users graph and alert on, under the same names with
// `statsite_ts_` for `statsd_exporter_` and the same labels (docs/statsd-exporter.md has the
// table). The registry's counts cover the events (registry-counts.ts); the server's `/stats`
// counts cover lines, packets, connections and parse errors.

import { formatValue } from './exposition.js';
import type { RegistryCounts } from './registry-counts.js';
import type { FamilyKind } from './series-plan.js';

/** The server's cumulative `/stats` counts (`lines.udp`, `parse_errors.bad_value`, …). */
export type ServerCounts = () => Readonly<Record<string, number>>;

type Samples = Array<[labels: string, value: number]>;

function family(name: string, type: 'counter' | 'gauge', help: string, samples: Samples): string {
  let out = `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
  for (const [labels, value] of samples) out += `${name}${labels === '' ? '' : `{${labels}}`} ${formatValue(value)}\n`;
  return out;
}

const byLabel = (label: string, values: Record<string, number>): Samples =>
  Object.entries(values).map(([k, v]) => [`${label}="${k}"`, v]);

export function renderOperationalSeries(
  counts: RegistryCounts,
  familiesByKind: Readonly<Record<FamilyKind, number>>,
  loadedMappings: number,
  server: Readonly<Record<string, number>>,
): string {
  const n = (key: string): number => server[key] ?? 0;
  const sampleErrors: Record<string, number> = {};
  for (const [key, value] of Object.entries(server)) {
    if (key.startsWith('parse_errors.') && key !== 'parse_errors.total') sampleErrors[key.slice('parse_errors.'.length)] = value;
  }
  const metrics = {
    counter: familiesByKind.counter,
    gauge: familiesByKind.gauge + familiesByKind.set,
    summary: familiesByKind.summary,
    histogram: familiesByKind.histogram,
  };
  return [
    family('statsite_ts_events_total', 'counter', 'The total number of StatsD events seen.', byLabel('type', counts.events)),
    family('statsite_ts_events_unmapped_total', 'counter', 'The total number of StatsD events no mapping was found for.', [['', counts.unmapped]]),
    family('statsite_ts_events_actions_total', 'counter', 'The total number of StatsD events by action.', byLabel('action', counts.actions)),
    family('statsite_ts_events_error_total', 'counter', 'The total number of StatsD events discarded due to errors.', byLabel('reason', counts.errors)),
    family('statsite_ts_events_conflict_total', 'counter', 'The total number of StatsD events with conflicting names.', byLabel('type', counts.conflicts)),
    family('statsite_ts_lines_total', 'counter', 'The total number of StatsD lines received.', [['', n('lines.udp') + n('lines.tcp') + n('lines.stdin')]]),
    family('statsite_ts_udp_packets_total', 'counter', 'The total number of StatsD packets received over UDP.', [['', n('datagrams.udp')]]),
    family('statsite_ts_tcp_connections_total', 'counter', 'The total number of TCP connections handled.', [['', n('connections.tcp')]]),
    family('statsite_ts_tcp_connection_errors_total', 'counter', 'The number of TCP connections that could not be accepted.', [['', n('connections.tcp_accept_errors')]]),
    family('statsite_ts_tcp_too_long_lines_total', 'counter', 'The number of lines discarded due to being too long.', [['', n('parse_errors.line_too_long')]]),
    family('statsite_ts_sample_errors_total', 'counter', 'The total number of errors parsing StatsD samples.', byLabel('reason', sampleErrors)),
    family('statsite_ts_tag_errors_total', 'counter', 'The number of errors parsing DogStatsD tags (once per new series).', [['', counts.tagErrors]]),
    family('statsite_ts_metrics_total', 'gauge', 'The number of metric families exposed, by type.', byLabel('type', metrics)),
    family('statsite_ts_loaded_mappings', 'gauge', 'The current number of configured metric mappings.', [['', loadedMappings]]),
  ].join('');
}
