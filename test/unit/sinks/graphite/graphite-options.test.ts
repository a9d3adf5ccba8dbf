import { describe, expect, it } from 'vitest';
import { dirname } from 'node:path';
import { destinationSpoolDir, parseGraphiteSpec } from '../../../../src/sinks/graphite/graphite-options.js';

describe('graphite:// specs', () => {
  it('has statsite-style defaults', () => {
    expect(parseGraphiteSpec('graphite://127.0.0.1:2003')).toEqual({
      destinations: [{ host: '127.0.0.1', port: 2003, instance: null }],
      prefix: 'statsite.', routing: 'fanout', bufferLines: 1_000_000, timeoutMs: 5000, spoolDir: null, spoolMaxBytes: 1024 ** 3,
    });
  });

  it('takes several destinations, instances, IPv6 and options', () => {
    const o = parseGraphiteSpec('graphite://[::1]:2003:a,carbon2:2004:b?prefix=&routing=carbon_ch&buffer_lines=10&timeout=0.5');
    expect(o.destinations).toEqual([{ host: '::1', port: 2003, instance: 'a' }, { host: 'carbon2', port: 2004, instance: 'b' }]);
    expect([o.prefix, o.routing, o.bufferLines, o.timeoutMs]).toEqual(['', 'carbon_ch', 10, 500]);
  });

  it('explains what is wrong', () => {
    expect(() => parseGraphiteSpec('graphite://host')).toThrow(/HOST:PORT/);
    expect(() => parseGraphiteSpec('graphite://h:1?routing=random')).toThrow(/fanout, carbon_ch or c_relay_carbon_ch/);
    expect(() => parseGraphiteSpec('graphite://h:1?bogus=1')).toThrow(/unknown option "bogus"/);
    expect(() => parseGraphiteSpec('graphite://h:1,h:2?routing=carbon_ch')).toThrow(/instance names/);
    expect(() => parseGraphiteSpec('graphite://h:1,h:2?routing=c_relay_carbon_ch')).toThrow(/instance names/);
    expect(parseGraphiteSpec('graphite://h:1:r,h:2:a?routing=c_relay_carbon_ch').routing).toBe('c_relay_carbon_ch');
  });
});

describe('a destination\'s spool directory', () => {
  it('stays inside spool_dir whatever the host and instance are spelled like', () => {
    const spool = '/var/lib/statsite-ts/spool';
    const dir = (host: string, instance: string | null = null) => destinationSpoolDir(spool, { host, port: 2003, instance });
    expect(dir('127.0.0.1')).toBe(`${spool}/127.0.0.1_2003`);
    expect(dir('::1', 'a')).toBe(`${spool}/::1_2003_a`);
    expect(dir('../../etc')).toBe(`${spool}/..%2f..%2fetc_2003`);
    expect(dir('x', '../y')).toBe(`${spool}/x_2003_..%2fy`);
    expect(dirname(dir('a/b\\c d'))).toBe(spool);
  });
});
