// The exporter's mapping language, case by case: the examples of its README (v0.23) and the
// ordering rules of its mapper (pkg/mapper), plus the load-time checks with file, line and reason.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { goDurationMs } from '../../../../../src/sinks/prometheus/mapping/go-duration.js';
import { expandGoTemplate, toJsRegExp } from '../../../../../src/sinks/prometheus/mapping/go-regexp.js';
import { MappingError, parseMappingYaml } from '../../../../../src/sinks/prometheus/mapping/mapping-file.js';
import { fillGlobTemplate, MetricMapper } from '../../../../../src/sinks/prometheus/mapping/metric-mapper.js';
import type { MatchMetricType } from '../../../../../src/sinks/prometheus/mapping/mapping-config.js';

const mapperOf = (yaml: string): MetricMapper => new MetricMapper(parseMappingYaml(yaml, 'mapping.yml'));

function mapped(mapper: MetricMapper, name: string, type: MatchMetricType = 'counter') {
  const m = mapper.map(name, type);
  return m === null ? null : { name: m.name, labels: Object.fromEntries(m.labels), line: m.mapping.line };
}

function loadError(yaml: string): MappingError {
  try {
    parseMappingYaml(yaml, 'mapping.yml');
  } catch (err) {
    if (err instanceof MappingError) return err;
    throw err;
  }
  throw new Error('expected a MappingError');
}

describe('MetricMapper: the exporter README examples', () => {
  it('glob matching with $n and ${n} in labels', () => {
    const mapper = mapperOf(readFileSync(new URL('../../../../exporter/readme-mapping.yml', import.meta.url), 'utf8'));
    expect(mapped(mapper, 'test.dispatcher.FooProcessor.send.success')).toMatchObject({
      name: 'dispatcher_events_total',
      labels: { processor: 'FooProcessor', action: 'send', outcome: 'success', job: 'test_dispatcher' },
    });
    expect(mapped(mapper, 'foo_product.signup.facebook.failure')).toMatchObject({
      name: 'signup_events_total',
      labels: { provider: 'facebook', outcome: 'failure', job: 'foo_product_server' },
    });
    expect(mapped(mapper, 'test.web-server.foo.bar')).toBeNull();
  });

  it('a name built from a capture', () => {
    const mapper = mapperOf('mappings:\n- match: "test.*.*.counter"\n  name: "${2}_total"\n  labels:\n    provider: "$1"\n');
    expect(mapped(mapper, 'test.aws.requests.counter')).toMatchObject({ name: 'requests_total', labels: { provider: 'aws' } });
  });

  it('regex mappings, with Go template expansion', () => {
    const mapper = mapperOf(`
mappings:
- match: "test\\\\.(\\\\w+)\\\\.(\\\\w+)\\\\.counter"
  match_type: regex
  name: "\${2}_total"
  labels:
    provider: "$1"
- match: "(.*)\\\\.(.*)--(.*)\\\\.status\\\\.(.*)\\\\.count"
  match_type: regex
  name: "request_total"
  labels:
    hostname: "$1"
    exec: "$2"
    protocol: "$3"
    code: "$4"
`);
    expect(mapped(mapper, 'test.aws.requests.counter')).toMatchObject({ name: 'requests_total', labels: { provider: 'aws' } });
    expect(mapped(mapper, 'web01.nginx--http.status.404.count')).toMatchObject({
      name: 'request_total', labels: { hostname: 'web01', exec: 'nginx', protocol: 'http', code: '404' },
    });
  });

  it('regex group 0 is the whole match', () => {
    const mapper = mapperOf('mappings:\n- match: ".+"\n  match_type: regex\n  name: "$0"\n  labels:\n    statsd_metric_name: "$0"\n');
    expect(mapped(mapper, 'my.statsd_counter')).toMatchObject({
      name: 'my.statsd_counter', labels: { statsd_metric_name: 'my.statsd_counter' },
    });
  });

  it('drop and match_metric_type', () => {
    const config = parseMappingYaml(`
mappings:
- match: "test.timing.*.*.*"
  name: "my_timer"
- match: "test.foo.*"
  name: "test_foo"
  match_metric_type: counter
  labels:
    provider: "$1"
- match: "."
  match_type: regex
  action: drop
  name: "dropped"
`, 'mapping.yml');
    const mapper = new MetricMapper(config);
    expect(mapper.map('test.timing.a.b.c', 'observer')?.mapping.action).toBe('map');
    expect(mapper.map('test.foo.x', 'counter')?.name).toBe('test_foo');
    expect(mapper.map('test.foo.x', 'gauge')?.mapping.action).toBe('drop');
    expect(mapper.map('anything', 'gauge')?.mapping.action).toBe('drop');
  });

  it('summary and histogram options, defaults and their overrides', () => {
    const config = parseMappingYaml(`
defaults:
  observer_type: histogram
  histogram_options:
    buckets: [.005, .01, .025, .05, .1, .25, .5, 1, 2.5 ]
    native_histogram_bucket_factor: 1.1
    native_histogram_max_buckets: 256
  summary_options:
    quantiles:
      - quantile: 0.99
        error: 0.001
      - quantile: 0.5
        error: 0.005
    max_age: 5m
    age_buckets: 2
    buf_cap: 1000
  match_type: glob
  glob_disable_ordering: false
  ttl: 0 # metrics do not expire
mappings:
- match: "test.timing.*.*.*"
  name: "my_timer"
- match: "other.distribution.*.*.*"
  observer_type: summary
  name: "other_distribution"
  summary_options:
    max_age: 30s
- match: "third.*"
  timer_type: summary
  name: "third"
  quantiles:
    - quantile: 0.9
      error: 0.01
  ttl: 1m30s
`, 'mapping.yml');
    const [timer, other, third] = config.mappings;
    expect(timer).toMatchObject({ observerType: 'histogram', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], ttlMs: 0 });
    expect(other.observerType).toBe('summary');
    expect(other.summary).toEqual({
      quantiles: [{ quantile: 0.99, error: 0.001 }, { quantile: 0.5, error: 0.005 }], maxAgeMs: 30_000, ageBuckets: 2,
    });
    expect(third).toMatchObject({
      observerType: 'summary', summary: { quantiles: [{ quantile: 0.9, error: 0.01 }], maxAgeMs: 300_000 }, ttlMs: 90_000,
    });
  });
});

describe('MetricMapper: ordering', () => {
  const rules = (extra = '') => `${extra}
mappings:
- match: "a.*.*"
  name: "star_star"
- match: "a.b.*"
  name: "b_star"
- match: "a.b.c"
  name: "abc"
- match: "x.(.*)"
  match_type: regex
  name: "regex_first"
- match: "x.*"
  name: "glob_later"
`;

  it('globs before regexes whatever the file order; the first glob in file order wins', () => {
    const mapper = mapperOf(rules());
    expect(mapped(mapper, 'a.b.c')?.name).toBe('star_star');
    expect(mapped(mapper, 'x.y')?.name).toBe('glob_later');
    expect(mapped(mapper, 'x.y.z')?.name).toBe('regex_first');
  });

  it('with glob_disable_ordering the most specific glob wins, a literal before * from the left', () => {
    const mapper = mapperOf(rules('defaults:\n  glob_disable_ordering: true\n'));
    expect(mapped(mapper, 'a.b.c')?.name).toBe('abc');
    expect(mapped(mapper, 'a.b.d')?.name).toBe('b_star');
    expect(mapped(mapper, 'a.z.c')?.name).toBe('star_star');
  });

  it('backtracks when the specific branch dead-ends', () => {
    const mapper = mapperOf(
      'defaults:\n  glob_disable_ordering: true\nmappings:\n- match: "a.b.c"\n  name: "abc"\n- match: "a.*.d"\n  name: "a_d"\n',
    );
    expect(mapped(mapper, 'a.b.d')?.name).toBe('a_d');
  });

  it('a * is one whole part, and may be empty', () => {
    const mapper = mapperOf('mappings:\n- match: "a.*.c"\n  name: "x_$1"\n');
    expect(mapped(mapper, 'a.b.b.c')).toBeNull();
    expect(mapped(mapper, 'a..c')?.name).toBe('x_');
  });

  it('among regexes the first in file order that fits the type', () => {
    const mapper = mapperOf([
      'mappings:',
      '- match: "^r"', '  match_type: regex', '  match_metric_type: gauge', '  name: "g"',
      '- match: "^r"', '  match_type: regex', '  name: "any"', '',
    ].join('\n'));
    expect(mapped(mapper, 'rx', 'gauge')?.name).toBe('g');
    expect(mapped(mapper, 'rx', 'counter')?.name).toBe('any');
  });
});

describe('mapping file checks', () => {
  it('refuses unknown keys with file, line and key', () => {
    const e = loadError('mappings:\n- match: a.b\n  name: x\n  lables:\n    a: b\n');
    expect(e.message).toBe(
      'mapping.yml:4: mappings[0].lables: unknown key (known: match, name, labels, honor_labels, observer_type, timer_type, buckets, '
        + 'quantiles, match_type, help, action, match_metric_type, ttl, summary_options, histogram_options, scale)',
    );
  });

  it('refuses invalid globs, regexes, names, label names and mixed options', () => {
    expect(loadError('mappings:\n- match: "a.b*"\n  name: x\n').message).toMatch(/^mapping.yml:2: mappings\[0\]\.match: invalid glob "a\.b\*"/);
    expect(loadError('mappings:\n- match: "a.("\n  match_type: regex\n  name: x\n').message).toMatch(/^mapping.yml:2: mappings\[0\]\.match: invalid regex/);
    expect(loadError('mappings:\n- match: "a"\n').message).toMatch(/mappings\[0\]\.name: missing/);
    expect(loadError('mappings:\n- match: "a"\n  name: "1abc"\n').message).toMatch(/^mapping.yml:3: mappings\[0\]\.name: "1abc" is not a metric name/);
    expect(loadError('mappings:\n- match: "a"\n  name: x\n  labels:\n    a: b\n').message).toMatch(/^mapping.yml:5: mappings\[0\]\.labels\.a: invalid label name/);
    expect(loadError('mappings:\n- match: "a"\n  name: x\n  observer_type: histogram\n  summary_options:\n    max_age: 1m\n').message)
      .toMatch(/^mapping.yml:5: .*cannot use the histogram observer and summary options/);
    expect(loadError('mappings:\n- match: "a"\n  name: x\n  ttl: soon\n').message).toMatch(/^mapping.yml:4: mappings\[0\]\.ttl: expected a duration/);
    expect(loadError('mappings:\n- match: "a"\n  name: x\n  action: keep\n').message).toMatch(/action: "keep" is not one of map, drop/);
    expect(loadError('mappings:\n- match: "a"\n  name: x\n  observer_type: timer\n').message).toMatch(/observer_type: "timer" is not one of summary, histogram/);
    expect(loadError('mappings: [\n').message).toMatch(/^mapping.yml:\d+: /);
  });

  it('reads YAML 1.1 booleans as the exporter does, numbers as label text, an empty file as no mappings', () => {
    const config = parseMappingYaml('mappings:\n- match: "a.*"\n  name: x\n  honor_labels: yes\n  labels:\n    code: 200\n', 'm.yml');
    expect(config.mappings[0]).toMatchObject({ honorLabels: true, labels: [['code', '200']] });
    expect(parseMappingYaml('', 'm.yml').mappings).toEqual([]);
  });
});

describe('Go compatibility helpers', () => {
  it('durations as time.ParseDuration reads them, integers as nanoseconds', () => {
    expect(['1m20s', '1.5h', '250ms', '0', '90s', '-1s'].map(goDurationMs)).toEqual([80_000, 5_400_000, 250, 0, 90_000, -1000]);
    expect([goDurationMs(1_000_000_000), goDurationMs('10'), goDurationMs('1d'), goDurationMs('')]).toEqual([1000, null, null, null]);
  });

  it('Go regex spellings: (?P<name>), leading (?i), \\A and \\z', () => {
    const re = toJsRegExp('(?i)\\Aapi\\.(?P<route>\\w+)\\z');
    const m = re.exec('API.orders')!;
    // As Go: `$1_` names the group "1_", which does not exist; `${1}_` is the first group.
    expect(expandGoTemplate('${route}_${1}_$1_$$_${9}_$', m)).toBe('orders_orders_$__$');
    expect(() => toJsRegExp('a(?i)b')).toThrow(/inline flags/);
  });

  it('glob templates: a reference out of range or not a number is empty, as the exporter reads them', () => {
    expect(fillGlobTemplate('${1}.${2}.${3}.$2', ['a', 'b'])).toBe('a.b..b');
    // The exporter's reference pattern takes `_` and `$` into the name: `$1_$2` is one bad reference.
    expect(fillGlobTemplate('${1}_$2_$1', ['a', 'b'])).toBe('a_');
  });
});
