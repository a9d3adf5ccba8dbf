// When flushes happen: every interval from start, or — with aligned_flush — on wall-clock
// multiples of the interval, so several servers flush at the same instants.
// A chain of timeouts (not setInterval) lets each tick be re-aimed, so drift never accumulates.
//
// The wall clock can step (NTP, an operator): no wait is ever longer than one interval, so a step
// back cannot stop flushing for as long as the step; a tick far off its planned time is stamped as
// it runs and the schedule goes on from there; and a step is reported, told from a stalled loop by
// the monotonic clock.

/** A difference between wall and monotonic time this large between two ticks is a clock step. */
const CLOCK_STEP_MS = 1000;

export class FlushClock {
  private timer: NodeJS.Timeout | null = null;
  private next = 0;
  private lastWall = 0;
  private lastMono = 0;

  constructor(
    private intervalMs: number,
    private aligned: boolean,
    /** Called with the time the tick was planned for (ms), which may be a little before now. */
    private readonly onTick: (scheduledAt: number) => void,
    /** Called when the wall clock moved this many ms more than the monotonic clock since the last tick. */
    private readonly onClockStep: (stepMs: number) => void = () => undefined,
  ) {}

  /** `firstTickAt`: the schedule an earlier process left (a restart's hand-over), instead of a new one. */
  start(firstTickAt?: number): void {
    const now = Date.now();
    const fresh = this.aligned ? Math.floor(now / this.intervalMs) * this.intervalMs + this.intervalMs : now + this.intervalMs;
    this.next = firstTickAt ?? fresh;
    [this.lastWall, this.lastMono] = [now, performance.now()];
    this.arm();
  }

  /** A new interval applies from the next tick on; the current bucket is not cut short. */
  reschedule(intervalMs: number, aligned: boolean): void {
    this.intervalMs = intervalMs;
    this.aligned = aligned;
  }

  /** When the next tick is planned (ms); what a stop hands over to the next process. */
  get nextTickAt(): number {
    return this.next;
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    const wait = Math.min(Math.max(0, this.next - Date.now()), this.intervalMs);
    this.timer = setTimeout(() => {
      const firedAt = Date.now();
      this.noteClockStep(firedAt);
      const late = firedAt - this.next;
      // The planned time stamps the flush; a tick far off it (a stalled loop, a clock step) is stamped as it runs.
      this.onTick(Math.abs(late) < this.intervalMs / 2 ? this.next : firedAt);
      const now = Date.now();
      const steppedBack = late < -this.intervalMs / 2;
      const base = this.aligned ? Math.floor(now / this.intervalMs) * this.intervalMs : steppedBack ? now : this.next;
      this.next = base + this.intervalMs;
      // A tick delayed past the next one (a stalled loop) skips ahead instead of firing in a burst.
      while (this.next <= now) this.next += this.intervalMs;
      this.arm();
    }, wait);
  }

  private noteClockStep(now: number): void {
    const mono = performance.now();
    const step = now - this.lastWall - (mono - this.lastMono);
    [this.lastWall, this.lastMono] = [now, mono];
    if (Math.abs(step) >= CLOCK_STEP_MS) this.onClockStep(Math.round(step));
  }
}
