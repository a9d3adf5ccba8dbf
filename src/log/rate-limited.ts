// Logs a recurring problem at most once per window: the first occurrence at once (with an
// example), later ones summed up as "N more since" — so a bad client cannot flood the journal.

import type { Logger } from './logger.js';

export class RateLimitedLog {
  private windowStart = -Infinity;
  private suppressed = 0;

  constructor(
    private readonly log: Logger,
    private readonly message: string,
    private readonly windowMs = 10_000,
  ) {}

  /** `details` is only built when the line will actually be logged. */
  hit(details: () => Record<string, unknown>): void {
    const now = Date.now();
    if (now - this.windowStart < this.windowMs) {
      this.suppressed++;
      return;
    }
    const suppressed = this.suppressed;
    this.windowStart = now;
    this.suppressed = 0;
    this.log.warn({ ...details(), ...(suppressed > 0 ? { suppressedSinceLastLog: suppressed } : {}) }, this.message);
  }
}

/** An 'error' listener for a server that keeps listening (a failed accept): logged at most once per window. */
export function serverErrorLog(log: Logger, server: string): (err: Error) => void {
  const limited = new RateLimitedLog(log, `${server}: an error, it goes on listening`);
  return (err) => limited.hit(() => ({ err: err.message }));
}
