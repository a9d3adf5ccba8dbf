// The [statsite] table: statsite's option names with statsite's meanings, plus validation.

import { MAX_PRECISION, MIN_PRECISION, precisionForError } from '../aggregate/hyperloglog.js';
import { TIMER_FIELDS, type TimerField } from '../naming/naming-config.js';
import type { ServerConfig } from './server-config.js';
import { asBool, asInteger, asNumber, asNumberList, asString, asStringList, fail, ownValue, type RawOption } from './values.js';

const LOG_LEVELS: Record<string, string> = {
  debug: 'debug', info: 'info', warn: 'warn', warning: 'warn', error: 'error', critical: 'fatal', fatal: 'fatal',
  trace: 'trace', silent: 'silent',
};

export function parseLogLevel(opt: RawOption): string {
  const level = LOG_LEVELS[asString(opt).toLowerCase()];
  return level ?? fail(opt, `unknown log level "${String(opt.value)}" (use DEBUG, INFO, WARN, ERROR or CRITICAL)`);
}

const PORT_MAX = 65535;

type Apply = (config: ServerConfig, opt: RawOption) => void;

const OPTIONS: Record<string, Apply> = {
  port: (c, o) => { c.tcpPort = asInteger(o, 0, PORT_MAX); },
  tcp_port: (c, o) => { c.tcpPort = asInteger(o, 0, PORT_MAX); },
  udp_port: (c, o) => { c.udpPort = asInteger(o, 0, PORT_MAX); },
  bind_address: (c, o) => { c.bindAddress = asString(o); },
  udp_rcvbuf: (c, o) => { c.udpRcvbuf = asInteger(o, 0, 2 ** 31 - 1); },
  parse_stdin: (c, o) => { c.parseStdin = asBool(o); },
  flush_interval: (c, o) => { c.naming.flushInterval = asInteger(o, 1, 86400); },
  aligned_flush: (c, o) => { c.alignedFlush = asBool(o); },
  timer_eps: (c, o) => {
    const eps = asNumber(o);
    if (!(eps > 0 && eps < 0.5)) fail(o, `must be greater than 0 and less than 0.5, got ${eps}`);
    c.timerEps = eps;
  },
  set_eps: (c, o) => {
    const eps = asNumber(o);
    const precision = eps > 0 && eps < 1 ? precisionForError(eps) : -1;
    if (precision < MIN_PRECISION || precision > MAX_PRECISION) {
      fail(o, `must give a HyperLogLog precision between ${MIN_PRECISION} and ${MAX_PRECISION} (about 0.0021 to 0.26), got ${eps}`);
    }
    c.setEps = eps;
  },
  quantiles: (c, o) => {
    const quantiles = asNumberList(o);
    if (quantiles.length === 0) fail(o, 'needs at least one quantile');
    for (const q of quantiles) if (!(q > 0 && q < 1)) fail(o, `each quantile must be between 0 and 1 (exclusive), got ${q}`);
    c.naming.quantiles = quantiles;
  },
  use_type_prefix: (c, o) => { c.naming.useTypePrefix = asBool(o); },
  global_prefix: (c, o) => { c.naming.globalPrefix = asString(o); },
  counts_prefix: (c, o) => { c.naming.typePrefixes.counts = asString(o); },
  timers_prefix: (c, o) => { c.naming.typePrefixes.timers = asString(o); },
  gauges_prefix: (c, o) => { c.naming.typePrefixes.gauges = asString(o); },
  sets_prefix: (c, o) => { c.naming.typePrefixes.sets = asString(o); },
  kv_prefix: (c, o) => { c.naming.typePrefixes.kv = asString(o); },
  extended_counters: (c, o) => { c.naming.extendedCounters = asBool(o); },
  legacy_extended_counters: (c, o) => { c.naming.legacyExtendedCounters = asBool(o); },
  timers_include: (c, o) => {
    const fields = asStringList(o).map((f) => f.toLowerCase());
    for (const f of fields) {
      if (!TIMER_FIELDS.includes(f as TimerField)) fail(o, `unknown timer field "${f}" (known: ${TIMER_FIELDS.join(', ')})`);
    }
    c.naming.timersInclude = new Set(fields as TimerField[]);
  },
  stream_cmd: (c, o) => { c.sinks.push(`stream:${asString(o)}`); },
  input_counter: (c, o) => { c.inputCounter = asString(o) || null; },
  pid_file: (c, o) => { c.pidFile = asString(o) || null; },
  log_level: (c, o) => { c.logLevel = parseLogLevel(o); },
  // Accepted so statsite files load unchanged; syslog and forking are systemd's job here.
  log_facility: (_c, o) => { asString(o); },
  daemonize: (_c, o) => {
    if (asBool(o)) fail(o, 'statsite-ts does not fork; run it under systemd (see packaging/) and remove this option');
  },
  binary_stream: (c, o) => { c.binaryStream = asBool(o); },
  prefix_binary_stream: (c, o) => { c.naming.prefixBinaryStream = asBool(o); },
};

function applyStatsiteOption(config: ServerConfig, name: string, opt: RawOption): void {
  const apply = ownValue(OPTIONS, name.toLowerCase());
  if (apply === undefined) fail(opt, `unknown option (known: ${Object.keys(OPTIONS).join(', ')})`);
  apply(config, opt);
}

/**
 * The whole [statsite] table. binary_stream switches statsite's one output, its stream_cmd, to the
 * binary stream wherever the two lines stand in the table (the default stdout sink: sinkSpecs).
 */
export function applyStatsiteTable(config: ServerConfig, options: ReadonlyArray<[name: string, opt: RawOption]>): void {
  const before = config.sinks.length;
  for (const [name, opt] of options) applyStatsiteOption(config, name, opt);
  if (!config.binaryStream) return;
  for (let i = before; i < config.sinks.length; i++) config.sinks[i] = config.sinks[i].replace(/^stream:/, 'stream+binary:');
}
