// Bundles the compiled program (dist/, from tsc) into dist/bundle/, which bin/statsite-ts runs,
// and writes the bundle's V8 code cache (src/cli/bundle-loader.cts).
//
// Start-up is mostly loading code: ~85 ES modules of ours and the CommonJS files of pino and
// commander took ~65–85 ms to import, one ES module bundle ~25 ms, of which V8's compile was about
// half; the CommonJS bundle with its code cache loads in ~11 ms (bench/README.md, start-up).
// Modules imported dynamically (a sink's, an optional endpoint's) are in the bundle but run only
// when configured; the packages only some configurations use (undici, protobufjs, yaml, …) stay
// outside, required from node_modules on first use (src/util/lazy-package.ts, sinks/registry.ts).
// The bundles sit two levels below the package, like dist/cli/, so the paths the program builds
// from import.meta.url (package.json, packaging/, the ingest worker's entry) hold in both.
//
// The cache is written by a start of the server from the bundle (scripts/write-code-cache.mjs),
// stopped once it listens, so it holds what a start compiles, not only the modules' top levels;
// where that start cannot run (no free loopback port), the cache holds the top levels.

import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = new URL('..', import.meta.url);
const OUT = new URL('dist/bundle/', ROOT);
const MAIN = fileURLToPath(new URL('main.cjs', OUT));
const WRITER = fileURLToPath(new URL('scripts/write-code-cache.mjs', ROOT));
const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8'));
/** Bundled: what every start loads. The rest of the dependencies load only when configured. */
const BUNDLED = new Set(['commander', 'pino']);
/** How long the warm start may take to listen and stop before the cache falls back to the top levels. */
const WARM_START_LIMIT_MS = 20_000;

const common = {
  absWorkingDir: fileURLToPath(ROOT),
  outdir: fileURLToPath(OUT),
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name)),
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
};

rmSync(OUT, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { main: 'dist/cli/main.js' },
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  // import() of Node's modules becomes require(): a vm.Script has no loader for import().
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// The ingest workers' entry (src/cluster/ingest-workers.ts forks it): an ES module, as in dist/cluster/.
await build({
  ...common,
  entryPoints: { 'ingest-worker': 'dist/cluster/ingest-worker.js' },
  format: 'esm',
  // pino and commander are CommonJS: their require() of Node's own modules needs a real require.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
});

if (!(await writeCodeCache(warmStartArgs()))) {
  console.warn('bundle: the warm start did not run; the code cache holds the modules\' top levels only');
  if (!(await writeCodeCache([]))) throw new Error('bundle: could not write the code cache');
}

/** A start with the stdout sink on a random loopback port above the ephemeral range. */
function warmStartArgs() {
  const port = String(61_000 + Math.floor(Math.random() * 4000));
  return ['--bind', '127.0.0.1', '--port', port, '--sink', 'stdout', '--log-format', 'json'];
}

/** Runs the writer; with server arguments, stops the server (SIGTERM) once it logs that it listens. */
function writeCodeCache(serverArgs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WRITER, MAIN, ...serverArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    const limit = setTimeout(() => child.kill('SIGKILL'), WARM_START_LIMIT_MS);
    let output = '';
    // Once: a second SIGTERM that lands after the server removed its handlers kills it.
    let stopped = false;
    const watch = (chunk) => {
      output += chunk;
      if (!stopped && output.includes('"msg":"statsite-ts listening"')) {
        stopped = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.setEncoding('utf8').on('data', watch);
    child.stderr.setEncoding('utf8').on('data', watch);
    child.once('exit', (code) => {
      clearTimeout(limit);
      resolve(code === 0);
    });
  });
}
