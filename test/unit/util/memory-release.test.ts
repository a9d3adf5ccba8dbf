// releaseMemorySoon() really runs a full collection, without --expose-gc on the command line.

import { describe, expect, it } from 'vitest';
import { releaseMemorySoon } from '../../../src/util/memory-release.js';

describe('releaseMemorySoon', () => {
  it('collects an object nothing refers to any more', async () => {
    let garbage: object | null = { big: new Array(1000).fill(0) };
    const ref = new WeakRef(garbage);
    garbage = null;
    expect(garbage).toBeNull();
    releaseMemorySoon();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(ref.deref()).toBeUndefined();
  });
});
