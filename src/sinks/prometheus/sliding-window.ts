// A summary's samples over a sliding time window, as client_golang's summaries (which
// statsd_exporter uses) keep them: `ageBuckets` slots of maxAge/ageBuckets each, starting when
// the series was created; the quantiles cover the current slot and all older ones still in the
// ring, i.e. between (ageBuckets−1)/ageBuckets of maxAge and maxAge of samples. So a quantile
// exists as long as the window holds a sample, and NaN only once it holds none.
//
// Each slot is a timer the flushed intervals are merged into; the quantiles are computed over
// all slots when asked and kept until a slot turns over or a sample comes in.

import { createDefaultSketch } from '../../aggregate/sketch.js';
import { Timer } from '../../aggregate/timer.js';
import type { WindowSettings } from './series-plan.js';

export class SlidingWindow {
  private readonly slots: Array<Timer | null>;
  private readonly slotMs: number;
  private head = 0;
  /** When the head slot began, ms. */
  private headStart: number;
  private cached: number[] | null = null;

  constructor(settings: WindowSettings, now: number) {
    this.slots = new Array<Timer | null>(Math.max(1, settings.ageBuckets)).fill(null);
    this.slotMs = settings.maxAgeMs / this.slots.length;
    this.headStart = now;
  }

  add(timer: Timer, now: number): void {
    this.turn(now);
    (this.slots[this.head] ??= new Timer(createDefaultSketch)).mergeState(timer.state());
    this.cached = null;
  }

  /** The quantiles of the samples in the window, raw (the caller scales them); NaN when it holds none. */
  quantiles(qs: readonly number[], now: number): number[] {
    this.turn(now);
    if (this.cached !== null) return this.cached;
    const live = this.slots.filter((s): s is Timer => s !== null);
    let all: Timer | null = null;
    if (live.length === 1) all = live[0];
    else if (live.length > 1) {
      all = new Timer(createDefaultSketch);
      for (const slot of live) all.mergeState(slot.state());
    }
    return (this.cached = qs.map((q) => (all === null ? NaN : all.quantile(q))));
  }

  /** Moves the head on to the slot `now` falls in, emptying the slots it passes. */
  private turn(now: number): void {
    const passed = Math.floor((now - this.headStart) / this.slotMs);
    if (passed <= 0) return;
    for (let i = 0; i < Math.min(passed, this.slots.length); i++) {
      this.head = (this.head + 1) % this.slots.length;
      this.slots[this.head] = null;
    }
    this.headStart += passed * this.slotMs;
    this.cached = null;
  }
}
