// Our own numbers, flushed like any client's: totals become counters of what happened during the
// interval, levels become gauges. They go through the same naming and sinks as everything else.

import type { SampleHandler } from '../model/sample-handler.js';
import type { ServerStats } from './server-stats.js';

export class SelfMetrics {
  private previous = new Map<string, number>();

  writeTo(handler: SampleHandler, prefix: string, stats: ServerStats): void {
    for (const [name, total] of Object.entries(stats.counts)) {
      const delta = total - (this.previous.get(name) ?? 0);
      this.previous.set(name, total);
      handler.counter(prefix + name, delta, 1);
    }
    for (const [name, level] of Object.entries(stats.levels)) handler.gauge(prefix + name, level, false);
  }
}
