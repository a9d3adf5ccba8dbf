// Bounded waiting. Every wait in the e2e suite goes through here so that no
// test can hang: a condition that never comes true becomes a clear failure.

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface WaitOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Poll period (default 25 ms). */
  intervalMs?: number;
  /** Says what was awaited, for the timeout message. */
  what?: string;
  /** Extra detail appended to the timeout message (e.g. the server's stderr). */
  detail?: () => string;
}

/**
 * Polls `check` until it returns a value other than undefined/false and
 * returns that value; throws once `timeoutMs` has passed.
 */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  opts: WaitOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) {
      const detail = opts.detail ? `\n${opts.detail()}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'condition'}${detail}`);
    }
    await sleep(intervalMs);
  }
}

/** Resolves with the promise's value, or with `fallback` once `ms` has passed. */
export function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
