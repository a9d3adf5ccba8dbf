// `statsite-ts carbon-schema`: carbon's storage-schemas.conf and storage-aggregation.conf for the
// paths this config's Graphite sinks write. Without them carbon keeps its defaults — often a
// first retention coarser than the flush interval (most of each minute's counts are overwritten)
// and `average` with xFilesFactor 0.5 when it rolls points up (counts averaged instead of summed,
// sparse series dropped) — and the numbers in Grafana are quietly wrong.

import type { ServerConfig } from '../config/server-config.js';
import { finalPrefixes } from '../naming/naming-config.js';
import type { GraphiteOptions } from '../sinks/graphite/graphite-options.js';
import { parseSinkSpec } from '../sinks/registry.js';

export interface CarbonSchema {
  schemas: string;
  aggregation: string;
}

const escape = (prefix: string) => prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The Graphite prefixes of the config's sinks (`statsite.` by default), each once. */
function graphitePrefixes(config: ServerConfig): string[] {
  const prefixes = config.sinks
    .map((spec) => parseSinkSpec(spec))
    .flatMap((s) => (s.type === 'graphite' ? [(s.options as GraphiteOptions).prefix] : []));
  return [...new Set(prefixes.length > 0 ? prefixes : ['statsite.'])];
}

export function carbonSchema(config: ServerConfig): CarbonSchema {
  const i = config.naming.flushInterval;
  // The first retention is the flush interval, so no flush overwrites another; each later one a
  // multiple of the one before, as carbon requires.
  const retentions = `${i}s:1d,${6 * i}s:30d,${360 * i}s:5y`;
  const schemas: string[] = [];
  const aggregation: string[] = [];
  for (const [n, output] of graphitePrefixes(config).entries()) {
    const name = `statsite_ts${n === 0 ? '' : `_${n + 1}`}`;
    const p = finalPrefixes(config.naming, output);
    schemas.push(`[${name}]`, `pattern = ^${escape(output)}`, `retentions = ${retentions}`, '');
    // First match wins: rates before the counters they belong to.
    const rules: Array<[string, string, string]> = [
      ['rates', `^${escape(output)}.*\\.(rate|sample_rate)$`, 'average'],
      ['counts', `^${escape(p.counts)}`, 'sum'],
      ['timer_sums', `^${escape(p.timers)}.*\\.(count|sum|sum_sq)$`, 'sum'],
      ['histogram_bins', `^${escape(p.timers)}.*\\.histogram\\.bin_`, 'sum'],
      ['timer_upper', `^${escape(p.timers)}.*\\.upper$`, 'max'],
      ['timer_lower', `^${escape(p.timers)}.*\\.lower$`, 'min'],
      ['sets', `^${escape(p.sets)}`, 'max'],
      ['rest', `^${escape(output)}`, 'average'],
    ];
    for (const [rule, pattern, method] of rules) {
      aggregation.push(`[${name}_${rule}]`, `pattern = ${pattern}`, 'xFilesFactor = 0', `aggregationMethod = ${method}`, '');
    }
  }
  const header = (file: string, why: string) => [`# ${file} for statsite-ts (statsite-ts carbon-schema), ${why}`, ''];
  return {
    schemas: [...header('storage-schemas.conf', `flush interval ${i} s`), ...schemas].join('\n'),
    aggregation: [...header('storage-aggregation.conf', 'sums summed, extremes kept, the rest averaged'), ...aggregation].join('\n'),
  };
}
