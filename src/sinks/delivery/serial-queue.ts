// Runs a sink's deliveries one after the other, so flushes arrive in order even when one is slow.

export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `task` after the ones before it; skipped if `signal` aborted while it waited. */
  run(task: () => Promise<void>, signal?: AbortSignal): Promise<void> {
    const result = this.tail.then(() => {
      signal?.throwIfAborted();
      return task();
    });
    // The chain must survive a failed task; the caller still sees the failure through `result`.
    this.tail = result.catch(() => undefined);
    return result;
  }

  idle(): Promise<void> {
    return this.tail;
  }
}
