// Sink specs, as given to --sink or built from [[sinks]]: `stdout`, `stream:COMMAND`,
// `graphite://…`, `prometheus://…`, `http://…`/`https://…`, `remote-write+http(s)://…`. Parsing is separate from building, so a config can be checked without
// connecting anywhere.

import type { Logger } from '../log/logger.js';
import type { NamingConfig } from '../naming/naming-config.js';
import { parseGraphiteSpec, type GraphiteOptions } from './graphite/graphite-options.js';
import { GraphiteSink } from './graphite/graphite-sink.js';
import { parseHttpSpec, type HttpOptions } from './http/http-options.js';
import { HttpSink } from './http/http-sink.js';
import { parsePrometheusSpec, type PrometheusOptions } from './prometheus/prometheus-options.js';
import { PrometheusSink } from './prometheus/prometheus-sink.js';
import { parseRemoteWriteSpec, REMOTE_WRITE_PREFIX, type RemoteWriteOptions } from './remote-write/remote-write-options.js';
import { RemoteWriteSink } from './remote-write/remote-write-sink.js';
import { ForwardSink } from '../forward/forward-sink.js';
import type { Sink } from './sink.js';
import { StdoutSink } from './stdout.js';
import { StreamCommandSink } from './stream-command.js';

export const SINK_SPECS = ['stdout', 'stream:COMMAND', 'graphite://HOST:PORT[?prefix=statsite.]', 'prometheus://HOST:PORT', 'http[s]://URL', 'remote-write+http[s]://HOST:PORT/api/v1/write'];

export type SinkSpec =
  | { type: 'stdout' }
  | { type: 'stream'; command: string }
  | { type: 'graphite'; options: GraphiteOptions }
  | { type: 'prometheus'; options: PrometheusOptions }
  | { type: 'http'; options: HttpOptions }
  | { type: 'forward'; options: HttpOptions }
  | { type: 'remote_write'; options: RemoteWriteOptions };

/** Throws with a readable reason for a spec it cannot use. */
export function parseSinkSpec(spec: string): SinkSpec {
  if (spec === 'stdout') return { type: 'stdout' };
  if (spec.startsWith('stream:')) {
    const command = spec.slice('stream:'.length);
    if (command.trim() === '') throw new Error(`sink "${spec}": the stream sink needs a command after "stream:"`);
    return { type: 'stream', command };
  }
  if (spec.startsWith('graphite://')) return { type: 'graphite', options: parseGraphiteSpec(spec) };
  if (spec.startsWith('prometheus://')) return { type: 'prometheus', options: parsePrometheusSpec(spec) };
  if (spec.startsWith('http://') || spec.startsWith('https://')) return { type: 'http', options: parseHttpSpec(spec) };
  if (spec.startsWith(REMOTE_WRITE_PREFIX)) return { type: 'remote_write', options: parseRemoteWriteSpec(spec) };
  if (spec.startsWith('forward:')) return { type: 'forward', options: parseHttpSpec(spec.slice('forward:'.length)) };
  throw new Error(`unknown sink "${spec}" (supported: ${SINK_SPECS.join(', ')})`);
}

export function createSink(spec: SinkSpec, naming: () => NamingConfig, log: Logger): Sink {
  switch (spec.type) {
    case 'stdout':
      return new StdoutSink(naming);
    case 'stream':
      return new StreamCommandSink(spec.command, naming, log);
    case 'graphite':
      return new GraphiteSink(spec.options, naming, log);
    case 'prometheus':
      return new PrometheusSink(spec.options, log);
    case 'http':
      return new HttpSink(spec.options, naming, log);
    case 'forward':
      return new ForwardSink(spec.options, naming, log);
    case 'remote_write':
      return new RemoteWriteSink(spec.options, log);
  }
}
