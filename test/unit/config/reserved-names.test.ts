// Table and option names that are also names on Object's prototype are names like any other:
// refused as unknown, with the file and the key, and nothing of them leaks into other objects.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.js';
import { loadConfigFile } from '../../../src/config/load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-reserved-'));

function refusal(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  try {
    loadConfigFile(path);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error(`${name} was accepted`);
}

describe('reserved names in a config', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['proto.ini', '[__proto__]\npolluted = 1\n', /__proto__: unknown table/],
    ['constructor.ini', '[constructor]\nname = 1\n', /constructor: unknown table/],
    ['tostring.ini', '[toString]\ncall = 1\n', /toString: unknown table/],
    ['option.ini', '[statsite]\nconstructor = 1\n', /statsite\.constructor: unknown option/],
    ['proto-option.ini', '[statsite]\n__proto__ = 1\n', /statsite\.__proto__: unknown option/],
    ['proto.toml', '[__proto__]\npolluted = 1\n', /__proto__: unknown table/],
    ['extra-option.toml', '[limits]\nconstructor = 1\n', /limits\.constructor: unknown option/],
    ['sink-type.toml', '[[sinks]]\ntype = "constructor"\n', /unknown sink type "constructor"/],
  ];
  for (const [name, text, reason] of cases) {
    it(`refuses ${name}`, () => {
      expect(refusal(name, text)).toMatch(reason);
      expect((({}) as Record<string, unknown>).polluted).toBeUndefined();
    });
  }
});

describe('durations', () => {
  it('refuses a sink timeout past what a Node timer can wait', () => {
    const text = '[[sinks]]\ntype = "graphite"\nhost = "127.0.0.1"\nport = 2003\ntimeout = 2147484\n';
    expect(refusal('timeout.toml', text)).toMatch(/timeout must be a number of seconds > 0 and at most 2147483/);
    const http = '[[sinks]]\ntype = "http"\nurl = "http://127.0.0.1:1/x"\ntimeout = 9999999\n';
    expect(refusal('http-timeout.toml', http)).toMatch(/timeout must be a number of seconds > 0 and at most 2147483/);
  });
});
