// The Prometheus sink's state and exposition: naming, label merging, cumulative values, ttl,
// both formats. Buckets are built the way the aggregator fills them.

import { describe, expect, it } from 'vitest';
import { createDefaultSketch } from '../../../../src/aggregate/sketch.js';
import { Timer } from '../../../../src/aggregate/timer.js';
import { negotiateFormat, renderExposition } from '../../../../src/sinks/prometheus/exposition.js';
import { escapeHelp, escapeLabelValue, labelName, metricName } from '../../../../src/sinks/prometheus/names.js';
import { parsePrometheusSpec } from '../../../../src/sinks/prometheus/prometheus-options.js';
import { samplesAtOrBelow } from '../../../../src/sinks/prometheus/timer-buckets.js';
import { key, registryHarness } from '../../../helpers/prometheus-registry.js';

/** The registry of a sink in openmetrics compat (these tests) unless `spec` says otherwise. */
const setup = (spec = 'prometheus://127.0.0.1:9102?compat=openmetrics') => registryHarness(parsePrometheusSpec(spec));

describe('Prometheus names', () => {
  it('turns dots and other invalid characters into _, and guards a leading digit', () => {
    expect(metricName('mhv.account.existed')).toBe('mhv_account_existed');
    expect(metricName('api-v2/latency:p95 ok')).toBe('api_v2_latency_p95_ok');
    expect(metricName('5xx.errors')).toBe('_5xx_errors');
    expect(metricName('größe')).toBe('gr__e');
    expect(metricName('already_fine_123')).toBe('already_fine_123');
  });

  it('sanitises label names and keeps clear of reserved and own labels', () => {
    expect(labelName('env')).toBe('env');
    expect(labelName('k8s.pod-name')).toBe('k8s_pod_name');
    expect(labelName('1st')).toBe('_1st');
    expect(labelName('__name__')).toBe('exported___name__');
    expect(labelName('le')).toBe('exported_le');
    expect(labelName('quantile')).toBe('exported_quantile');
  });

  it('escapes label values and HELP text per format', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeHelp('x "y" \\ z\n', false)).toBe('x "y" \\\\ z\\n');
    expect(escapeHelp('x "y"', true)).toBe('x \\"y\\"');
  });

  it('serves OpenMetrics only when the Accept header asks for it', () => {
    const prometheus = [
      'application/openmetrics-text;version=1.0.0', 'application/openmetrics-text;version=0.0.1;q=0.75',
      'text/plain;version=0.0.4;q=0.5', '*/*;q=0.1',
    ].join(',');
    expect(negotiateFormat(prometheus)).toBe('openmetrics');
    expect(negotiateFormat('text/plain;version=0.0.4')).toBe('text');
    expect(negotiateFormat('*/*')).toBe('text');
    expect(negotiateFormat(undefined)).toBe('text');
    expect(negotiateFormat('application/openmetrics-text;q=0, text/plain')).toBe('text');
  });
});

describe('Prometheus exposition', () => {
  it('writes HELP and TYPE once per family, tags as sorted labels, values escaped', () => {
    const { apply, text } = setup();
    apply((b) => {
      b.counter(key('mhv.account.existed', 'region:eu,env:prod'), 3, 1);
      b.counter(key('mhv.account.existed', 'env:dev,region:us'), 1, 1);
      b.gauge(key('queue.depth', 'path:a"b\\c'), 7, false);
      b.set(key('users'), 'alice');
      b.set(key('users'), 'bob');
    });
    expect(text()).toBe([
      '# HELP mhv_account_existed_total StatsD counter mhv.account.existed',
      '# TYPE mhv_account_existed_total counter',
      'mhv_account_existed_total{env="prod",region="eu"} 3',
      'mhv_account_existed_total{env="dev",region="us"} 1',
      '# HELP queue_depth StatsD gauge queue.depth',
      '# TYPE queue_depth gauge',
      'queue_depth{path="a\\"b\\\\c"} 7',
      '# HELP users StatsD set users: distinct members in the last flush interval',
      '# TYPE users gauge',
      'users 2',
      '',
    ].join('\n'));
  });

  it('writes OpenMetrics: counter family without _total, samples with it, # EOF at the end', () => {
    const { apply, text } = setup('prometheus://127.0.0.1:9102?compat=openmetrics&histogram_buckets=1,2.5');
    apply((b) => {
      b.counter(key('jobs.done'), 2, 1);
      b.counter(key('requests.total'), 1, 1);
      b.timer(key('api.latency'), 2, 1);
    });
    expect(text('openmetrics')).toBe([
      '# HELP jobs_done StatsD counter jobs.done',
      '# TYPE jobs_done counter',
      'jobs_done_total 2',
      '# HELP requests StatsD counter requests.total',
      '# TYPE requests counter',
      'requests_total 1',
      '# HELP api_latency StatsD timer api.latency',
      '# TYPE api_latency histogram',
      'api_latency_bucket{le="1.0"} 0',
      'api_latency_bucket{le="2.5"} 1',
      'api_latency_bucket{le="+Inf"} 1',
      'api_latency_sum 2',
      'api_latency_count 1',
      '# EOF',
      '',
    ].join('\n'));
  });

  it('keeps counters cumulative across flushes, and shows a counter incremented by 0', () => {
    const { apply, samples } = setup();
    apply((b) => {
      b.counter(key('deploy.seeded'), 0, 1);
      b.counter(key('hits', 'env:prod'), 5, 1);
    });
    expect(samples()).toEqual(['deploy_seeded_total 0', 'hits_total{env="prod"} 5']);
    apply((b) => b.counter(key('hits', 'env:prod'), 2, 0.5)); // the bucket already divided by the rate: 2
    apply(() => undefined);
    expect(samples()).toEqual(['deploy_seeded_total 0', 'hits_total{env="prod"} 7']);
  });

  it('exposes timers as summaries: quantiles of the last interval, cumulative sum and count', () => {
    const { apply, samples } = setup();
    apply((b) => {
      for (let v = 1; v <= 100; v++) b.timer(key('api.latency', 'env:prod'), v, 1);
    });
    expect(samples()).toEqual([
      'api_latency{env="prod",quantile="0.5"} 50',
      'api_latency{env="prod",quantile="0.9"} 90',
      'api_latency{env="prod",quantile="0.99"} 99',
      'api_latency_sum{env="prod"} 5050',
      'api_latency_count{env="prod"} 100',
    ]);
    apply((b) => b.timer(key('api.latency', 'env:prod'), 1000, 1));
    expect(samples()).toContain('api_latency{env="prod",quantile="0.5"} 1000');
    expect(samples()).toContain('api_latency_count{env="prod"} 101');
    // An interval without samples has no quantiles; sum and count stay.
    apply(() => undefined);
    expect(samples()).toEqual([
      'api_latency{env="prod",quantile="0.5"} NaN',
      'api_latency{env="prod",quantile="0.9"} NaN',
      'api_latency{env="prod",quantile="0.99"} NaN',
      'api_latency_sum{env="prod"} 6050',
      'api_latency_count{env="prod"} 101',
    ]);
  });

  it('scales sampled timers so that _sum / _count stays the mean and _count the event count', () => {
    const { apply, samples } = setup();
    apply((b) => {
      b.timer(key('t'), 10, 0.1);
      b.timer(key('t'), 30, 0.1);
    });
    expect(samples()).toContain('t_count 20');
    expect(samples()).toContain('t_sum 400');
  });

  it('converts timers to seconds on request, names and values', () => {
    const { apply, samples } = setup('prometheus://127.0.0.1:9102?compat=openmetrics&timer_unit=seconds&quantiles=0.5');
    apply((b) => {
      b.timer(key('api.latency'), 250, 1);
      b.timer(key('db.query_seconds'), 70, 1);
    });
    expect(samples()).toEqual([
      'api_latency_seconds{quantile="0.5"} 0.25',
      'api_latency_seconds_sum 0.25',
      'api_latency_seconds_count 1',
      'db_query_seconds{quantile="0.5"} 0.07',
      'db_query_seconds_sum 0.07',
      'db_query_seconds_count 1',
    ]);
  });

  it('counts histogram buckets exactly for exact samples, cumulatively across flushes', () => {
    const { apply, samples } = setup('prometheus://127.0.0.1:9102?compat=openmetrics&timer_unit=seconds&histogram_buckets=0.01,0.07,0.1,1');
    apply((b) => {
      for (const v of [5, 10, 10, 69, 70, 71, 100, 2000]) b.timer(key('rpc'), v, 1);
    });
    apply((b) => b.timer(key('rpc'), 70, 1));
    expect(samples()).toEqual([
      'rpc_seconds_bucket{le="0.01"} 3',
      'rpc_seconds_bucket{le="0.07"} 6',
      'rpc_seconds_bucket{le="0.1"} 8',
      'rpc_seconds_bucket{le="1"} 8',
      'rpc_seconds_bucket{le="+Inf"} 9',
      'rpc_seconds_sum 2.405',
      'rpc_seconds_count 9',
    ]);
  });

  it('exposes one name with different label names as one family, missing labels empty, warning once', () => {
    const { apply, samples, text, warnings } = setup();
    apply((b) => {
      b.gauge(key('temp', 'room:kitchen'), 21, false);
      b.gauge(key('temp', 'floor:1'), 19, false);
      b.gauge(key('temp'), 20, false);
    });
    apply((b) => b.gauge(key('temp', 'floor:2,room:hall'), 18, false));
    expect(samples()).toEqual([
      'temp{floor="",room="kitchen"} 21',
      'temp{floor="1",room=""} 19',
      'temp{floor="",room=""} 20',
      'temp{floor="2",room="hall"} 18',
    ]);
    expect(text().match(/# TYPE temp gauge/g)).toHaveLength(1);
    expect(warnings.filter((w) => w.metric === 'temp')).toHaveLength(1);
  });

  it('sanitises tags into labels: bare tags read "true", colliding names keep the first, own labels are prefixed', () => {
    const { apply, samples } = setup();
    apply((b) => b.timer(key('t', 'canary,a.b:1,a_b:2,quantile:x,__name__:y'), 1, 1));
    expect(samples()[0]).toBe('t{a_b="1",canary="true",exported___name__="y",exported_quantile="x",quantile="0.5"} 1');
  });

  it('drops an update whose name has a family of another type, counted, warning once per name', () => {
    const { registry, apply, samples, warnings } = setup();
    apply((b) => {
      b.counter(key('api.request'), 1, 1);
      b.timer(key('api.request'), 12, 1);
      b.counter(key('neg'), -3, 1);
    });
    apply((b) => b.timer(key('api.request'), 12, 1));
    expect(samples()).toEqual(['api_request_total 1']);
    expect(registry.rejectedUpdates).toBe(3);
    expect(warnings.map((w) => w.msg)).toEqual([
      expect.stringContaining('negative counter increment dropped'),
      expect.stringContaining('summary dropped: the name is already a counter'),
    ]);
  });

  it('shows a set size and quantiles only for the interval they came from; gauges and counters stay', () => {
    const { apply, samples } = setup('prometheus://127.0.0.1:9102?compat=openmetrics&quantiles=0.5');
    apply((b) => {
      b.set(key('users'), 'a');
      b.gauge(key('g'), 3, false);
      b.kv(key('kv'), 1);
      b.kv(key('kv'), 4);
    });
    expect(samples()).toEqual(['g 3', 'users 1', 'kv 4']);
    apply(() => undefined);
    expect(samples()).toEqual(['g 3', 'users 0', 'kv 4']);
  });

  it('drops series not updated for ttl from the exposition and from memory', () => {
    const { registry, apply, samples } = setup('prometheus://127.0.0.1:9102?compat=openmetrics&ttl=60');
    apply((b) => {
      b.counter(key('old'), 1, 1);
      b.counter(key('kept'), 1, 1);
    }, 0);
    apply((b) => b.counter(key('kept'), 1, 1), 30_000);
    expect(samples('text', 60_000)).toEqual(['old_total 1', 'kept_total 2']);
    expect(samples('text', 60_001)).toEqual(['kept_total 2']);
    for (const _ of registry.expire(60_001));
    expect([...registry.families.keys()]).toEqual(['kept']);
    // Back after expiry: a fresh counter, which Prometheus reads as a reset.
    apply((b) => b.counter(key('old'), 5, 1), 61_000);
    expect(samples('text', 61_000)).toEqual(['kept_total 2', 'old_total 5']);
  });

  it('keeps series forever with ttl=0', () => {
    const { registry, apply, samples } = setup('prometheus://127.0.0.1:9102?compat=openmetrics&ttl=0');
    apply((b) => b.counter(key('c'), 1, 1), 0);
    for (const _ of registry.expire(1e12));
    expect(samples('text', 1e12)).toEqual(['c_total 1']);
  });

  it('renders a big registry in slices', () => {
    const { apply, text, registry } = setup();
    apply((b) => {
      for (let i = 0; i < 5000; i++) b.counter(key('c', `i:${i}`), i, 1);
    });
    const slices = [...renderExposition(registry, 'openmetrics', 0)];
    expect(slices.length).toBeGreaterThanOrEqual(3);
    expect(slices.join('')).toBe(text('openmetrics'));
    expect(slices.join('').match(/^# TYPE/gm)).toHaveLength(1);
  });
});

describe('histogram bucket counts from a timer', () => {
  it('are exact while the timer holds exact samples', () => {
    const t = new Timer(createDefaultSketch);
    const values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
    for (const v of values) t.add(v, 1);
    for (const bound of [0, 1, 2, 4.5, 5, 8.99, 9, 100]) {
      expect(samplesAtOrBelow(t, bound)).toBe(values.filter((v) => v <= bound).length);
    }
  });

  it('are within the sketch rank error once the timer uses its sketch', () => {
    const t = new Timer(createDefaultSketch);
    const n = 50_000;
    for (let i = 0; i < n; i++) t.add((i * 7919) % n, 1); // 0 … n−1, shuffled
    for (const bound of [100, 5_000, 25_000, 49_000]) {
      expect(Math.abs(samplesAtOrBelow(t, bound) - (bound + 1))).toBeLessThan(n * 0.01);
    }
  });
});
