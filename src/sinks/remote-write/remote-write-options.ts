// The remote-write sink's settings, from its URL:
//   remote-write+http[s]://HOST[:PORT][/PATH][?timeout=10&buffer_series=1000000&header=NAME:VALUE…
//                          &quantiles=0.5,0.9,0.99&ttl=600&timer_unit=milliseconds|seconds&histogram_buckets=…]
// `remote-write+` says what is sent, the rest is where: the transport options are the HTTP sink's
// (http-options.ts: timeout, buffer_series, secret headers), the series options the Prometheus
// sink's (prometheus-options.ts), so one statsite-ts metric becomes the same Prometheus series
// whether it is scraped or written. Without a path the URL gets `/api/v1/write`, where both
// Prometheus and VictoriaMetrics take remote write.

import { parseHttpSpec, type HttpOptions } from '../delivery/http-options.js';
import { parseSeriesOptions, SERIES_KEYS, type SeriesOptions } from '../prometheus/prometheus-options.js';

export const REMOTE_WRITE_PREFIX = 'remote-write+';
const DEFAULT_PATH = '/api/v1/write';

export interface RemoteWriteOptions {
  http: HttpOptions;
  series: SeriesOptions;
}

export function parseRemoteWriteSpec(spec: string, env: NodeJS.ProcessEnv = process.env): RemoteWriteOptions {
  let url: URL;
  try {
    url = new URL(spec.slice(REMOTE_WRITE_PREFIX.length));
  } catch {
    throw new Error(`sink "${spec.split('?')[0]}": not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`sink "${spec.split('?')[0]}": must be remote-write+http:// or remote-write+https://`);
  if (url.pathname === '/') url.pathname = DEFAULT_PATH;
  // Errors name the sink without its query: header values may be secrets.
  const series = parseSeriesOptions(url.searchParams, `${REMOTE_WRITE_PREFIX}${url.protocol}//${url.host}${url.pathname}`);
  for (const key of SERIES_KEYS) url.searchParams.delete(key);
  const http = parseHttpSpec(url.toString(), env);
  return { http: { ...http, displayName: REMOTE_WRITE_PREFIX + http.displayName }, series };
}
