// Packages that only some configurations use (a mapping file's YAML, a config file's TOML, the
// alternative sketch), loaded on first use instead of at start-up: every package imported at
// start delays listening (bench/README.md, start-up). Synchronous, for the CommonJS builds these
// packages ship, so their callers stay synchronous.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A function that returns package `name`, required the first time it is called. */
export function lazyPackage<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}
