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

/** One family `statsite_ts_NAME`. */
function family(name: string, type: 'counter' | 'gauge', help: string, samples: Samples): string {
  const full = `statsite_ts_${name}`;
  let out = `# HELP ${full} ${help}\n# TYPE ${full} ${type}\n`;
  for (const [labels, value] of samples) out += `${full}${labels === '' ? '' : `{${labels}}`} ${formatValue(value)}\n`;
  return out;
}

const counter = (name: string, help: string, samples: Samples) => family(name, 'counter', help, samples);
const gauge = (name: string, help: string, samples: Samples) => family(name, 'gauge', help, samples);

const byLabel = (label: string, values: Record<string, number>): Samples =>
  Object.entries(values).map(([k, v]) => [`${label}="${k}"`, v]);

export function renderOperationalSeries(
  counts: RegistryCounts,
  familiesByKind: Readonly<Record<FamilyKind, number>>,
  loadedMappings: number,
  server: Readonly<Record<string, number>>,
): string {
  const n = (key: string): Samples => [['', server[key] ?? 0]];
  const sampleErrors: Record<string, number> = {};
  for (const [key, value] of Object.entries(server)) {
    if (key.startsWith('parse_errors.') && key !== 'parse_errors.total') sampleErrors[key.slice('parse_errors.'.length)] = value;
  }
  const lines = (server['lines.udp'] ?? 0) + (server['lines.tcp'] ?? 0) + (server['lines.stdin'] ?? 0);
  const metrics = {
    counter: familiesByKind.counter,
    gauge: familiesByKind.gauge + familiesByKind.set,
    summary: familiesByKind.summary,
    histogram: familiesByKind.histogram,
  };
  const events = 'The total number of StatsD events';
  return [
    counter('events_total', `${events} seen.`, byLabel('type', counts.events)),
    counter('events_unmapped_total', `${events} no mapping was found for.`, [['', counts.unmapped]]),
    counter('events_actions_total', `${events} by action.`, byLabel('action', counts.actions)),
    counter('events_error_total', `${events} discarded due to errors.`, byLabel('reason', counts.errors)),
    counter('events_conflict_total', `${events} with conflicting names.`, byLabel('type', counts.conflicts)),
    counter('lines_total', 'The total number of StatsD lines received.', [['', lines]]),
    counter('udp_packets_total', 'The total number of StatsD packets received over UDP.', n('datagrams.udp')),
    counter('tcp_connections_total', 'The total number of TCP connections handled.', n('connections.tcp')),
    counter('tcp_connection_errors_total', 'The number of TCP connections that could not be accepted.', n('connections.tcp_accept_errors')),
    counter('tcp_too_long_lines_total', 'The number of lines discarded due to being too long.', n('parse_errors.line_too_long')),
    counter('sample_errors_total', 'The total number of errors parsing StatsD samples.', byLabel('reason', sampleErrors)),
    counter('tag_errors_total', 'The number of errors parsing DogStatsD tags (once per new series).', [['', counts.tagErrors]]),
    gauge('metrics_total', 'The number of metric families exposed, by type.', byLabel('type', metrics)),
    gauge('loaded_mappings', 'The current number of configured metric mappings.', [['', loadedMappings]]),
  ].join('');
}
