// The sinks by type: how each one's spec (as given to --sink, or built from [[sinks]]) is
// recognised and parsed, and how the sink is built from it. Parsing is separate from building, so
// a config can be checked without connecting anywhere. A new sink is one entry here. The name
// option every spec may carry is taken off first (sink-names.ts).
//
// A sink's module, and the packages only it needs (undici, protobufjs), is imported when a spec
// of its type is first configured (loadSinks), not at start-up: a server writing to stdout never
// loads the rest (bench/README.md, start-up).

import type { Logger } from '../log/logger.js';
import type { NamingConfig } from '../naming/naming-config.js';
import type { BufferedTcpSender } from './delivery/buffered-tcp-sender.js';
import { parseHttpSpec, type HttpOptions } from './delivery/http-options.js';
import type { SharedSenders } from './delivery/shared-senders.js';
import { parseGraphiteSpec, type GraphiteOptions } from './graphite/graphite-options.js';
import type { ServerCounts } from './prometheus/operational-series.js';
import { parsePrometheusSpec, type PrometheusOptions } from './prometheus/prometheus-options.js';
import type { PrometheusSink } from './prometheus/prometheus-sink.js';
import { parseRemoteWriteSpec, REMOTE_WRITE_PREFIX, type RemoteWriteOptions } from './remote-write/remote-write-options.js';
import type { Sink } from './sink.js';
import { assignSinkNames, splitSinkName } from './sink-names.js';
import type { StreamFormat } from './stream/stream-format.js';

/** What every sink is built with besides its own options. */
export interface SinkContext {
  naming: () => NamingConfig;
  log: Logger;
  /** The process's TCP senders, shared by sinks with the same destination and queue (see shared-senders.ts). */
  tcpSenders: SharedSenders<BufferedTcpSender>;
  /** The server's cumulative `/stats` counts, for sinks that expose them (the Prometheus sink's operational series). */
  serverCounts?: ServerCounts;
}

interface SinkEntry<O, M = unknown> {
  /** The spec's form, for --help and errors. */
  usage: string;
  matches(spec: string): boolean;
  /** Throws with a readable reason for a spec it cannot use. */
  parse(spec: string): O;
  /** Imports the sink's module (and with it the packages only it uses). */
  load(): Promise<M>;
  build(module: M, options: O, context: SinkContext, name: string): Sink;
  /** What must stay the same for a reload to keep a running sink (default: all the options). */
  identity?(options: O): unknown;
  /** Hands a kept sink its new options, which differ only outside its identity. */
  reconfigure?(sink: Sink, options: O): void;
}

const STREAM_TEXT = 'stream:';
const STREAM_BINARY = 'stream+binary:';

function streamCommand(spec: string): { command: string; format: StreamFormat } {
  const format = spec.startsWith(STREAM_BINARY) ? 'binary' : 'text';
  const head = format === 'binary' ? STREAM_BINARY : STREAM_TEXT;
  const command = spec.slice(head.length);
  if (command.trim() === '') throw new Error(`sink "${spec}": the stream sink needs a command after "${head}"`);
  return { command, format };
}

const SINKS = {
  stdout: {
    usage: 'stdout[+binary]',
    matches: (spec) => spec === 'stdout' || spec === 'stdout+binary',
    parse: (spec): StreamFormat => (spec === 'stdout+binary' ? 'binary' : 'text'),
    load: () => import('./stdout/stdout-sink.js'),
    build: ({ StdoutSink }, format, { naming, log }, name) => new StdoutSink(naming, log, format, name),
  } satisfies SinkEntry<StreamFormat, typeof import('./stdout/stdout-sink.js')>,
  stream: {
    usage: 'stream[+binary]:COMMAND',
    matches: (spec) => spec.startsWith(STREAM_TEXT) || spec.startsWith(STREAM_BINARY),
    parse: streamCommand,
    load: () => import('./stream/stream-command-sink.js'),
    build: ({ StreamCommandSink }, { command, format }, { naming, log }, name) => new StreamCommandSink(command, naming, log, format, name),
  } satisfies SinkEntry<{ command: string; format: StreamFormat }, typeof import('./stream/stream-command-sink.js')>,
  graphite: {
    usage: 'graphite://HOST:PORT[?prefix=statsite.&name=NAME]',
    matches: (spec) => spec.startsWith('graphite://'),
    parse: parseGraphiteSpec,
    load: () => import('./graphite/graphite-sink.js'),
    build: ({ GraphiteSink }, options, { naming, log, tcpSenders }, name) => new GraphiteSink(options, naming, log, tcpSenders, name),
  } satisfies SinkEntry<GraphiteOptions, typeof import('./graphite/graphite-sink.js')>,
  prometheus: {
    usage: 'prometheus://HOST:PORT[?mapping_config=FILE&compat=statsd_exporter|openmetrics]',
    matches: (spec) => spec.startsWith('prometheus://'),
    parse: parsePrometheusSpec,
    load: () => import('./prometheus/prometheus-sink.js'),
    build: ({ PrometheusSink }, options, { log, serverCounts }, name) => new PrometheusSink(options, log, serverCounts, name),
    // A changed mapping file is applied to the running sink, which keeps its series.
    identity: (options) => ({ ...options, mapping: options.mapping?.file ?? null }),
    reconfigure: (sink, options) => (sink as PrometheusSink).reconfigure(options),
  } satisfies SinkEntry<PrometheusOptions, typeof import('./prometheus/prometheus-sink.js')>,
  http: {
    usage: 'http[s]://URL',
    matches: (spec) => spec.startsWith('http://') || spec.startsWith('https://'),
    parse: parseHttpSpec,
    load: () => import('./http/http-sink.js'),
    build: ({ HttpSink }, options, { naming, log }, name) => new HttpSink(options, naming, log, name),
  } satisfies SinkEntry<HttpOptions, typeof import('./http/http-sink.js')>,
  remote_write: {
    usage: 'remote-write+http[s]://HOST:PORT/api/v1/write',
    matches: (spec) => spec.startsWith(REMOTE_WRITE_PREFIX),
    parse: parseRemoteWriteSpec,
    load: () => import('./remote-write/remote-write-sink.js'),
    build: ({ RemoteWriteSink }, options, { log }, name) => new RemoteWriteSink(options, log, name),
  } satisfies SinkEntry<RemoteWriteOptions, typeof import('./remote-write/remote-write-sink.js')>,
  // Built from --forward / [forward] url rather than listed as a sink of its own.
  forward: {
    usage: 'forward:http[s]://URL',
    matches: (spec) => spec.startsWith('forward:'),
    parse: (spec) => parseHttpSpec(spec.slice('forward:'.length)),
    load: () => import('./forward/forward-sink.js'),
    build: ({ ForwardSink }, options, { naming, log }, name) => new ForwardSink(options, naming, log, name),
  } satisfies SinkEntry<HttpOptions, typeof import('./forward/forward-sink.js')>,
};

type SinkType = keyof typeof SINKS;
type OptionsOf<T extends SinkType> = ReturnType<(typeof SINKS)[T]['parse']>;

/** A parsed spec: its sink's type, that sink's options and the name it was given (null: none). */
export type SinkSpec = { [T in SinkType]: { type: T; options: OptionsOf<T>; name: string | null } }[SinkType];

/** A spec with its sink's name settled (given, or the default from its type and place). */
export type NamedSinkSpec = SinkSpec & { name: string };

/** The spec forms users write, for --help. */
export const SINK_SPECS = Object.entries(SINKS).filter(([type]) => type !== 'forward').map(([, entry]) => entry.usage);

/** Throws with a readable reason for a spec it cannot use. */
export function parseSinkSpec(spec: string): SinkSpec {
  const { spec: rest, name } = splitSinkName(spec);
  for (const [type, entry] of Object.entries(SINKS) as Array<[SinkType, SinkEntry<unknown>]>) {
    if (entry.matches(rest)) return { type, options: entry.parse(rest), name } as SinkSpec;
  }
  throw new Error(`unknown sink "${rest}" (supported: ${SINK_SPECS.join(', ')})`);
}

/** Parses every spec and settles every sink's name; throws on an unusable spec or two sinks of one name. */
export function parseSinkSpecs(specs: readonly string[]): NamedSinkSpec[] {
  const parsed = specs.map(parseSinkSpec);
  const names = assignSinkNames(parsed);
  return parsed.map((spec, i) => ({ ...spec, name: names[i] }));
}

/** Two specs with the same identity are one sink across a reload (see reconfigureSink). */
export function sinkIdentity(spec: NamedSinkSpec): string {
  const entry = SINKS[spec.type] as SinkEntry<unknown>;
  return JSON.stringify({ type: spec.type, name: spec.name, options: entry.identity?.(spec.options) ?? spec.options });
}

/** Gives a sink kept across a reload the options of the new spec. */
export function reconfigureSink(sink: Sink, spec: NamedSinkSpec): void {
  (SINKS[spec.type] as SinkEntry<unknown>).reconfigure?.(sink, spec.options);
}

/** Each sink type's module, once loadSinks() has imported it. */
const loaded = new Map<SinkType, unknown>();

/** Imports the modules of the sinks `specs` name that are not loaded yet; createSink needs them. */
export async function loadSinks(specs: readonly SinkSpec[]): Promise<void> {
  const missing = [...new Set(specs.map((s) => s.type))].filter((type) => !loaded.has(type));
  const modules = await Promise.all(missing.map((type) => (SINKS[type] as SinkEntry<unknown>).load()));
  missing.forEach((type, i) => loaded.set(type, modules[i]));
}

/** Builds the sink of `spec`, whose module loadSinks() has imported. */
export function createSink(spec: NamedSinkSpec, context: SinkContext): Sink {
  const entry = SINKS[spec.type] as SinkEntry<unknown>;
  if (!loaded.has(spec.type)) throw new Error(`sink "${spec.type}" is not loaded: loadSinks() first`);
  return entry.build(loaded.get(spec.type), spec.options, context, spec.name);
}
