// Runs the executable's bundle (dist/bundle/main.cjs, built by scripts/bundle.mjs) with the V8
// code cache written beside it at build time (main.cjs.cache). Node 20 has no compile cache for
// ES modules, and compiling the bundle was about half of what start-up spends in our code
// (bench/README.md, start-up). The bundle is CommonJS so that it can be compiled as a vm.Script,
// which takes a cache; this file is CommonJS (.cts) so that bin/statsite-ts can require it without
// starting Node's ES module loader. A cache V8 rejects (another Node build, other V8 flags) only
// costs the compile it would have saved.

import { readFileSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/** What the bundle exports: the CLI's main (src/cli/main.ts). */
export interface Bundle {
  main: typeof import('./main.js').main;
}

function codeCachePath(bundle: string): string {
  return `${bundle}.cache`;
}

function compile(bundle: string, cachedData: Buffer | undefined): Script {
  return new Script(Module.wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
}

/** Runs the compiled bundle as Node runs a CommonJS module, requires resolved from its own directory. */
function evaluate(script: Script, bundle: string): Bundle {
  const module = { exports: {} as Bundle };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, Module.createRequire(bundle), module, bundle, dirname(bundle));
  return module.exports;
}

/** The bundle compiled with its code cache when there is one (`cachedDataRejected` tells whether V8 took it). */
export function compileBundle(bundle: string): Script {
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(codeCachePath(bundle));
  } catch {
    // no cache (a build that could not write one): compile from source
  }
  return compile(bundle, cachedData);
}

/** Loads the bundle, with its code cache when there is one. */
export function loadBundle(bundle: string): Bundle {
  return evaluate(compileBundle(bundle), bundle);
}

/**
 * Loads the bundle without a cache; `writeCodeCache()` then writes one holding every function
 * compiled so far, so the later it is called (after a start, say) the less a start compiles.
 */
export function loadBundleForCodeCache(bundle: string): { bundle: Bundle; writeCodeCache: () => void } {
  const script = compile(bundle, undefined);
  return { bundle: evaluate(script, bundle), writeCodeCache: () => writeFileSync(codeCachePath(bundle), script.createCachedData()) };
}
