// The remote-write sink: its spec, the WriteRequest it encodes (decoded back here with the same
// schema), and delivery to a loopback receiver (headers, snappy body, cumulative counters).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Bucket } from '../../../../src/aggregate/bucket.js';
import { createDefaultSketch } from '../../../../src/aggregate/sketch.js';
import { loadConfigFile } from '../../../../src/config/load-config.js';
import { seriesKey } from '../../../../src/model/series-key.js';
import { canonicalTags } from '../../../../src/protocol/tags.js';
import { parseSinkSpec } from '../../../../src/sinks/registry.js';
import type { SeriesOptions } from '../../../../src/sinks/prometheus/prometheus-options.js';
import { SeriesRegistry } from '../../../../src/sinks/prometheus/series-registry.js';
import { parseRemoteWriteSpec } from '../../../../src/sinks/remote-write/remote-write-options.js';
import { RemoteWriteSink } from '../../../../src/sinks/remote-write/remote-write-sink.js';
import { decodeWriteRequest, encodeWriteRequest, type TimeSeries } from '../../../../src/sinks/remote-write/write-request.js';
import { renderWriteRequests, SERIES_PER_REQUEST } from '../../../../src/sinks/remote-write/write-requests.js';
import { HttpReceiver } from '../../../helpers/http-receiver.js';
import { waitFor } from '../../../helpers/wait.js';

const log = pino({ level: 'silent' });
const key = (name: string, tags = '') => seriesKey(name, canonicalTags(tags));

function bucketWith(fill: (b: Bucket) => void): Bucket {
  const b = new Bucket({ histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 });
  fill(b);
  return b;
}

/** `name{a="1",b="2"}` → value, for compact assertions. */
function byName(timeseries: TimeSeries[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const ts of timeseries) {
    const name = ts.labels.find((l) => l.name === '__name__')!.value;
    const rest = ts.labels.filter((l) => l.name !== '__name__').map((l) => `${l.name}="${l.value}"`).join(',');
    out[rest === '' ? name : `${name}{${rest}}`] = ts.samples[0].value;
  }
  return out;
}

describe('remote-write spec', () => {
  it('splits transport options (the HTTP sink’s) from series options (the Prometheus sink’s)', () => {
    const query = 'timeout=3&quantiles=0.5,0.99&timer_unit=seconds&header=X-Scope:team&extra=1';
    const o = parseRemoteWriteSpec(`remote-write+https://vm.example:8428/api/v1/write?${query}`);
    expect(o.http.url).toBe('https://vm.example:8428/api/v1/write?extra=1');
    expect(o.http.displayName).toBe('remote-write+https://vm.example:8428/api/v1/write');
    expect(o.http.timeoutMs).toBe(3000);
    expect(o.http.headers).toEqual({ 'x-scope': 'team' });
    expect(o.series).toMatchObject({ quantiles: [0.5, 0.99], timerUnit: 'seconds', histogramBuckets: null, ttlMs: 600_000 });
  });

  it('defaults the path to /api/v1/write and refuses what it cannot use, without echoing the query', () => {
    expect(parseRemoteWriteSpec('remote-write+http://127.0.0.1:9090').http.url).toBe('http://127.0.0.1:9090/api/v1/write');
    expect(() => parseRemoteWriteSpec('remote-write+ftp://x/')).toThrow(/remote-write\+http/);
    expect(() => parseRemoteWriteSpec('remote-write+http://x:1/w?quantiles=2&header=A:secret')).toThrow(
      /^sink "remote-write\+http:\/\/x:1\/w": each quantile/,
    );
    expect(parseSinkSpec('remote-write+http://x:1/w').type).toBe('remote_write');
  });

  it('is a [[sinks]] type = "remote_write" entry in the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-rw-'));
    const path = join(dir, 'c.toml');
    writeFileSync(path, [
      '[[sinks]]', 'type = "remote_write"', 'url = "http://127.0.0.1:8428/api/v1/write"', 'timeout = 2', 'quantiles = [0.5]',
      'headers = { X-Org = "a" }', '',
    ].join('\n'));
    expect(loadConfigFile(path).sinks).toEqual([
      'remote-write+http://127.0.0.1:8428/api/v1/write?header=X-Org%3Aa&timeout=2&quantiles=0.5',
    ]);
  });
});

/** Remote write's series options: always openmetrics. */
const seriesOptions = (quantiles: number[]): SeriesOptions => ({
  compat: 'openmetrics', quantiles, ttlMs: 0, timerUnit: 'milliseconds', histogramBuckets: null, maxSeries: 0, mapping: null,
});

describe('WriteRequest encoding', () => {
  it('round-trips through protobuf and snappy', () => {
    const series: TimeSeries[] = [
      { labels: [{ name: '__name__', value: 'up' }, { name: 'job', value: 'x' }], samples: [{ value: 1.5, timestamp: 1795431836000 }] },
    ];
    const body = encodeWriteRequest(series);
    expect(decodeWriteRequest(body).timeseries).toEqual(series);
  });

  it('writes cumulative counters, summaries with _sum/_count, gauges and sets, labels sorted', () => {
    const registry = new SeriesRegistry(seriesOptions([0.5, 0.9]), log);
    const render = (ts: number) => {
      const bodies: Uint8Array[] = [];
      for (const _ of renderWriteRequests(registry, ts, 0, (body) => bodies.push(body)));
      return bodies.flatMap((b) => decodeWriteRequest(b).timeseries);
    };
    const flush = (fill: (b: Bucket) => void) => {
      for (const _ of registry.apply(bucketWith(fill), 0));
    };
    flush((b) => {
      b.counter(key('api.hits', 'env:prod,Zone:eu'), 3, 1);
      b.timer(key('api.time'), 10, 1);
      b.timer(key('api.time'), 30, 1);
      b.gauge(key('queue'), 7, false);
      b.set(key('users'), 'alice');
    });
    flush((b) => b.counter(key('api.hits', 'env:prod,Zone:eu'), 2, 1));
    const series = render(1000);
    expect(byName(series)).toMatchObject({
      'api_hits_total{Zone="eu",env="prod"}': 5,
      'api_time_sum': 40,
      'api_time_count': 2,
      queue: 7,
      users: 0, // a set's size belongs to its interval: the second flush had no member
    });
    // The timer had no samples in the latest flush: its quantiles are NaN, as a scrape shows them.
    expect(Number.isNaN(byName(series)['api_time{quantile="0.5"}'])).toBe(true);
    // Prometheus wants label names sorted; upper case sorts before `__name__`.
    const hits = series.find((s) => s.labels.some((l) => l.value === 'api_hits_total'))!;
    expect(hits.labels.map((l) => l.name)).toEqual(['Zone', '__name__', 'env']);
    expect(series.every((s) => s.samples.length === 1 && s.samples[0].timestamp === 1000)).toBe(true);
  });

  it('cuts a large flush into requests of about SERIES_PER_REQUEST time series', () => {
    const registry = new SeriesRegistry(seriesOptions([0.5]), log);
    for (const _ of registry.apply(bucketWith((b) => {
      for (let i = 0; i < 2 * SERIES_PER_REQUEST + 10; i++) b.gauge(key(`g${i}`), i, false);
    }), 0));
    const sizes: number[] = [];
    for (const _ of renderWriteRequests(registry, 0, 0, (_body, n) => sizes.push(n)));
    expect(sizes).toEqual([SERIES_PER_REQUEST, SERIES_PER_REQUEST, 10]);
  });
});

describe('RemoteWriteSink', () => {
  const endpoint = new HttpReceiver((body) => decodeWriteRequest(body).timeseries);
  afterEach(() => endpoint.stop());

  it('POSTs snappy protobuf with the remote-write headers, retrying a 5xx', async () => {
    const answers = [503];
    endpoint.answer = () => answers.shift() ?? 204;
    await endpoint.start(0);
    const sink = new RemoteWriteSink(parseRemoteWriteSpec(`remote-write+http://127.0.0.1:${endpoint.port}/api/v1/write`), log);

    await sink.flush(bucketWith((b) => b.counter(key('jobs'), 4, 1)), 100);
    await sink.flush(bucketWith((b) => b.counter(key('jobs'), 1, 1)), 110);
    await waitFor(() => endpoint.received.length === 2, { timeoutMs: 5000, what: 'two requests' });
    await sink.close();

    expect(endpoint.received[0].headers).toMatchObject({
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
    });
    const totals = endpoint.bodies.map((series) => [byName(series).jobs_total, series[0].samples[0].timestamp]);
    expect(totals).toEqual([[4, 100_000], [5, 110_000]]);
    expect(sink.counters()).toMatchObject({ sentLines: 2, droppedLines: 0, bufferedLines: 0 });
  });
});
