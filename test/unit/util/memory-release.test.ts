// releaseMemorySoon() really runs a full collection, without --expose-gc on the command line, and
// only once ingest is quiet: a collection right after a big interval held a busy UDP socket up
// long enough to lose datagrams; a minor collection later lets V8 shrink the young generation.

import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { noteDatagram } from '../../../src/util/ingest-first-pacer.js';
import { releaseMemorySoon } from '../../../src/util/memory-release.js';
import { waitFor } from '../../helpers/wait.js';

/** An object nothing refers to, and a way to tell whether it was collected. */
function garbage(): WeakRef<object> {
  return new WeakRef({ big: new Array(1000).fill(0) });
}

/** Counts the forced collections of `kind` (NODE_PERFORMANCE_GC_MAJOR or _MINOR) while it observes. */
function forcedCollections(kind: number): { count: () => number; stop: () => void } {
  let count = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as PerformanceEntry & { detail?: { kind?: number; flags?: number } }).detail;
      if (detail?.kind === kind && (detail.flags ?? 0) & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) count++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return { count: () => count, stop: () => observer.disconnect() };
}

const youngGenerationBytes = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;

describe('releaseMemorySoon', () => {
  it('collects an object nothing refers to any more', async () => {
    const ref = garbage();
    releaseMemorySoon(10, 20);
    await waitFor(() => ref.deref() === undefined, { what: 'the collection' });
  });

  it('waits while datagrams keep coming, and collects once a check period sees few', async () => {
    const forced = forcedCollections(constants.NODE_PERFORMANCE_GC_MAJOR);
    try {
      releaseMemorySoon(10, 20);
      // A busy socket: far more than 10 datagrams in every 20 ms period, for a while.
      const busy = setInterval(() => {
        for (let i = 0; i < 100; i++) noteDatagram();
      }, 2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      clearInterval(busy);
      expect(forced.count()).toBe(0);
      await waitFor(() => forced.count() === 1, { what: 'the collection once ingest is quiet' });
    } finally {
      forced.stop();
    }
  });

  it('follows the full collection with a minor one, after the delay', async () => {
    const minor = forcedCollections(constants.NODE_PERFORMANCE_GC_MINOR);
    try {
      releaseMemorySoon(10, 20, 200);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(minor.count()).toBe(0);
      await waitFor(() => minor.count() >= 1, { what: 'the minor collection' });
    } finally {
      minor.stop();
    }
  });

  it('gives back the young generation a burst of allocation grew (V8 decides after 5 quiet seconds)', async () => {
    // Short-lived objects by the million, as a big interval's parsing makes, grow the semi-spaces.
    let kept: object[] = [];
    for (let i = 0; i < 3_000_000; i++) kept.push({ i, name: `k${i}` });
    kept = [];
    const grown = youngGenerationBytes();
    expect(grown).toBeGreaterThan(8 << 20);
    releaseMemorySoon(10, 20);
    await waitFor(() => youngGenerationBytes() < grown / 4, { what: 'the young generation to shrink', timeoutMs: 15_000 });
    expect(kept).toHaveLength(0);
  }, 20_000);
});
