// The executable's bundle and its V8 code cache (scripts/bundle.mjs, src/cli/bundle-loader.cts):
// the cache the build wrote must be one this Node accepts — a rejected cache costs start-up the
// compile it exists to save, and nothing else would notice —, it must hold what a start compiles
// (the build's warm start ran), and a missing or foreign cache must still start the program.

import { execFile } from 'node:child_process';
import { cpSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PACKAGE } from '../helpers/package.js';
import { REPO_ROOT } from '../helpers/server.js';
import { tempFiles } from '../helpers/temp-files.js';

const run = promisify(execFile);
const BUNDLE = join(REPO_ROOT, 'dist', 'bundle', 'main.cjs');
const LOADER = join(REPO_ROOT, 'dist', 'cli', 'bundle-loader.cjs');
const WRITER = join(REPO_ROOT, 'scripts', 'write-code-cache.mjs');

/** A copy of the package's runnable parts (bin, dist, package.json; node_modules linked) in a temp dir. */
function packageCopy(): string {
  const { dir } = tempFiles('statsite-ts-code-cache-');
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(REPO_ROOT, part), join(dir, part), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** Compiles the bundle through the loader, in a plain `node`, and reports whether V8 took the cache. */
const CHECK = `
const [loader, bundle] = process.argv.slice(1);
process.stdout.write(String(require(loader).compileBundle(bundle).cachedDataRejected));
`;

describe('the bundle’s code cache', () => {
  it('is accepted by the Node that built it', async () => {
    const { stdout } = await run(process.execPath, ['-e', CHECK, LOADER, BUNDLE]);
    expect(stdout).toBe('false');
  });

  it('holds what a start compiles, not only the modules’ top levels (the warm start ran)', async () => {
    const dir = packageCopy();
    try {
      const copy = join(dir, 'dist', 'bundle', 'main.cjs');
      await run(process.execPath, [WRITER, copy]);
      // Measured: ~230 KB for the top levels, ~380 KB after a start.
      expect(statSync(`${BUNDLE}.cache`).size).toBeGreaterThan(1.3 * statSync(`${copy}.cache`).size);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing or foreign cache only costs the compile: the program still runs', async () => {
    const dir = packageCopy();
    const cache = join(dir, 'dist', 'bundle', 'main.cjs.cache');
    try {
      writeFileSync(cache, Buffer.alloc(4096, 0x5a));
      expect((await run(process.execPath, [join(dir, 'bin', 'statsite-ts'), '--version'])).stdout.trim()).toBe(PACKAGE.version);
      rmSync(cache);
      expect((await run(process.execPath, [join(dir, 'bin', 'statsite-ts'), '--version'])).stdout.trim()).toBe(PACKAGE.version);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
