// Reads a config file — TOML, or statsite's own INI (by extension .ini/.conf/.cfg; a file with
// another extension or none, as statsite takes any name, is TOML if it parses as TOML and INI if
// only INI reads it) — over the defaults. Every table and key is checked; the first problem stops the start with file, key,
// line (where known) and reason.

import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import type * as SmolToml from 'smol-toml';
import { binCount, type HistogramConfig } from '../aggregate/histogram.js';
import { ConfigError } from './config-error.js';
import { defaultConfig, STATSITE_BIND } from './defaults.js';
import { parseIni } from './ini.js';
import type { ServerConfig } from './server-config.js';
import { applyStatsiteTable, parseLogLevel } from './statsite-table.js';
import { parseListenAddress } from '../util/address.js';
import { unusableDirectory } from '../util/directory-check.js';
import { LOG_FORMATS } from '../log/logger.js';
import { NAME_TAG_FORMATS, type NameTagFormat } from '../protocol/name-tags.js';
import { parseSinkSpec, parseSinkSpecs } from '../sinks/registry.js';
import { badSinkName, withSinkName } from '../sinks/sink-names.js';
import { formatSuffix, type StreamFormat } from '../sinks/stream/stream-format.js';
import { lazyPackage } from '../util/lazy-package.js';
import { asBool, asInteger, asNumber, asString, asStringList, fail, ownValue, type RawOption } from './values.js';

const MAX_HISTOGRAM_BINS = 1024;
export const MAX_INGEST_WORKERS = 64;
const INI_EXTENSIONS = new Set(['.ini', '.conf', '.cfg']);

type Tables = Record<string, Record<string, { value: unknown; line?: number }>>;

export function loadConfigFile(file: string): ServerConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, '', `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const { tables, ini } = readTables(text, file);
  const config = configFromTables(tables, file);
  // An INI file asks for statsite's behaviour, which drops such lines.
  if (ini) config.unusedSampleRate = 'reject';
  return config;
}

/** The file's tables, by its extension, or — with another or none — as whichever format reads it. */
function readTables(text: string, file: string): { tables: Tables; ini: boolean } {
  const extension = extname(file).toLowerCase();
  if (INI_EXTENSIONS.has(extension)) return { tables: parseIni(text, file), ini: true };
  if (extension === '.toml') return { tables: readToml(text, file), ini: false };
  try {
    return { tables: readToml(text, file), ini: false };
  } catch (tomlError) {
    if (!(tomlError instanceof ConfigError)) throw tomlError;
    try {
      return { tables: parseIni(text, file), ini: true };
    } catch {
      throw tomlError; // neither: the TOML reason, the format the docs lead with
    }
  }
}

/** Loaded with the first TOML file: a server started from flags reads none. */
const smolToml = lazyPackage<typeof SmolToml>('smol-toml');

function readToml(text: string, file: string): Tables {
  const { parse: parseToml, TomlError } = smolToml();
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) throw new ConfigError(file, '', err.message.split('\n')[0], err.line);
    throw err;
  }
  // No prototype: a table named `__proto__` is a table name like any other (and refused as unknown).
  const tables: Tables = Object.create(null);
  for (const [name, table] of Object.entries(doc)) {
    if (name === 'sinks' && Array.isArray(table)) {
      // [[sinks]] array of tables: keep as one pseudo-table per entry.
      table.forEach((entry, i) => {
        tables[`sinks[${i}]`] = wrap(entry as Record<string, unknown>);
      });
      continue;
    }
    if (table === null || typeof table !== 'object' || Array.isArray(table)) {
      throw new ConfigError(file, name, 'top-level options belong in a table such as [statsite]');
    }
    tables[name] = wrap(table as Record<string, unknown>);
  }
  return tables;
}

function wrap(table: Record<string, unknown>): Record<string, { value: unknown }> {
  return Object.fromEntries(Object.entries(table).map(([k, value]) => [k, { value }]));
}

function configFromTables(tables: Tables, file: string): ServerConfig {
  const config = defaultConfig();
  // A config file means statsite semantics, including its listen-everywhere default.
  config.bindAddress = STATSITE_BIND;
  const opt = (table: string, key: string): RawOption => ({
    file, key: `${table}.${key}`, value: tables[table][key].value, line: tables[table][key].line,
  });

  for (const table of Object.keys(tables)) {
    if (table === 'statsite') {
      applyStatsiteTable(config, Object.keys(tables[table]).map((key) => [key, opt(table, key)]));
    } else if (table.startsWith('histogram')) {
      config.histograms.push(readHistogram(tables, table, file, opt));
    } else if (Object.hasOwn(EXTRA_TABLES, table)) {
      const options = EXTRA_TABLES[table];
      for (const key of Object.keys(tables[table])) {
        const apply = ownValue(options, key) ?? fail(opt(table, key), `unknown option (known: ${Object.keys(options).join(', ')})`);
        apply(config, opt(table, key));
      }
    } else if (table.startsWith('sinks[')) {
      config.sinks.push(readSink(tables, table, file, opt));
    } else {
      const known = ['[statsite]', '[histogram_NAME]', ...Object.keys(EXTRA_TABLES).map((t) => `[${t}]`), '[[sinks]]'];
      throw new ConfigError(file, table, `unknown table (known: ${known.join(', ')})`);
    }
  }
  checkSinkNames(config, file);
  return config;
}

type Apply = (config: ServerConfig, opt: RawOption) => void;

function listenAddress(opt: RawOption): string {
  const text = asString(opt);
  try {
    parseListenAddress(text);
  } catch (err) {
    fail(opt, (err as Error).message);
  }
  return text;
}

/** A secret given as itself or as `env:NAME`, read from the environment now (unset: refused). */
function secret(opt: RawOption): string {
  const text = asString(opt);
  const value = text.startsWith('env:') ? process.env[text.slice('env:'.length)] : text;
  if (value === undefined) fail(opt, `reads the environment variable ${text.slice('env:'.length)}, which is not set`);
  if (value === '' || /[\r\n\0]/.test(value) || value.trim() !== value) {
    fail(opt, 'must be a non-empty value without line breaks or spaces at either end');
  }
  return value;
}

/**
 * The most max_key_bytes may be: V8 hashes a string longer than 16383 characters by its length
 * alone, so longer keys of one length would all collide in every Map of the aggregator.
 */
const KEY_BYTES_LIMIT = 16383;

/** Tables for what statsite lacks. */
const EXTRA_TABLES: Record<string, Record<string, Apply>> = {
  aggregate: {
    keep_gauges: (c, o) => { c.keepGauges = asBool(o); },
  },
  ingest: {
    workers: (c, o) => { c.ingestWorkers = asInteger(o, 0, MAX_INGEST_WORKERS); },
  },
  limits: {
    max_key_bytes: (c, o) => { c.limits.maxKeyBytes = asInteger(o, 1, KEY_BYTES_LIMIT); },
    max_line_bytes: (c, o) => { c.limits.maxLineBytes = asInteger(o, 64, 64 * 1024 * 1024); },
    max_series: (c, o) => { c.limits.maxSeries = asInteger(o, 0, 1e9); },
    tcp_max_connections: (c, o) => { c.limits.tcpMaxConnections = asInteger(o, 1, 1e6); },
    tcp_idle_timeout: (c, o) => { c.limits.tcpIdleTimeout = asInteger(o, 0, 86400 * 7); },
    sink_timeout: (c, o) => { c.limits.sinkTimeout = asInteger(o, 1, 3600); },
  },
  protocol: {
    name_tag_formats: (c, o) => {
      const formats = asStringList(o);
      for (const f of formats) {
        if (!(NAME_TAG_FORMATS as readonly string[]).includes(f)) fail(o, `unknown format "${f}" (known: ${NAME_TAG_FORMATS.join(', ')})`);
      }
      c.nameTagFormats = formats as NameTagFormat[];
    },
    unused_sample_rate: (c, o) => {
      const choice = asString(o);
      if (choice !== 'ignore' && choice !== 'reject') fail(o, `must be "ignore" or "reject", got "${choice}"`);
      c.unusedSampleRate = choice;
    },
  },
  log: {
    level: (c, o) => { c.logLevel = parseLogLevel(o); },
    format: (c, o) => {
      const format = asString(o);
      if (!LOG_FORMATS.includes(format)) fail(o, `must be one of ${LOG_FORMATS.join(', ')}`);
      c.logFormat = format;
    },
  },
  admin: {
    http: (c, o) => { c.adminHttp = listenAddress(o); },
    management: (c, o) => { c.management = listenAddress(o); },
    management_write: (c, o) => { c.managementWrite = asBool(o); },
  },
  forward: {
    url: (c, o) => {
      const url = asString(o);
      try {
        parseSinkSpec(`forward:${url}`);
      } catch (err) {
        fail(o, (err as Error).message);
      }
      c.forwardTo.push(url);
    },
    listen: (c, o) => { c.forwardListen = listenAddress(o); },
    max_body_bytes: (c, o) => { c.forwardMaxBodyBytes = asInteger(o, 1024, 1024 ** 3); },
    token: (c, o) => { c.forwardToken = secret(o); },
    spool_dir: (c, o) => { c.forwardSpoolDir = asString(o); },
    spool_max_bytes: (c, o) => { c.forwardSpoolMaxBytes = asInteger(o, 1, Number.MAX_SAFE_INTEGER); },
  },
  service: {
    state_dir: (c, o) => {
      const dir = asString(o);
      if (dir === '') fail(o, 'must be a directory path (leave it out for none)');
      const unusable = unusableDirectory(dir);
      if (unusable !== null) fail(o, unusable);
      c.stateDir = dir;
    },
  },
  self_metrics: {
    enabled: (c, o) => { c.selfMetrics.enabled = asBool(o); },
    prefix: (c, o) => { c.selfMetrics.prefix = asString(o); },
  },
};

function readHistogram(tables: Tables, table: string, file: string, opt: (t: string, k: string) => RawOption): HistogramConfig {
  const known = ['prefix', 'min', 'max', 'width'];
  for (const key of Object.keys(tables[table])) {
    if (!known.includes(key)) fail(opt(table, key), `unknown histogram option (known: ${known.join(', ')})`);
  }
  for (const key of known) {
    if (!(key in tables[table])) throw new ConfigError(file, `${table}.${key}`, 'missing: a histogram needs prefix, min, max and width');
  }
  const h: HistogramConfig = {
    prefix: asString(opt(table, 'prefix')),
    min: asNumber(opt(table, 'min')),
    max: asNumber(opt(table, 'max')),
    width: asNumber(opt(table, 'width')),
  };
  if (h.min >= h.max) fail(opt(table, 'max'), `must be greater than min (${h.min}), got ${h.max}`);
  if (h.width <= 0) fail(opt(table, 'width'), `must be greater than 0, got ${h.width}`);
  if (binCount(h) > MAX_HISTOGRAM_BINS) {
    fail(opt(table, 'width'), `gives ${binCount(h)} bins; at most ${MAX_HISTOGRAM_BINS} are allowed`);
  }
  return h;
}

/** A [[sinks]] entry, turned into the same spec string the --sink flag takes, its `name` included. */
function readSink(tables: Tables, table: string, file: string, opt: (t: string, k: string) => RawOption): string {
  const spec = readSinkSpec(tables, table, file, opt);
  if (!('name' in tables[table])) return spec;
  const name = asString(opt(table, 'name'));
  const bad = badSinkName(name);
  if (bad !== null) fail(opt(table, 'name'), bad);
  return withSinkName(spec, name);
}

/** The names every sink gets, checked once the whole file is read: no two sinks may share one. */
function checkSinkNames(config: ServerConfig, file: string): void {
  try {
    parseSinkSpecs(config.sinks);
  } catch (err) {
    throw new ConfigError(file, '[[sinks]] name', (err as Error).message);
  }
}

function readSinkSpec(tables: Tables, table: string, file: string, opt: (t: string, k: string) => RawOption): string {
  const entry = tables[table];
  if (!('type' in entry)) throw new ConfigError(file, `${table}.type`, 'missing: every [[sinks]] entry needs a type');
  const type = asString(opt(table, 'type'));
  const allowed: Record<string, string[]> = {
    stdout: ['type', 'name', 'format'],
    stream: ['type', 'name', 'command', 'format'],
    graphite: [
      'type', 'name', 'host', 'port', 'destinations', 'prefix', 'routing', 'buffer_lines', 'timeout', 'spool_dir', 'spool_max_bytes',
    ],
    prometheus: [
      'type', 'name', 'host', 'port', 'path', 'compat', 'mapping_config', 'max_series', 'quantiles', 'ttl', 'timer_unit',
      'histogram_buckets',
    ],
    http: ['type', 'name', 'url', 'headers', 'timeout', 'buffer_series', 'spool_dir', 'spool_max_bytes'],
    remote_write: [
      'type', 'name', 'url', 'headers', 'timeout', 'buffer_series', 'spool_dir', 'spool_max_bytes',
      'quantiles', 'ttl', 'timer_unit', 'histogram_buckets',
    ],
  };
  const known = Object.keys(allowed).join(', ');
  const keys = ownValue(allowed, type) ?? fail(opt(table, 'type'), `unknown sink type "${type}" (known: ${known})`);
  for (const key of Object.keys(entry)) {
    if (!keys.includes(key)) fail(opt(table, key), `unknown option for a ${type} sink (known: ${keys.join(', ')})`);
  }
  const need = (key: string, why: string): void => {
    if (!(key in entry)) throw new ConfigError(file, `${table}.${key}`, `missing: ${why}`);
  };
  if (type === 'stdout' || type === 'stream') {
    const suffix = 'format' in entry ? formatSuffix(streamFormat(opt(table, 'format'))) : '';
    if (type === 'stdout') return `stdout${suffix}`;
    need('command', 'a stream sink needs a command');
    return `stream${suffix}:${asString(opt(table, 'command'))}`;
  }
  if (type === 'graphite') return graphiteSpec(entry, table, file, opt);
  if (type === 'prometheus') return prometheusSpec(entry, table, file, opt);
  if (type === 'http') return checkedSpec(httpUrl(entry, table, file, opt).toString(), table, file);
  // remote_write, the last of `allowed`
  const url = httpUrl(entry, table, file, opt);
  seriesQuery(entry, table, opt, url.searchParams);
  return checkedSpec(`remote-write+${url}`, table, file);
}

/** A stdout or stream sink's `format`: statsite's text lines or its binary stream. */
function streamFormat(opt: RawOption): StreamFormat {
  const format = asString(opt);
  if (format !== 'text' && format !== 'binary') fail(opt, `must be "text" or "binary", got "${format}"`);
  return format;
}

/** A spec built from a [[sinks]] entry, checked by the sink's own parser so errors name the entry. */
function checkedSpec(spec: string, table: string, file: string): string {
  try {
    parseSinkSpec(spec);
  } catch (err) {
    throw new ConfigError(file, table, (err as Error).message);
  }
  return spec;
}

/** `host` (default loopback) and `port` (default 9102, statsd_exporter's), plus options, as a prometheus:// URL. */
function prometheusSpec(entry: Tables[string], table: string, file: string, opt: (t: string, k: string) => RawOption): string {
  const host = 'host' in entry ? asString(opt(table, 'host')) : '127.0.0.1';
  const port = 'port' in entry ? asInteger(opt(table, 'port'), 1, 65535) : 9102;
  const query = new URLSearchParams();
  if ('path' in entry) query.set('path', asString(opt(table, 'path')));
  if ('compat' in entry) query.set('compat', asString(opt(table, 'compat')));
  // A relative path is read from the config file's directory, wherever the server was started.
  if ('mapping_config' in entry) query.set('mapping_config', resolve(dirname(file), asString(opt(table, 'mapping_config'))));
  if ('max_series' in entry) query.set('max_series', String(asInteger(opt(table, 'max_series'), 0, 1e9)));
  seriesQuery(entry, table, opt, query);
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return checkedSpec(`prometheus://${address}${query.size > 0 ? `?${query}` : ''}`, table, file);
}

/** How StatsD series become Prometheus ones (prometheus and remote_write sinks), as query options. */
function seriesQuery(entry: Tables[string], table: string, opt: (t: string, k: string) => RawOption, query: URLSearchParams): void {
  if ('quantiles' in entry) query.set('quantiles', asStringList(opt(table, 'quantiles')).join(','));
  if ('ttl' in entry) query.set('ttl', String(asNumber(opt(table, 'ttl'))));
  if ('timer_unit' in entry) query.set('timer_unit', asString(opt(table, 'timer_unit')));
  if ('histogram_buckets' in entry) query.set('histogram_buckets', asStringList(opt(table, 'histogram_buckets')).join(','));
}

/** A sink's `spool_dir` and `spool_max_bytes`, as the query options of its spec. */
function setSpoolOptions(entry: Tables[string], table: string, opt: (t: string, k: string) => RawOption, query: URLSearchParams): void {
  if ('spool_dir' in entry) query.set('spool_dir', asString(opt(table, 'spool_dir')));
  if ('spool_max_bytes' in entry) {
    query.set('spool_max_bytes', String(asInteger(opt(table, 'spool_max_bytes'), 1, Number.MAX_SAFE_INTEGER)));
  }
}

/** `url`, plus `headers = { NAME = "VALUE" or "env:VAR" }` and options, as one http(s):// URL. */
function httpUrl(entry: Tables[string], table: string, file: string, opt: (t: string, k: string) => RawOption): URL {
  if (!('url' in entry)) throw new ConfigError(file, `${table}.url`, 'missing: this sink needs a url');
  let url: URL;
  try {
    url = new URL(asString(opt(table, 'url')));
  } catch {
    fail(opt(table, 'url'), 'not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(opt(table, 'url'), 'must start with http:// or https://');
  if ('headers' in entry) {
    const headers = entry.headers.value;
    if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) {
      fail(opt(table, 'headers'), 'expected a table: { NAME = "VALUE" or "env:VAR" }');
    }
    for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
      url.searchParams.append('header', `${name}:${asString({ ...opt(table, 'headers'), key: `${table}.headers.${name}`, value })}`);
    }
  }
  if ('timeout' in entry) url.searchParams.set('timeout', String(asNumber(opt(table, 'timeout'))));
  if ('buffer_series' in entry) url.searchParams.set('buffer_series', String(asInteger(opt(table, 'buffer_series'), 1, 1e9)));
  setSpoolOptions(entry, table, opt, url.searchParams);
  return url;
}

/** `host`+`port` or `destinations = ["HOST:PORT[:INSTANCE]", …]`, plus options, as a graphite:// URL. */
function graphiteSpec(entry: Tables[string], table: string, file: string, opt: (t: string, k: string) => RawOption): string {
  let destinations: string[];
  if ('destinations' in entry) {
    if ('host' in entry || 'port' in entry) fail(opt(table, 'destinations'), 'give either host and port, or destinations, not both');
    destinations = asStringList(opt(table, 'destinations'));
  } else {
    if (!('host' in entry)) throw new ConfigError(file, `${table}.host`, 'missing: a graphite sink needs host and port, or destinations');
    const port = 'port' in entry ? asInteger(opt(table, 'port'), 1, 65535) : 2003;
    const host = asString(opt(table, 'host'));
    destinations = [`${host.includes(':') ? `[${host}]` : host}:${port}`];
  }
  const query = new URLSearchParams();
  if ('prefix' in entry) query.set('prefix', asString(opt(table, 'prefix')));
  if ('routing' in entry) query.set('routing', asString(opt(table, 'routing')));
  if ('buffer_lines' in entry) query.set('buffer_lines', String(asInteger(opt(table, 'buffer_lines'), 1, 1e9)));
  if ('timeout' in entry) query.set('timeout', String(asNumber(opt(table, 'timeout'))));
  setSpoolOptions(entry, table, opt, query);
  const spec = `graphite://${destinations.join(',')}${query.size > 0 ? `?${query}` : ''}`;
  try {
    parseSinkSpec(spec);
  } catch (err) {
    throw new ConfigError(file, table, (err as Error).message);
  }
  return spec;
}
