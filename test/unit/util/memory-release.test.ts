// releaseMemorySoon() really runs a full collection, without --expose-gc on the command line, and
// only once ingest is quiet: a collection right after a big interval held a busy UDP socket up
// long enough to lose datagrams.

import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { noteDatagram } from '../../../src/util/ingest-first-pacer.js';
import { releaseMemorySoon } from '../../../src/util/memory-release.js';
import { waitFor } from '../../helpers/wait.js';

/** An object nothing refers to, and a way to tell whether it was collected. */
function garbage(): WeakRef<object> {
  return new WeakRef({ big: new Array(1000).fill(0) });
}

describe('releaseMemorySoon', () => {
  it('collects an object nothing refers to any more', async () => {
    const ref = garbage();
    releaseMemorySoon(10, 20);
    await waitFor(() => ref.deref() === undefined, { what: 'the collection' });
  });

  it('waits while datagrams keep coming, and collects once a check period sees few', async () => {
    // Forced collections, told apart from V8's own by their flag.
    let forced = 0;
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const flags = (entry as PerformanceEntry & { detail?: { flags?: number } }).detail?.flags ?? 0;
        if (flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) forced++;
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    try {
      releaseMemorySoon(10, 20);
      // A busy socket: far more than 10 datagrams in every 20 ms period, for a while.
      const busy = setInterval(() => {
        for (let i = 0; i < 100; i++) noteDatagram();
      }, 2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      clearInterval(busy);
      expect(forced).toBe(0);
      await waitFor(() => forced === 1, { what: 'the collection once ingest is quiet' });
    } finally {
      observer.disconnect();
    }
  });
});
