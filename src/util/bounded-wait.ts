/**
 * The longest timeout a Node timer takes, in whole seconds: past 2^31 − 1 ms Node fires it after
 * 1 ms instead (with a warning), so a configured duration above it must be refused, not run.
 */
export const MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** Waits for `promise` at most `ms`; true if it settled in time. Leaves no timer behind. */
export async function boundedWait(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const, () => true as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
