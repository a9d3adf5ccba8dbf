// Gives the memory of a big interval back once it is flushed. A bucket of millions of series is
// garbage as soon as its sinks are done with it, but V8 collects its old generation only when
// that grows again or when its memory reducer decides the process is idle; under a steady quiet
// load neither may happen for many intervals, and the RSS stays at the big interval's peak
// (bench/README.md, RSS around a big interval). One full collection then returns it.
//
// Node exposes no collection without --expose-gc, which a `#!/usr/bin/env node` binary cannot
// pass; the flag is set at run time and the function taken from a fresh context, as
// jest-leak-detector does.

/** A bucket smaller than this is not worth a full collection, whatever follows it. */
export const RELEASE_MIN_SERIES = 100_000;
/** How many times larger than the current bucket a flushed one must be. */
export const RELEASE_RATIO = 4;

let collect: (() => void) | null = null;

/** node:v8 and node:vm are imported on first use: most processes never need them. */
async function fullCollection(): Promise<void> {
  if (collect === null) {
    const [{ setFlagsFromString }, { runInNewContext }] = await Promise.all([import('node:v8'), import('node:vm')]);
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}

/** Whether a flushed bucket of `flushed` series, with `current` in the one filling now, calls for a collection. */
export function worthReleasing(flushed: number, current: number): boolean {
  return flushed >= RELEASE_MIN_SERIES && flushed > RELEASE_RATIO * current;
}

/** Runs a full collection in a task of its own, once the caller's references are gone from the stack. */
export function releaseMemorySoon(): void {
  setImmediate(() => void fullCollection());
}
