// The HTTP sink's settings, from its URL:
//   http[s]://HOST[:PORT]/PATH[?timeout=10&buffer_series=1000000&header=NAME:VALUE&header=NAME:env:VAR…
//                               &spool_dir=DIR&spool_max_bytes=N]
// `timeout`, `buffer_series`, `header` and the spool's are the sink's own and are taken off the URL; any other
// query parameter stays on the URL that is POSTed to. A header value `env:VAR` is read from the
// environment when the config is loaded (an unset variable stops the start or the reload), so
// secrets need not sit in the config. Header values never appear in logs or errors: the sink's
// name has no query and no userinfo.

import { join } from 'node:path';
import { MAX_TIMEOUT_SECONDS } from '../../util/bounded-wait.js';
import { fileNamePart, unusableDirectory } from '../../util/directory-check.js';
import { lazyPackage } from '../../util/lazy-package.js';

/** Only an HTTP-based sink's spec needs it, and every start parses the specs. */
const crypto = lazyPackage<typeof import('node:crypto')>('node:crypto');

export interface HttpOptions {
  /** The URL POSTed to, the sink's own options removed. */
  url: string;
  /** scheme://host:port/path, for logs and /ready. */
  displayName: string;
  /** Extra request headers, values resolved. */
  headers: Record<string, string>;
  timeoutMs: number;
  /** Most series held while the endpoint is down; past it the oldest documents are dropped. */
  bufferSeries: number;
  /** Queue the documents on disk in this sink's own folder here, so a restart during an outage loses nothing. */
  spoolDir: string | null;
  spoolMaxBytes: number;
}

export const HTTP_DEFAULTS = { timeoutSeconds: 10, bufferSeries: 1_000_000, spoolMaxBytes: 1024 ** 3 };

const OWN_KEYS = ['timeout', 'buffer_series', 'header', 'spool_dir', 'spool_max_bytes'];
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function parseHttpSpec(spec: string, env: NodeJS.ProcessEnv = process.env): HttpOptions {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new Error(`sink "${spec.split('?')[0]}": not a valid URL`);
  }
  const displayName = `${url.protocol}//${url.host}${url.pathname}`;
  const fail = (reason: string): never => {
    throw new Error(`sink "${displayName}": ${reason}`);
  };
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('the URL must start with http:// or https://');
  if (url.username !== '' || url.password !== '') fail('put credentials in a header (header=Authorization:env:VAR), not in the URL');

  const headers: Record<string, string> = {};
  for (const item of url.searchParams.getAll('header')) {
    const colon = item.indexOf(':');
    const name = colon < 0 ? '' : item.slice(0, colon).trim();
    if (!TOKEN.test(name)) fail('each header option must read NAME:VALUE or NAME:env:VAR, with a valid header name');
    let value = item.slice(colon + 1).trim();
    if (value.startsWith('env:')) {
      const variable = value.slice('env:'.length);
      value = env[variable] ?? fail(`header ${name} reads the environment variable ${variable}, which is not set`);
    }
    if (/[\r\n\0]/.test(value)) fail(`header ${name}: the value may not contain line breaks`);
    headers[name.toLowerCase()] = value;
  }
  const timeout = Number(url.searchParams.get('timeout') ?? HTTP_DEFAULTS.timeoutSeconds);
  if (!(timeout > 0 && timeout <= MAX_TIMEOUT_SECONDS)) fail(`timeout must be a number of seconds > 0 and at most ${MAX_TIMEOUT_SECONDS}`);
  const bufferSeries = Number(url.searchParams.get('buffer_series') ?? HTTP_DEFAULTS.bufferSeries);
  if (!Number.isInteger(bufferSeries) || bufferSeries < 1) fail('buffer_series must be a whole number ≥ 1');

  const spoolMaxBytes = Number(url.searchParams.get('spool_max_bytes') ?? HTTP_DEFAULTS.spoolMaxBytes);
  if (!Number.isInteger(spoolMaxBytes) || spoolMaxBytes < 1) fail('spool_max_bytes must be a whole number ≥ 1');
  const spoolBase = url.searchParams.get('spool_dir') || null;
  for (const key of OWN_KEYS) url.searchParams.delete(key);
  url.hash = '';
  // Its own folder per URL posted to (the query included, hashed so the name stays short), so two sinks never share one.
  const urlHash = crypto().createHash('sha1').update(url.toString()).digest('hex').slice(0, 12);
  const spoolDir = spoolBase === null ? null : join(spoolBase, `${fileNamePart(`${url.host}${url.pathname}`).slice(0, 120)}_${urlHash}`);
  const unusable = spoolDir === null ? null : unusableDirectory(spoolDir);
  if (unusable !== null) fail(`spool_dir cannot be used: ${unusable}`);

  return { url: url.toString(), displayName, headers, timeoutMs: timeout * 1000, bufferSeries, spoolDir, spoolMaxBytes };
}
