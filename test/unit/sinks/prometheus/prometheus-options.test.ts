import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../../src/config/load-config.js';
import { parseSinkSpec } from '../../../../src/sinks/registry.js';
import { parsePrometheusSpec } from '../../../../src/sinks/prometheus/prometheus-options.js';

describe('prometheus:// spec', () => {
  it('has defaults: /metrics, statsd_exporter compat, quantiles 0.5 0.9 0.99, no ttl, at most a million series', () => {
    expect(parsePrometheusSpec('prometheus://127.0.0.1:9102')).toEqual({
      host: '127.0.0.1', port: 9102, path: '/metrics', compat: 'statsd_exporter',
      quantiles: [0.5, 0.9, 0.99], ttlMs: 0, timerUnit: 'milliseconds', histogramBuckets: null, maxSeries: 1_000_000, mapping: null,
    });
  });

  it('in openmetrics compat: ttl 10 min and no series bound by default', () => {
    expect(parsePrometheusSpec('prometheus://127.0.0.1:9102?compat=openmetrics')).toMatchObject({ compat: 'openmetrics', ttlMs: 600_000, maxSeries: 0 });
  });

  it('reads every option; a bare port listens on loopback; IPv6 in brackets', () => {
    const spec = 'prometheus://9200?compat=openmetrics&path=/m&quantiles=0.25,0.75&ttl=0&timer_unit=seconds&histogram_buckets=0.01,0.1,1&max_series=5';
    expect(parsePrometheusSpec(spec)).toEqual({
      host: '127.0.0.1', port: 9200, path: '/m', compat: 'openmetrics', quantiles: [0.25, 0.75], ttlMs: 0, timerUnit: 'seconds',
      histogramBuckets: [0.01, 0.1, 1], maxSeries: 5, mapping: null,
    });
    expect(parsePrometheusSpec('prometheus://[::1]:9102').host).toBe('::1');
    expect(parseSinkSpec('prometheus://0.0.0.0:9102')).toMatchObject({ type: 'prometheus', options: { host: '0.0.0.0' } });
  });

  it('reads mapping_config when the spec is parsed, so a bad file fails the start with file, line and reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-mapping-'));
    writeFileSync(join(dir, 'good.yml'), 'mappings:\n- match: "a.*"\n  name: "a_total"\n');
    writeFileSync(join(dir, 'bad.yml'), 'mappings:\n- match: "a.*"\n  nme: "a_total"\n');
    expect(parsePrometheusSpec(`prometheus://9102?mapping_config=${join(dir, 'good.yml')}`).mapping?.mappings).toHaveLength(1);
    expect(() => parsePrometheusSpec(`prometheus://9102?mapping_config=${join(dir, 'bad.yml')}`)).toThrow(
      `mapping_config ${join(dir, 'bad.yml')}:3: mappings[0].nme: unknown key`,
    );
    expect(() => parsePrometheusSpec(`prometheus://9102?mapping_config=${join(dir, 'none.yml')}`)).toThrow(/none\.yml:0: cannot read: ENOENT/);
    expect(() => parsePrometheusSpec(`prometheus://9102?compat=openmetrics&mapping_config=${join(dir, 'good.yml')}`)).toThrow(
      /mapping_config needs compat = statsd_exporter/,
    );
  });

  it.each([
    ['prometheus://host', /not HOST:PORT/],
    ['prometheus://127.0.0.1:0', /port from 1/],
    ['prometheus://127.0.0.1:9102?prefix=x', /unknown option "prefix"/],
    ['prometheus://127.0.0.1:9102?path=metrics', /path must start/],
    ['prometheus://127.0.0.1:9102?quantiles=0.5,1', /between 0 and 1/],
    ['prometheus://127.0.0.1:9102?quantiles=a', /list of numbers/],
    ['prometheus://127.0.0.1:9102?ttl=-1', /ttl/],
    ['prometheus://127.0.0.1:9102?compat=openmetrics&timer_unit=minutes', /timer_unit/],
    ['prometheus://127.0.0.1:9102?timer_unit=seconds', /timer_unit is for compat = openmetrics/],
    ['prometheus://127.0.0.1:9102?compat=graphite', /compat must be statsd_exporter or openmetrics/],
    ['prometheus://127.0.0.1:9102?max_series=-1', /max_series/],
    ['prometheus://127.0.0.1:9102?histogram_buckets=1,1', /ascending/],
  ])('refuses %s', (spec, reason) => {
    expect(() => parsePrometheusSpec(spec)).toThrow(reason);
  });
});

describe('[[sinks]] type = "prometheus"', () => {
  const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-prometheus-config-'));
  const load = (toml: string) => loadConfigFile((writeFileSync(join(dir, 'c.toml'), toml), join(dir, 'c.toml')));

  it('becomes the same spec URL the --sink flag takes; loopback and 9102 by default', () => {
    expect(load('[[sinks]]\ntype = "prometheus"\n').sinks).toEqual(['prometheus://127.0.0.1:9102']);
    const c = load([
      '[[sinks]]', 'type = "prometheus"', 'host = "::"', 'port = 9200', 'path = "/m"', 'compat = "openmetrics"', 'max_series = 7',
      'quantiles = [0.5, 0.99]', 'ttl = 0', 'timer_unit = "seconds"', 'histogram_buckets = [0.005, 0.1, 1]',
    ].join('\n'));
    expect(c.sinks).toEqual([
      'prometheus://[::]:9200?path=%2Fm&compat=openmetrics&max_series=7&quantiles=0.5%2C0.99&ttl=0&timer_unit=seconds'
        + '&histogram_buckets=0.005%2C0.1%2C1',
    ]);
    expect(parsePrometheusSpec(c.sinks[0])).toEqual({
      host: '::', port: 9200, path: '/m', compat: 'openmetrics', quantiles: [0.5, 0.99], ttlMs: 0, timerUnit: 'seconds',
      histogramBuckets: [0.005, 0.1, 1], maxSeries: 7, mapping: null,
    });
  });

  it('reads mapping_config relative to the config file', () => {
    writeFileSync(join(dir, 'mapping.yml'), 'mappings:\n- match: "a.*"\n  name: "a_total"\n');
    const c = load('[[sinks]]\ntype = "prometheus"\nmapping_config = "mapping.yml"\n');
    expect(c.sinks).toEqual([`prometheus://127.0.0.1:9102?mapping_config=${encodeURIComponent(join(dir, 'mapping.yml'))}`]);
    expect(parsePrometheusSpec(c.sinks[0]).mapping?.file).toBe(join(dir, 'mapping.yml'));
  });

  it('refuses unknown keys and bad values, naming the entry', () => {
    expect(() => load('[[sinks]]\ntype = "prometheus"\nprefix = "x"\n')).toThrow(
      /sinks\[0\]\.prefix: unknown option for a prometheus sink/,
    );
    expect(() => load('[[sinks]]\ntype = "prometheus"\ncompat = "openmetrics"\ntimer_unit = "hours"\n')).toThrow(
      /sinks\[0\].*timer_unit must be milliseconds or seconds/,
    );
  });
});
