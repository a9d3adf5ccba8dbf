import { describe, expect, it } from 'vitest';
import { LineParser } from '../../../src/protocol/parser.js';
import { RejectCounter } from '../../../src/protocol/rejects.js';
import type { SampleHandler } from '../../../src/model/sample-handler.js';
import type { NameTagFormat } from '../../../src/protocol/name-tags.js';
import type { ParserOptions } from '../../../src/protocol/parser.js';
import { recordingHandler } from '../../helpers/recording-handler.js';

function parse(text: string, inputCounter?: string, options: ParserOptions = {}) {
  const { handler, calls } = recordingHandler();
  const rejects = new RejectCounter();
  const parser = new LineParser(handler, rejects, { inputCounter, ...options });
  const accepted = parser.parse(Buffer.from(text, 'latin1'));
  return { calls, accepted, rejects: Object.fromEntries(rejects.byReason), ignoredSampleRates: parser.ignoredSampleRates };
}

describe('LineParser', () => {
  it('parses every type', () => {
    const { calls, accepted } = parse('c:2|c\nt:1.5|ms\nh:3|h\nd:4|d\ng:5|g\ns:member|s\nk:6|kv\n');
    expect(accepted).toBe(7);
    expect(calls).toEqual([
      ['c', 'c', 2, 1], ['ms', 't', 1.5, 1], ['h', 'h', 3, 1], ['h', 'd', 4, 1],
      ['g', 'g', 5, false], ['s', 's', 'member'], ['kv', 'k', 6],
    ]);
  });

  it('applies sample rates as statsite does', () => {
    const { calls, rejects } = parse('a:1|c|@0.1\nb:1|c|@1.5\nc:1|c|@0\nd:4|c|@.25\ne:1|c|@abc\nt:7|ms|@0.5\n');
    expect(calls).toEqual([
      ['c', 'a', 1 * (1 / 0.1), 0.1], ['c', 'b', 1, 1], ['c', 'c', 1, 1], ['c', 'd', 16, 0.25], ['ms', 't', 7, 0.5],
    ]);
    expect(rejects).toEqual({ bad_sample_rate: 1 });
  });

  it('refuses a sample rate on types statsite refuses it on, with unusedSampleRate reject', () => {
    const lines = 'g:3|g|@0.5\ns:x|s|@0.5\nk:1|kv|@0.5\n';
    const { calls, rejects, ignoredSampleRates } = parse(lines, undefined, { unusedSampleRate: 'reject' });
    expect(calls).toEqual([]);
    expect(rejects).toEqual({ sample_rate_not_allowed: 3 });
    expect(ignoredSampleRates).toBe(0);
  });

  it('by default keeps gauges, sets and kv with a sample rate, the rate ignored and counted per line', () => {
    const { calls, rejects, ignoredSampleRates } = parse('g:3|g|@0.5\ns:x|s|@0.1|#a:b\nk:1|kv|@0.5\ng:+2|g|@0.5\ng:1|g|@x\n');
    expect(calls).toEqual([['g', 'g', 3, false], ['s', 's\na:b', 'x'], ['kv', 'k', 1], ['g', 'g', 2, true]]);
    expect(rejects).toEqual({ bad_sample_rate: 1 });
    expect(ignoredSampleRates).toBe(4);
  });

  it('marks signed gauge values as deltas', () => {
    const { calls } = parse('g:+5|g\ng:-3|g\ng:7|g\n');
    expect(calls.map((c) => c[3])).toEqual([true, true, false]);
  });

  it('tolerates \\r\\n, blank lines and a missing final newline', () => {
    const { calls, rejects } = parse('a:1|c\r\n\r\n\nb:2|c');
    expect(calls.map((c) => c[1])).toEqual(['a', 'b']);
    expect(rejects).toEqual({});
  });

  it('keeps good lines around malformed ones and counts each rejection by reason', () => {
    const { calls, rejects } = parse(
      'ok1:1|c\n:1|c\nnocolon\nnotype:1\nx:12abc|c\nx:0x10|c\nx:.|c\nx:-|c\nx:NaN|c\nx:Infinity|ms\nx:1e999|ms\n' +
        'x:1|zz\nx:|c\nx:1|c|!\nok2:2|c\n',
    );
    expect(calls.map((c) => c[1])).toEqual(['ok1', 'ok2']);
    expect(rejects).toEqual({
      empty_key: 1, missing_value: 1, missing_type: 1, bad_value: 7, unknown_type: 1, empty_value: 1, bad_option: 1,
    });
  });

  it('accepts number forms a C strtod accepts', () => {
    const { calls } = parse('a:-1.5|ms\nb:+2|ms\nc:.5|ms\nd:1e3|ms\ne:1.5E-2|ms\nf:5.|ms\n');
    expect(calls.map((c) => c[2])).toEqual([-1.5, 2, 0.5, 1000, 0.015, 5]);
  });

  it('parses DogStatsD tags into a canonical part of the series key', () => {
    const { calls } = parse('a:1|c|#b:2,a:1\na:1|c|@0.5|#a:1,b:2\nb:1|ms|#url:http://x\n');
    expect(calls).toEqual([
      ['c', 'a\na:1,b:2', 1, 1], ['c', 'a\na:1,b:2', 2, 0.5], ['ms', 'b\nurl:http://x', 1, 1],
    ]);
  });

  it("accepts etsy's multi-metric lines and DogStatsD packed values", () => {
    const { calls } = parse('m:1|c:2|ms\np:1:2:3|ms\n');
    expect(calls).toEqual([['c', 'm', 1, 1], ['ms', 'm', 2, 1], ['ms', 'p', 1, 1], ['ms', 'p', 2, 1], ['ms', 'p', 3, 1]]);
  });

  it('keeps a set member whole, colons and spaces included', () => {
    const { calls } = parse('s:a:b|s\ns:x y|s\n');
    expect(calls).toEqual([['s', 's', 'a:b'], ['s', 's', 'x y']]);
  });

  it('ignores DogStatsD container ids and timestamps', () => {
    const { calls, rejects } = parse('a:1|c|#t:1|c:abc123|T1700000000\n');
    expect(calls).toEqual([['c', 'a\nt:1', 1, 1]]);
    expect(rejects).toEqual({});
  });

  it('drops values in exponent notation that underflow, keeps DBL_MIN, 0e-5 and long fractions (statsite)', () => {
    const text = [
      'u1:1.964393875E-314|c', 'u2:1e-310|g', 'u3:4.9e-324|ms', 'k1:2.2250738585072014e-308|c', 'k2:0e-5|g',
      'k3:0.' + '0'.repeat(40) + '1|kv',
    ].join('\n');
    const { calls, rejects } = parse(text);
    expect(calls.map((c) => c[1])).toEqual(['k1', 'k2', 'k3']);
    expect(rejects).toEqual({ bad_value: 3 });
  });

  it('rejects a whole line when any part of it is bad', () => {
    const { calls, rejects } = parse('m:1|c:x|ms\np:1:x:3|ms\n');
    expect(calls).toEqual([]);
    expect(rejects).toEqual({ bad_value: 2 });
  });

  it("passes each key's interner id and generation, a new generation after an options reload", () => {
    const calls: Array<[string, number | undefined, number | undefined]> = [];
    const record = (k: string, id?: number, generation?: number) => void calls.push([k, id, generation]);
    const handler: SampleHandler = {
      counter: (k, _v, _r, id, g) => record(k, id, g),
      timer: (k, _v, _r, id, g) => record(k, id, g),
      gauge: (k, _v, _d, id, g) => record(k, id, g),
      set: (k, _m, id, g) => record(k, id, g),
      kv: (k, _v, id, g) => record(k, id, g),
    };
    const parser = new LineParser(handler, new RejectCounter());
    parser.parse(Buffer.from('a:1|c\nb:1|ms\na:2|g\nb:x|s\nb:3|kv\n'));
    parser.options = {};
    parser.parse(Buffer.from('b:1|c\n'));
    const [[, a], [, b]] = calls;
    const g = calls[0][2];
    expect(a).not.toBe(b);
    expect(calls).toEqual([['a', a, g], ['b', b, g], ['a', a, g], ['b', b, g], ['b', b, g], ['b', 0, expect.any(Number)]]);
    expect(calls[5][2]).not.toBe(g);
  });

  it('bumps the input counter once per accepted sample', () => {
    const { calls } = parse('a:1|c\nbad\nb:2|ms\n', 'statsite.inputs');
    expect(calls.filter((c) => c[1] === 'statsite.inputs')).toHaveLength(2);
  });
});

describe('LineParser name-embedded tags and DogStatsD extras', () => {
  function parseWith(text: string, nameTagFormats: NameTagFormat[]) {
    const keys: string[] = [];
    const noop = () => undefined;
    const rejects = new RejectCounter();
    const handler = { counter: (k: string) => keys.push(k), timer: (k: string) => keys.push(k), gauge: noop, set: noop, kv: noop };
    const parser = new LineParser(handler, rejects, { nameTagFormats });
    parser.parse(Buffer.from(text));
    return { keys, rejects: rejects.total, parser };
  }

  it('reads InfluxDB, Librato and SignalFx tags only when enabled', () => {
    const text = 'a,env=prod,z=1:1|c\nb#env=prod:1|c\nc[env=prod,x=y]:1|c\nd.e[env=prod].f:1|c\n';
    expect(parseWith(text, []).keys).toEqual(['a,env=prod,z=1', 'b#env=prod', 'c[env=prod,x=y]', 'd.e[env=prod].f']);
    expect(parseWith(text, ['influxdb', 'librato', 'signalfx']).keys).toEqual([
      'a\nenv:prod,z:1', 'b\nenv:prod', 'c\nenv:prod,x:y', 'd.e.f\nenv:prod',
    ]);
  });

  it('merges name tags with |# tags into one sorted set', () => {
    expect(parseWith('a,z=1:1|ms|#b:2\n', ['influxdb']).keys).toEqual(['a\nb:2,z:1']);
  });

  it('counts DogStatsD events and service checks without rejecting them', () => {
    const { keys, rejects, parser } = parseWith('_e{5,4}:title|text|#t:1\n_sc|db.up|0|#env:prod\nok:1|c\n', []);
    expect(keys).toEqual(['ok']);
    expect(rejects).toBe(0);
    expect([parser.events, parser.serviceChecks]).toEqual([1, 1]);
  });
});
