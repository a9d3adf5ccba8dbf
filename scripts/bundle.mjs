// Bundles the compiled program (dist/, from tsc) into dist/bundle/, which bin/statsite-ts runs.
//
// Start-up is mostly module loading: ~85 ES modules of ours and the CommonJS files of pino and
// commander took ~65–85 ms to import, the bundle ~27 ms (bench/README.md, start-up). Modules
// imported dynamically (a sink's, an optional endpoint's) stay chunks of their own, loaded when
// configured; the packages only some configurations use (undici, protobufjs, yaml, …) stay
// outside, required from node_modules on first use (src/util/lazy-package.ts, sinks/registry.ts).
// Every chunk sits two levels below the package, like dist/cli/, so the paths the program builds
// from import.meta.url (package.json, packaging/, the ingest worker's entry) hold in both.

import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const ROOT = new URL('..', import.meta.url);
const OUT = new URL('dist/bundle/', ROOT);
const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8'));
/** Bundled: what every start loads. The rest of the dependencies load only when configured. */
const BUNDLED = new Set(['commander', 'pino']);

rmSync(OUT, { recursive: true, force: true });
await build({
  absWorkingDir: new URL('.', ROOT).pathname,
  entryPoints: { main: 'dist/cli/main.js', 'ingest-worker': 'dist/cluster/ingest-worker.js' },
  outdir: OUT.pathname,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name)),
  // pino and commander are CommonJS: their require() of Node's own modules needs a real require.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
});
