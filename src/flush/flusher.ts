// A flush: swap the aggregator's bucket for a fresh one and hand the finished bucket to every
// sink at once. Sinks run independently — one slow sink never delays another or the next flush.

import type { Aggregator } from '../aggregate/aggregator.js';
import type { Logger } from '../log/logger.js';
import type { Sink } from '../sinks/sink.js';

export class Flusher {
  private readonly inFlight = new Set<Promise<void>>();
  lastFlushAt = 0;
  flushes = 0;

  constructor(
    private readonly aggregator: Aggregator,
    private sinks: readonly Sink[],
    private readonly log: Logger,
  ) {}

  replaceSinks(sinks: readonly Sink[]): readonly Sink[] {
    const old = this.sinks;
    this.sinks = sinks;
    return old;
  }

  flush(): void {
    const startedAt = Date.now();
    const timestamp = Math.floor(startedAt / 1000);
    const bucket = this.aggregator.swap();
    this.flushes++;
    this.lastFlushAt = startedAt;
    this.log.debug({ series: bucket.size(), timestamp }, 'flush');
    for (const sink of this.sinks) {
      const delivery = sink.flush(bucket, timestamp).catch((err: unknown) => {
        this.log.error({ sink: sink.name, err: err instanceof Error ? err.message : String(err) }, 'sink failed to deliver a flush');
      });
      this.inFlight.add(delivery);
      void delivery.finally(() => this.inFlight.delete(delivery));
    }
  }

  /** Waits for deliveries in flight, at most `timeoutMs`; returns false if some were still pending. */
  async drain(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const done = Promise.all([...this.inFlight]).then(() => true as const);
    const finished = await Promise.race([done, timeout]);
    clearTimeout(timer);
    return finished;
  }
}
