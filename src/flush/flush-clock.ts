// When flushes happen: every interval from start, or — with aligned_flush — on wall-clock
// multiples of the interval, so several servers flush at the same instants.
// A chain of timeouts (not setInterval) lets each tick be re-aimed, so drift never accumulates.

export class FlushClock {
  private timer: NodeJS.Timeout | null = null;
  private next = 0;

  constructor(
    private intervalMs: number,
    private aligned: boolean,
    /** Called with the time the tick was planned for (ms), which may be a little before now. */
    private readonly onTick: (scheduledAt: number) => void,
  ) {}

  start(): void {
    const now = Date.now();
    this.next = this.aligned ? Math.floor(now / this.intervalMs) * this.intervalMs + this.intervalMs : now + this.intervalMs;
    this.arm();
  }

  /** A new interval applies from the next tick on; the current bucket is not cut short. */
  reschedule(intervalMs: number, aligned: boolean): void {
    this.intervalMs = intervalMs;
    this.aligned = aligned;
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      // The planned time stamps the flush; a tick far behind (a stalled loop) is stamped as it runs.
      const late = Date.now() - this.next;
      this.onTick(late < this.intervalMs / 2 ? this.next : this.next + late);
      const now = Date.now();
      const base = this.aligned ? Math.floor(now / this.intervalMs) * this.intervalMs : this.next;
      this.next = base + this.intervalMs;
      // A tick delayed past the next one (a stalled loop) skips ahead instead of firing in a burst.
      while (this.next <= now) this.next += this.intervalMs;
      this.arm();
    }, Math.max(0, this.next - Date.now()));
  }
}
