// Heap plus off-heap memory in use after full collections, for the in-process memory benches
// (run with node --expose-gc).

export function usedAfterGc() {
  if (typeof globalThis.gc !== 'function') {
    console.error('run with node --expose-gc');
    process.exit(2);
  }
  // Two passes: the first may only schedule finalisation of what the second frees.
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}
