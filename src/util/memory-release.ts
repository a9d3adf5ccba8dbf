// Gives the memory of a big interval back once it is flushed. A bucket of millions of series is
// garbage as soon as its sinks are done with it, but V8 collects its old generation only when
// that grows again or when its memory reducer decides the process is idle; under a steady quiet
// load neither may happen for many intervals, and the RSS stays at the big interval's peak
// (bench/README.md, RSS around a big interval). One full collection then returns it.
//
// Node exposes no collection without --expose-gc, which a `#!/usr/bin/env node` binary cannot
// pass; the flag is set at run time and the function taken from a fresh context, as
// jest-leak-detector does.
//
// Right after a million-series interval the collection (~14 ms) and the freeing of ~300 MB behind
// it (V8's sweeper and unmapper threads, on the same core as the event loop where the server is
// pinned to one) held ingest up long enough that a 2M lines/s background overflowed the UDP
// receive buffer: 69k and 141k lines lost in two bench runs, none in two runs without it. So it
// waits for a quarter second with few datagrams, the steady quiet load it is for. Under a heavy
// load it may never run, and need not: V8 collects on its own, incrementally, while a load
// allocates.
//
// The full collection leaves V8's young generation at the size the big interval grew it to
// (~32 MB committed, half the RSS of a quiet server): V8 shrinks it only at a collection that sees
// a low allocation rate over its last 5 s, and right after the flush the big interval is in that
// window. So a minor collection (a scavenge of a nearly empty young generation, under a
// millisecond) follows once that window has passed, and again a few times while the young
// generation stays large: the work after a big flush sometimes allocated ~10 MB in the first
// window, and V8 kept it grown. Under a load that allocates, V8 keeps the young generation as it
// is, as it should.

import type { getHeapSpaceStatistics } from 'node:v8';
import { datagramCount } from './ingest-first-pacer.js';

/** A bucket smaller than this is not worth a full collection, whatever follows it. */
export const RELEASE_MIN_SERIES = 100_000;
/** How many times larger than the current bucket a flushed one must be. */
export const RELEASE_RATIO = 4;

/** V8's gc() of --expose-gc: a full collection, or with `{ type: 'minor' }` a scavenge. */
type Collect = (options?: { type: 'minor' }) => void;
interface Collector {
  gc: Collect;
  heapSpaces: typeof getHeapSpaceStatistics;
}
let collector: Collector | null = null;

/** V8's window for the allocation rate that decides whether to shrink the young generation (5 s), and a margin. */
export const YOUNG_GENERATION_WINDOW_MS = 6000;

/** node:v8 and node:vm are imported on first use: most processes never need them. */
async function loadCollector(): Promise<Collector> {
  if (collector === null) {
    const [{ setFlagsFromString, getHeapSpaceStatistics: heapSpaces }, { runInNewContext }] = await Promise.all([
      import('node:v8'),
      import('node:vm'),
    ]);
    setFlagsFromString('--expose-gc');
    collector = { gc: runInNewContext('gc') as Collect, heapSpaces };
  }
  return collector;
}

/** Minor collections after the full one, at most. */
const YOUNG_GENERATION_TRIES = 4;
/** A young generation this small is at (or near) V8's starting size: nothing left to give back. */
const SMALL_YOUNG_GENERATION_BYTES = 4 << 20;

function youngGenerationBytes(heapSpaces: typeof getHeapSpaceStatistics): number {
  return heapSpaces().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}

/** The full collection, then the minor ones that let V8 shrink the young generation. */
async function release(youngGenerationDelayMs: number): Promise<void> {
  const { gc, heapSpaces } = await loadCollector();
  gc();
  let tries = 0;
  const shrink = (): void => {
    gc({ type: 'minor' });
    if (++tries < YOUNG_GENERATION_TRIES && youngGenerationBytes(heapSpaces) > SMALL_YOUNG_GENERATION_BYTES) {
      setTimeout(shrink, youngGenerationDelayMs).unref();
    }
  };
  setTimeout(shrink, youngGenerationDelayMs).unref();
}

/** Whether a flushed bucket of `flushed` series, with `current` in the one filling now, calls for a collection. */
export function worthReleasing(flushed: number, current: number): boolean {
  return flushed >= RELEASE_MIN_SERIES && flushed > RELEASE_RATIO * current;
}

/** How often a pending collection looks at the datagram count. */
const QUIET_CHECK_MS = 250;
/**
 * At most this many datagrams in the last check make ingest quiet (2000 a second): far above an
 * idle host's or the bench's quiet load (a few hundred a second), far below the loads at which a
 * pause of the thread costs lines.
 */
export const QUIET_DATAGRAMS = 500;

let pending: NodeJS.Timeout | null = null;

/**
 * Runs a full collection in a task of its own, once the caller's references are gone from the
 * stack and a check period has seen at most `quietDatagrams` datagrams; a minor one
 * `youngGenerationDelayMs` later. One waits at a time.
 */
export function releaseMemorySoon(
  quietDatagrams = QUIET_DATAGRAMS,
  checkMs = QUIET_CHECK_MS,
  youngGenerationDelayMs = YOUNG_GENERATION_WINDOW_MS,
): void {
  if (pending !== null) return;
  let seen = datagramCount();
  pending = setInterval(() => {
    const now = datagramCount();
    const quiet = now - seen <= quietDatagrams;
    seen = now;
    if (!quiet) return;
    clearInterval(pending!);
    pending = null;
    void release(youngGenerationDelayMs);
  }, checkMs).unref();
}
