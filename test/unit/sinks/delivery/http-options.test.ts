import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../../src/config/load-config.js';
import { parseSinkSpec } from '../../../../src/sinks/registry.js';
import { parseHttpSpec } from '../../../../src/sinks/delivery/http-options.js';

describe('http(s):// spec', () => {
  it('has defaults, and keeps the target URL as given', () => {
    expect(parseHttpSpec('http://127.0.0.1:8080/ingest')).toEqual({
      url: 'http://127.0.0.1:8080/ingest', displayName: 'http://127.0.0.1:8080/ingest',
      headers: {}, timeoutMs: 10_000, bufferSeries: 1_000_000, spoolDir: null, spoolMaxBytes: 1024 ** 3,
    });
    expect(parseSinkSpec('https://collector.example.com/v1')).toMatchObject({
      type: 'http', options: { url: 'https://collector.example.com/v1' },
    });
  });

  it("takes its own options off the URL and leaves the target's query alone", () => {
    const o = parseHttpSpec('https://c.example.com/in?db=metrics&timeout=2.5&buffer_series=500&header=X-Team:core');
    expect(o.url).toBe('https://c.example.com/in?db=metrics');
    expect([o.timeoutMs, o.bufferSeries, o.headers]).toEqual([2500, 500, { 'x-team': 'core' }]);
  });

  it('reads header values from the environment, and never shows them in its name or errors', () => {
    const env = { STATSITE_TOKEN: 'Bearer s3cret' };
    const o = parseHttpSpec('https://api.example.com/x?api_key=k3y&header=Authorization:env:STATSITE_TOKEN', env);
    expect(o.headers).toEqual({ authorization: 'Bearer s3cret' });
    expect(o.displayName).toBe('https://api.example.com/x');
    expect(() => parseHttpSpec('https://api.example.com/x?header=Authorization:env:MISSING&timeout=0', {})).toThrow(
      'sink "https://api.example.com/x": header Authorization reads the environment variable MISSING, which is not set',
    );
    let message = '';
    try {
      parseHttpSpec('https://api.example.com/x?header=X-Key:s3cret&timeout=nope', env);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/timeout/);
    expect(message).not.toMatch(/s3cret/);
  });

  it.each([
    ['http://user:pw@h/x', /credentials in a header/],
    ['http://h/x?header=NoColon', /NAME:VALUE/],
    ['http://h/x?header=Bad Name:v', /NAME:VALUE/],
    ['http://h/x?timeout=0', /timeout/],
    ['http://h/x?buffer_series=1.5', /buffer_series/],
    ['http://', /not a valid URL/],
  ])('refuses %s', (spec, reason) => {
    expect(() => parseHttpSpec(spec, {})).toThrow(reason);
  });
});

describe('[[sinks]] type = "http"', () => {
  const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-http-config-'));
  const load = (toml: string) => loadConfigFile((writeFileSync(join(dir, 'c.toml'), toml), join(dir, 'c.toml')));

  it('becomes one URL with the headers table as header= options', () => {
    process.env.STATSITE_TS_TEST_TOKEN = 'Bearer a+b&c';
    try {
      const c = load([
        '[[sinks]]', 'type = "http"', 'url = "https://c.example.com/in?db=x"',
        'headers = { Authorization = "env:STATSITE_TS_TEST_TOKEN", X-Team = "a&b" }',
        'timeout = 2', 'buffer_series = 500',
      ].join('\n'));
      const o = parseHttpSpec(c.sinks[0]);
      expect(o).toEqual({
        url: 'https://c.example.com/in?db=x', displayName: 'https://c.example.com/in',
        headers: { authorization: 'Bearer a+b&c', 'x-team': 'a&b' }, timeoutMs: 2000, bufferSeries: 500,
        spoolDir: null, spoolMaxBytes: 1024 ** 3,
      });
    } finally {
      delete process.env.STATSITE_TS_TEST_TOKEN;
    }
  });

  it('refuses a missing url, a non-http url, a headers value that is not a table, and an unset variable', () => {
    expect(() => load('[[sinks]]\ntype = "http"\n')).toThrow(/sinks\[0\]\.url: missing/);
    expect(() => load('[[sinks]]\ntype = "http"\nurl = "ftp://x/y"\n')).toThrow(/sinks\[0\]\.url: must start with http/);
    expect(() => load('[[sinks]]\ntype = "http"\nurl = "http://x/y"\nheaders = "A:b"\n')).toThrow(/sinks\[0\]\.headers: expected a table/);
    expect(() => load('[[sinks]]\ntype = "http"\nurl = "http://x/y"\nheaders = { A = "env:STATSITE_TS_UNSET_VAR" }\n'))
      .toThrow(/sinks\[0\].*STATSITE_TS_UNSET_VAR, which is not set/);
  });
});

describe('an HTTP sink\'s spool folder', () => {
  it('is its own per URL posted to, the query included, inside spool_dir', () => {
    const dir = (url: string) => parseHttpSpec(`${url}${url.includes('?') ? '&' : '?'}spool_dir=/var/lib/s`).spoolDir!;
    const a = dir('http://h:1/in?db=a');
    const b = dir('http://h:1/in?db=b');
    expect(a).not.toBe(b);
    expect(a.startsWith('/var/lib/s/h:1%2fin_')).toBe(true);
    // The sink's own options are not part of it: a new timeout keeps the same spool.
    expect(dir('http://h:1/in?db=a&timeout=3')).toBe(a);
    expect(dir('http://h:1/../../etc')).toMatch(/^\/var\/lib\/s\/[^/]+$/);
  });
});
