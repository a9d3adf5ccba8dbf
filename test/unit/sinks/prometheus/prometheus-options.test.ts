import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../../src/config/load-config.js';
import { parseSinkSpec } from '../../../../src/sinks/registry.js';
import { parsePrometheusSpec } from '../../../../src/sinks/prometheus/prometheus-options.js';

describe('prometheus:// spec', () => {
  it('has defaults: /metrics, quantiles 0.5 0.9 0.99, ttl 10 min, milliseconds, summaries', () => {
    expect(parsePrometheusSpec('prometheus://127.0.0.1:9102')).toEqual({
      host: '127.0.0.1', port: 9102, path: '/metrics',
      quantiles: [0.5, 0.9, 0.99], ttlMs: 600_000, timerUnit: 'milliseconds', histogramBuckets: null,
    });
  });

  it('reads every option; a bare port listens on loopback; IPv6 in brackets', () => {
    const spec = 'prometheus://9200?path=/m&quantiles=0.25,0.75&ttl=0&timer_unit=seconds&histogram_buckets=0.01,0.1,1';
    expect(parsePrometheusSpec(spec)).toEqual({
      host: '127.0.0.1', port: 9200, path: '/m', quantiles: [0.25, 0.75], ttlMs: 0, timerUnit: 'seconds', histogramBuckets: [0.01, 0.1, 1],
    });
    expect(parsePrometheusSpec('prometheus://[::1]:9102').host).toBe('::1');
    expect(parseSinkSpec('prometheus://0.0.0.0:9102')).toMatchObject({ type: 'prometheus', options: { host: '0.0.0.0' } });
  });

  it.each([
    ['prometheus://host', /not HOST:PORT/],
    ['prometheus://127.0.0.1:0', /port from 1/],
    ['prometheus://127.0.0.1:9102?prefix=x', /unknown option "prefix"/],
    ['prometheus://127.0.0.1:9102?path=metrics', /path must start/],
    ['prometheus://127.0.0.1:9102?quantiles=0.5,1', /between 0 and 1/],
    ['prometheus://127.0.0.1:9102?quantiles=a', /list of numbers/],
    ['prometheus://127.0.0.1:9102?ttl=-1', /ttl/],
    ['prometheus://127.0.0.1:9102?timer_unit=minutes', /timer_unit/],
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
      '[[sinks]]', 'type = "prometheus"', 'host = "::"', 'port = 9200', 'path = "/m"', 'quantiles = [0.5, 0.99]', 'ttl = 0',
      'timer_unit = "seconds"', 'histogram_buckets = [0.005, 0.1, 1]',
    ].join('\n'));
    expect(c.sinks).toEqual([
      'prometheus://[::]:9200?path=%2Fm&quantiles=0.5%2C0.99&ttl=0&timer_unit=seconds&histogram_buckets=0.005%2C0.1%2C1',
    ]);
    expect(parsePrometheusSpec(c.sinks[0])).toEqual({
      host: '::', port: 9200, path: '/m', quantiles: [0.5, 0.99], ttlMs: 0, timerUnit: 'seconds', histogramBuckets: [0.005, 0.1, 1],
    });
  });

  it('refuses unknown keys and bad values, naming the entry', () => {
    expect(() => load('[[sinks]]\ntype = "prometheus"\nprefix = "x"\n')).toThrow(
      /sinks\[0\]\.prefix: unknown option for a prometheus sink/,
    );
    expect(() => load('[[sinks]]\ntype = "prometheus"\ntimer_unit = "hours"\n')).toThrow(
      /sinks\[0\].*timer_unit must be milliseconds or seconds/,
    );
  });
});
