// The Prometheus sink in its default compat, statsd_exporter's: names, units, windows, gauges,
// conflicts, the series bound, the mapping config applied per new series, and the operational
// series. Buckets are built the way the aggregator fills them.

import { describe, expect, it } from 'vitest';
import { parseMappingYaml } from '../../../../src/sinks/prometheus/mapping/mapping-file.js';
import { exporterName } from '../../../../src/sinks/prometheus/names.js';
import { renderOperationalSeries } from '../../../../src/sinks/prometheus/operational-series.js';
import { parsePrometheusSpec } from '../../../../src/sinks/prometheus/prometheus-options.js';
import { key, registryHarness } from '../../../helpers/prometheus-registry.js';

const MINUTE = 60_000;

/** The registry of a sink at its defaults (statsd_exporter compat), plus `query` and a mapping file. */
function setup(query = '', mappingYaml: string | null = null) {
  const options = parsePrometheusSpec(`prometheus://127.0.0.1:9102${query}`);
  if (mappingYaml !== null) options.mapping = parseMappingYaml(mappingYaml, 'mapping.yml');
  const harness = registryHarness(options);
  return { ...harness, text: (now = 0) => harness.text('text', now), samples: (now = 0) => harness.samples('text', now) };
}

describe("statsd_exporter's name escaping", () => {
  it('one _ per invalid character (code point), -- as one, a leading digit guarded', () => {
    expect(exporterName('web.logins')).toBe('web_logins');
    expect(exporterName('a..b')).toBe('a__b');
    expect(exporterName('a--b')).toBe('a_b');
    expect(exporterName('a---b')).toBe('a_b');
    expect(exporterName('a-.-b')).toBe('a___b');
    expect(exporterName('größe')).toBe('gr__e');
    expect(exporterName('5xx.errors')).toBe('_5xx_errors');
    expect(exporterName('ok_123')).toBe('ok_123');
  });
});

describe('exporter compat exposition', () => {
  it('counters keep their name and type, cumulative; ms in seconds; h and d not scaled', () => {
    const { apply, text } = setup();
    apply((b) => {
      b.counter(key('web.logins'), 2, 1);
      b.counter(key('http.requests.total', 'code:200'), 1, 1);
      b.timer(key('api.latency', 'method:GET'), 450, 1);
      b.timer(key('payload.bytes'), 512, 1, 0, 0, true);
    });
    apply((b) => b.counter(key('web.logins'), 3, 1));
    expect(text()).toBe([
      '# HELP web_logins StatsD counter web.logins',
      '# TYPE web_logins counter',
      'web_logins 5',
      '# HELP http_requests_total StatsD counter http.requests.total',
      '# TYPE http_requests_total counter',
      'http_requests_total{code="200"} 1',
      '# HELP api_latency StatsD timer api.latency',
      '# TYPE api_latency summary',
      'api_latency{method="GET",quantile="0.5"} 0.45',
      'api_latency{method="GET",quantile="0.9"} 0.45',
      'api_latency{method="GET",quantile="0.99"} 0.45',
      'api_latency_sum{method="GET"} 0.45',
      'api_latency_count{method="GET"} 1',
      '# HELP payload_bytes StatsD timer payload.bytes',
      '# TYPE payload_bytes summary',
      'payload_bytes{quantile="0.5"} 512',
      'payload_bytes{quantile="0.9"} 512',
      'payload_bytes{quantile="0.99"} 512',
      'payload_bytes_sum 512',
      'payload_bytes_count 1',
      '',
    ].join('\n'));
  });

  it('quantiles cover a sliding window of 10 minutes in 5 age buckets, not the last interval', () => {
    const { apply, samples } = setup('?quantiles=0.5');
    apply((b) => b.timer(key('t'), 100, 1), 0);
    apply(() => undefined, 5 * MINUTE); // an empty interval: the window still holds the sample
    expect(samples(5 * MINUTE)).toContain('t{quantile="0.5"} 0.1');
    apply((b) => b.timer(key('t'), 300, 1), 9 * MINUTE);
    expect(samples(9 * MINUTE)[0]).toBe('t{quantile="0.5"} 0.1'); // both samples in the window: nearest rank
    // At 10 min the first age bucket (0–2 min) has left the window; the one of 8–10 min stays until 18 min.
    expect(samples(10 * MINUTE)[0]).toBe('t{quantile="0.5"} 0.3');
    expect(samples(18 * MINUTE - 1)[0]).toBe('t{quantile="0.5"} 0.3');
    expect(samples(18 * MINUTE)).toEqual(['t{quantile="0.5"} NaN', 't_sum 0.4', 't_count 2']);
  });

  it('a sampled timer line counts int(1/rate) observations, its sum scaled to match', () => {
    const { apply, samples } = setup('?quantiles=0.5');
    apply((b) => {
      b.timer(key('t'), 10, 0.1);
      b.timer(key('t'), 30, 0.1);
    });
    expect(samples()).toEqual(['t{quantile="0.5"} 0.01', 't_sum 0.4', 't_count 20']);
  });

  it('gauges persist across flushes and +/- deltas move the exposed value', () => {
    const { apply, samples } = setup();
    apply((b) => b.gauge(key('g'), 10, false));
    apply((b) => b.gauge(key('g'), 5, true));
    apply(() => undefined);
    apply((b) => b.gauge(key('g'), -20, true));
    expect(samples()).toEqual(['g -5']);
    apply((b) => {
      b.gauge(key('g'), 2, true);
      b.gauge(key('g'), 7, false);
      b.gauge(key('g'), 1, true);
    });
    expect(samples()).toEqual(['g 8']);
  });

  it('keeps series forever by default (ttl 0), and a counter at 0 stays to see its first increment', () => {
    const { apply, samples } = setup();
    apply((b) => b.counter(key('deploy.marker', 'env:prod'), 0, 1), 0);
    for (let m = 1; m <= 30; m++) apply(() => undefined, m * MINUTE);
    expect(samples(30 * MINUTE)).toEqual(['deploy_marker{env="prod"} 0']);
    apply((b) => b.counter(key('deploy.marker', 'env:prod'), 1, 1), 31 * MINUTE);
    expect(samples(31 * MINUTE)).toEqual(['deploy_marker{env="prod"} 1']);
  });

  it('tags without a value or name are tag errors and left out; hostile label names are renamed', () => {
    const { registry, apply, samples } = setup();
    apply((b) => b.counter(key('c', 'canary,:x,ok:1,__name__:evil,quantile:q,le:l,k8s.pod-name:p'), 1, 1));
    expect(samples()).toEqual(['c{exported___name__="evil",exported_le="l",exported_quantile="q",k8s_pod_name="p",ok="1"} 1']);
    expect(registry.counts.tagErrors).toBe(2);
    apply((b) => b.counter(key('c', 'canary,:x,ok:1,__name__:evil,quantile:q,le:l,k8s.pod-name:p'), 1, 1));
    expect(registry.counts.tagErrors).toBe(2); // once per new series, not per flush
  });

  it('refuses a second type under a name, and names whose samples collide, counted by type', () => {
    const { registry, apply, samples, warnings } = setup();
    apply((b) => {
      b.counter(key('api.request'), 1, 1);
      b.timer(key('api.request'), 12, 1);
      b.timer(key('rpc'), 12, 1);
    });
    apply((b) => {
      b.counter(key('rpc.count'), 1, 1);
      b.gauge(key('rpc_sum'), 1, false);
    });
    expect(samples().filter((l) => !l.startsWith('rpc{'))).toEqual(['api_request 1', 'rpc_sum 0.012', 'rpc_count 1']);
    expect(registry.counts.conflicts).toEqual({ counter: 1, gauge: 1, observer: 1 });
    expect(warnings.map((w) => w.msg)).toEqual([
      'summary dropped: the name is already a counter api_request (api.request); Prometheus allows one type per name',
      'counter dropped: its samples would collide with those of the summary rpc (rpc); Prometheus allows one type per name',
      'gauge dropped: its samples would collide with those of the summary rpc (rpc); Prometheus allows one type per name',
    ]);
  });

  it('bounds the registry by max_series: new series past it are dropped, counted and warned about by prefix', () => {
    const { registry, apply, samples, warnings } = setup('?max_series=2');
    apply((b) => {
      for (const n of ['a.one', 'a.two', 'app.burst.x1', 'app.burst.x2']) b.counter(key(n), 1, 1);
    });
    expect(samples()).toEqual(['a_one 1', 'a_two 1']);
    expect(registry.rejectedUpdates).toBe(2);
    expect(warnings[0]).toMatchObject({ limit: 'sink prometheus max_series', maxSeries: 2, topPrefixes: { 'app.burst': 2 } });
  });

  it('a set is a gauge of its distinct members; kv a gauge of the newest value', () => {
    const { apply, samples } = setup();
    apply((b) => {
      b.set(key('users'), 'a');
      b.set(key('users'), 'b');
      b.kv(key('build'), 7);
      b.kv(key('build'), 8);
    });
    expect(samples()).toEqual(['users 2', 'build 8']);
  });
});

describe('exporter compat with a mapping config', () => {
  const MAPPING = `
defaults:
  ttl: 1m
mappings:
- match: "test.dispatcher.*.*.*"
  name: "dispatcher_events_total"
  help: "Dispatcher events"
  labels:
    processor: "$1"
    action: "$2"
    outcome: "$3"
- match: "rpc.*.latency"
  name: "rpc_latency_seconds"
  observer_type: histogram
  histogram_options:
    buckets: [0.05, 0.1, 0.5]
  labels:
    service: "$1"
- match: "honor.*"
  name: "honor"
  honor_labels: true
  labels:
    env: "$1"
- match: "bytes.in"
  name: "bytes_in_kilobytes"
  scale: 0.001
- match: "noise.*"
  action: drop
  name: "dropped"
- match: "(.*)\\\\.empty"
  match_type: regex
  name: "$9"
`;

  it('maps names and labels, applies help, histograms with their buckets, scale, honor_labels, drop', () => {
    const { registry, apply, text } = setup('', MAPPING);
    apply((b) => {
      b.counter(key('test.dispatcher.FooProcessor.send.success'), 2, 1);
      b.timer(key('rpc.users.latency'), 70, 1);
      b.timer(key('rpc.users.latency'), 300, 1);
      b.timer(key('rpc.users.latency'), 900, 1);
      b.counter(key('honor.staging', 'env:prod'), 1, 1);
      b.counter(key('bytes.in'), 2500, 1);
      b.counter(key('noise.a'), 5, 1);
      b.gauge(key('x.empty'), 1, false);
      b.counter(key('unmapped.thing'), 1, 1);
    });
    expect(text()).toBe([
      '# HELP dispatcher_events_total Dispatcher events',
      '# TYPE dispatcher_events_total counter',
      'dispatcher_events_total{action="send",outcome="success",processor="FooProcessor"} 2',
      '# HELP honor StatsD counter honor.staging',
      '# TYPE honor counter',
      'honor{env="prod"} 1',
      '# HELP bytes_in_kilobytes StatsD counter bytes.in',
      '# TYPE bytes_in_kilobytes counter',
      'bytes_in_kilobytes 2.5',
      '# HELP unmapped_thing StatsD counter unmapped.thing',
      '# TYPE unmapped_thing counter',
      'unmapped_thing 1',
      '# HELP rpc_latency_seconds StatsD timer rpc.users.latency',
      '# TYPE rpc_latency_seconds histogram',
      'rpc_latency_seconds_bucket{service="users",le="0.05"} 0',
      'rpc_latency_seconds_bucket{service="users",le="0.1"} 1',
      'rpc_latency_seconds_bucket{service="users",le="0.5"} 2',
      'rpc_latency_seconds_bucket{service="users",le="+Inf"} 3',
      'rpc_latency_seconds_sum{service="users"} 1.27',
      'rpc_latency_seconds_count{service="users"} 3',
      '',
    ].join('\n'));
    expect(registry.counts).toMatchObject({
      // Events are samples (noise.a sent one), as the exporter counts lines; dropped ones are not events.
      events: { counter: 4, gauge: 0, observer: 3 }, unmapped: 1, actions: { map: 6, drop: 1 }, errors: { empty_metric_name: 1 },
    });
  });

  it("takes the mapping's ttl (here the file's default of 1m)", () => {
    const { apply, samples } = setup('', MAPPING);
    apply((b) => b.counter(key('unmapped.thing'), 1, 1), 0);
    expect(samples(MINUTE)).toEqual(['unmapped_thing 1']);
    apply(() => undefined, MINUTE + 1);
    expect(samples(MINUTE + 1)).toEqual([]);
  });

  it('maps once per new series: a changed mapping applies to series met after it, the others stay', () => {
    const { registry, apply, samples } = setup('', 'mappings:\n- match: "a.*"\n  name: "first"\n  labels:\n    xx: "$1"\n');
    apply((b) => b.counter(key('a.b'), 1, 1));
    registry.setMapping(parseMappingYaml('mappings:\n- match: "a.*"\n  name: "second"\n', 'mapping.yml'));
    apply((b) => b.counter(key('a.b'), 1, 1));
    expect(samples()).toEqual(['first{xx="b"} 1', 'second 1']);
  });

  it('renders the operational series under statsite_ts_ names with the exporter labels', () => {
    const { registry, apply } = setup('', MAPPING);
    apply((b) => b.counter(key('noise.a'), 5, 1));
    const families = { counter: 1, gauge: 0, set: 1, summary: 0, histogram: 2 };
    const text = renderOperationalSeries(registry.counts, families, registry.loadedMappings, {
      'lines.udp': 3, 'lines.tcp': 4, 'datagrams.udp': 2, 'connections.tcp': 1, 'parse_errors.total': 2, 'parse_errors.bad_value': 2,
    });
    const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(lines).toEqual(expect.arrayContaining([
      'statsite_ts_events_actions_total{action="drop"} 1',
      'statsite_ts_lines_total 7',
      'statsite_ts_udp_packets_total 2',
      'statsite_ts_tcp_connections_total 1',
      'statsite_ts_sample_errors_total{reason="bad_value"} 2',
      'statsite_ts_metrics_total{type="gauge"} 1',
      'statsite_ts_metrics_total{type="histogram"} 2',
      'statsite_ts_loaded_mappings 6',
      'statsite_ts_events_conflict_total{type="counter"} 0',
      'statsite_ts_tag_errors_total 0',
    ]));
    expect(text).toContain('# TYPE statsite_ts_events_total counter\n');
  });
});
