// A server writing only to stdout, started from flags, must not load what only other sinks or
// other configurations need: those packages cost most of start-up (bench/README.md, start-up).
// Read from the source text, as layering.test.ts reads it: every static import reachable from the
// CLI's entry point, packages included. Dynamic `import()` (the sink registry's loadSinks),
// lazyPackage() and `import type` are not loads at start.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '../../src');
/** Sinks' packages, a mapping file's YAML, a config file's TOML, the alternative sketch. */
const NOT_AT_START = ['undici', 'protobufjs', 'snappyjs', 'yaml', 'smol-toml', 'tdigest'];
/** Node's own modules only optional parts need: the HTTP endpoints, ingest workers, the collection after a big interval, hashes. */
const BUILTINS_NOT_AT_START = ['node:http', 'node:cluster', 'node:v8', 'node:vm', 'node:child_process', 'node:crypto'];

/** The specifiers a file imports: static value imports, and with `dynamic`, those loaded later too. */
function specifiers(file: string, dynamic: boolean): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  // import('…'), and lazyPackage('…') for a CommonJS package loaded on first use.
  if (dynamic) found.push(...[...text.matchAll(/\b(?:import|lazyPackage(?:<[^>]*>)?)\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]));
  return found;
}

/** The packages (bare specifiers, and Node's `node:` modules whole) reached from `entry` through relative imports. */
function packagesReached(entry: string, dynamic: boolean): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const queue = [join(SRC, entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of specifiers(file, dynamic)) {
      if (spec.startsWith('.')) {
        const target = normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts');
        if (existsSync(target)) queue.push(target);
      } else {
        packages.add(spec.startsWith('node:') ? spec : spec.split('/')[0]);
      }
    }
  }
  return packages;
}

describe('packages load when configured', () => {
  it('the CLI and the server import none of the packages only some configurations need', () => {
    const atStart = [...packagesReached('cli/main.ts', false)];
    expect(atStart).toContain('pino'); // the walk does reach packages
    expect(atStart.filter((p) => NOT_AT_START.includes(p))).toEqual([]);
    expect(atStart).toContain('node:dgram');
    expect(atStart.filter((p) => BUILTINS_NOT_AT_START.includes(p))).toEqual([]);
  });

  it('reaches every one of them once the loads on first use are followed', () => {
    const configured = packagesReached('cli/main.ts', true);
    expect([...NOT_AT_START, ...BUILTINS_NOT_AT_START].filter((p) => !configured.has(p))).toEqual([]);
  });
});
