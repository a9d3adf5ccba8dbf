// node scripts/write-code-cache.mjs BUNDLE [SERVER ARGS…] — writes BUNDLE's V8 code cache
// (src/cli/bundle-loader.cts). With server arguments it first runs the server from the bundle
// until it stops (scripts/bundle.mjs sends SIGTERM once it listens), so the cache holds what a
// start compiles; without, only the modules' top levels. Exits 0 once the cache is written.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { loadBundleForCodeCache } = require('../dist/cli/bundle-loader.cjs');

const [bundlePath, ...serverArgs] = process.argv.slice(2);
const { bundle, writeCodeCache } = loadBundleForCodeCache(bundlePath);
if (serverArgs.length > 0) {
  const code = await bundle.main([process.execPath, bundlePath, ...serverArgs]);
  if (code) process.exit(code);
}
writeCodeCache();
