// The Graphite sink's settings, from a spec URL:
//   graphite://HOST:PORT[:INSTANCE][,HOST:PORT[:INSTANCE]…][?prefix=statsite.&routing=fanout|carbon_ch|c_relay_carbon_ch
//              &buffer_lines=1000000&timeout=5]
// [[sinks]] tables are turned into the same URL, so both paths share one parser.

import { join } from 'node:path';
import { MAX_TIMEOUT_SECONDS } from '../../util/bounded-wait.js';
import { fileNamePart, unusableDirectory } from '../../util/directory-check.js';

/** carbon_ch: carbon-relay's consistent hashing; c_relay_carbon_ch: carbon-c-relay's (carbon-hash-ring.ts). */
export type Routing = 'fanout' | 'carbon_ch' | 'c_relay_carbon_ch';
const ROUTINGS: Routing[] = ['fanout', 'carbon_ch', 'c_relay_carbon_ch'];

export interface GraphiteDestination {
  host: string;
  port: number;
  /** carbon's instance name, part of the carbon_ch ring key. */
  instance: string | null;
}

export interface GraphiteOptions {
  destinations: GraphiteDestination[];
  prefix: string;
  routing: Routing;
  bufferLines: number;
  timeoutMs: number;
  /** Queue on disk here instead of in memory, so a restart during an outage loses nothing. */
  spoolDir: string | null;
  spoolMaxBytes: number;
}

export const GRAPHITE_DEFAULTS = {
  prefix: 'statsite.',
  routing: 'fanout' as Routing,
  bufferLines: 1_000_000,
  timeoutSeconds: 5,
  spoolMaxBytes: 1024 ** 3,
};

const QUERY_KEYS = ['prefix', 'routing', 'buffer_lines', 'timeout', 'spool_dir', 'spool_max_bytes'];

/** The spool directory of one destination: its own folder under spool_dir. */
export function destinationSpoolDir(spoolDir: string, d: GraphiteDestination): string {
  return join(spoolDir, `${fileNamePart(d.host)}_${d.port}${d.instance === null ? '' : `_${fileNamePart(d.instance)}`}`);
}

function parseDestination(text: string, spec: string): GraphiteDestination {
  // [v6::addr]:port[:instance] or host:port[:instance]
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)(?::([^:]+))?$/.exec(text);
  if (m === null) throw new Error(`sink "${spec}": "${text}" is not HOST:PORT[:INSTANCE]`);
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new Error(`sink "${spec}": port ${port} is out of range`);
  return { host: m[1] ?? m[2], port, instance: m[4] ?? null };
}

export function parseGraphiteSpec(spec: string): GraphiteOptions {
  const rest = spec.slice('graphite://'.length);
  const q = rest.indexOf('?');
  const hosts = q < 0 ? rest : rest.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : rest.slice(q + 1));
  for (const key of query.keys()) {
    if (!QUERY_KEYS.includes(key)) throw new Error(`sink "${spec}": unknown option "${key}" (known: ${QUERY_KEYS.join(', ')})`);
  }
  const destinations = hosts.split(',').filter((h) => h !== '').map((h) => parseDestination(h, spec));
  if (destinations.length === 0) throw new Error(`sink "${spec}": needs at least one HOST:PORT`);

  const routing = (query.get('routing') ?? GRAPHITE_DEFAULTS.routing) as Routing;
  if (!ROUTINGS.includes(routing)) {
    throw new Error(`sink "${spec}": routing must be fanout, carbon_ch or c_relay_carbon_ch, got "${routing}"`);
  }
  if (routing !== 'fanout') {
    const seen = new Set<string>();
    for (const d of destinations) {
      const id = `${d.host} ${d.instance}`;
      if (seen.has(id)) {
        throw new Error(
          `sink "${spec}": carbon_ch needs each destination's (host, instance) to differ; `
            + 'give several carbons on one host instance names (HOST:PORT:INSTANCE)',
        );
      }
      seen.add(id);
    }
  }
  const bufferLines = Number(query.get('buffer_lines') ?? GRAPHITE_DEFAULTS.bufferLines);
  if (!Number.isInteger(bufferLines) || bufferLines < 1) throw new Error(`sink "${spec}": buffer_lines must be a whole number ≥ 1`);
  const timeout = Number(query.get('timeout') ?? GRAPHITE_DEFAULTS.timeoutSeconds);
  if (!(timeout > 0 && timeout <= MAX_TIMEOUT_SECONDS)) {
    throw new Error(`sink "${spec}": timeout must be a number of seconds > 0 and at most ${MAX_TIMEOUT_SECONDS}`);
  }
  const spoolMaxBytes = Number(query.get('spool_max_bytes') ?? GRAPHITE_DEFAULTS.spoolMaxBytes);
  if (!Number.isInteger(spoolMaxBytes) || spoolMaxBytes < 1) throw new Error(`sink "${spec}": spool_max_bytes must be a whole number ≥ 1`);
  const spoolDir = query.get('spool_dir') || null;
  if (spoolDir !== null) {
    for (const d of destinations) {
      const why = unusableDirectory(destinationSpoolDir(spoolDir, d));
      if (why !== null) throw new Error(`sink "${spec}": spool_dir cannot be used: ${why}`);
    }
  }
  return {
    destinations,
    prefix: query.get('prefix') ?? GRAPHITE_DEFAULTS.prefix,
    routing,
    bufferLines,
    timeoutMs: timeout * 1000,
    spoolDir,
    spoolMaxBytes,
  };
}
