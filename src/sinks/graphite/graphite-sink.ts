// `graphite://…`: carbon's plaintext protocol, `PATH VALUE TIMESTAMP\n`, over one persistent
// connection per destination. Every destination gets every line (fanout), or each series goes to
// the one carbon that carbon's own consistent hashing picks (carbon_ch).

import type { Bucket } from '../../aggregate/bucket.js';
import type { Logger } from '../../log/logger.js';
import { GRAPHITE_KEYS } from '../../naming/graphite-key.js';
import type { NamingConfig } from '../../naming/naming-config.js';
import { renderPoints } from '../../naming/points.js';
import { BufferedTcpSender, type SenderStats } from '../delivery/buffered-tcp-sender.js';
import { MemoryQueue } from '../delivery/chunk-queue.js';
import { DiskSpool } from '../delivery/disk-spool.js';
import { SharedSenders } from '../delivery/shared-senders.js';
import { SerialQueue } from '../delivery/serial-queue.js';
import type { Sink, SinkCounters } from '../sink.js';
import { CarbonHashRing } from './carbon-hash-ring.js';
import { destinationSpoolDir, type GraphiteOptions } from './graphite-options.js';
import { runPaced } from '../../util/ingest-first-pacer.js';
import { LineRouter } from './line-router.js';

/** Bounds the carbon_ch memo of series → destination; a flush past it just hashes again. */
const ROUTE_CACHE_LIMIT = 1_000_000;
/**
 * A flush hands each connected destination its lines while at most this many wait there (or half
 * its buffer_lines, if less): carbon's pace sets how much of a big flush waits in memory, and a
 * carbon that is up never sees lines dropped because the render outran it (a million timers are
 * 13M lines; buffer_lines defaults to 1M).
 */
const RENDER_AHEAD_LINES = 200_000;

/** The earliest of some times, null when none is set. */
function earliest(times: ReadonlyArray<number | null>): number | null {
  const set = times.filter((t) => t !== null);
  return set.length === 0 ? null : Math.min(...set);
}

/** The latest of some times, null when none is set. */
function latest(times: ReadonlyArray<number | null>): number | null {
  const set = times.filter((t) => t !== null);
  return set.length === 0 ? null : Math.max(...set);
}

export class GraphiteSink implements Sink {
  readonly destination: string;
  readonly senders: BufferedTcpSender[];
  private readonly queue = new SerialQueue();
  private readonly route: ((key: string) => number) | null;
  /** Points left out for not being finite numbers. */
  private nonFiniteDropped = 0;
  /** The senders' keys in `shared`, one per destination. */
  private readonly senderKeys: string[];

  /**
   * `shared`: the server's senders, so that a sink built on reload for the same destination and
   * queue takes over the running sender (and its spool) instead of opening a second one.
   */
  constructor(
    private readonly options: GraphiteOptions,
    private readonly naming: () => NamingConfig,
    private readonly log: Logger,
    private readonly shared = new SharedSenders<BufferedTcpSender>(),
    readonly name = 'graphite',
  ) {
    this.destination = `graphite://${options.destinations.map((d) => `${d.host}:${d.port}`).join(',')}`;
    const spools = options.destinations.map((d) => (options.spoolDir === null ? null : destinationSpoolDir(options.spoolDir, d)));
    this.senderKeys = options.destinations.map((d, i) => `${d.host}:${d.port}:${d.instance ?? ''} ${spools[i] ?? 'memory'}`);
    this.senders = options.destinations.map((d, i) =>
      shared.acquire(this.senderKeys[i], () => {
        const spool = spools[i];
        const { bufferLines, spoolMaxBytes } = options;
        const queue = spool === null ? new MemoryQueue(bufferLines) : new DiskSpool(spool, spoolMaxBytes, log, bufferLines);
        // `timeout` bounds both the connect and how long carbon may take nothing while lines wait.
        const timeouts = { connectTimeoutMs: options.timeoutMs, stallTimeoutMs: options.timeoutMs };
        return new BufferedTcpSender({ host: d.host, port: d.port, ...timeouts, maxBackoffMs: 10_000 }, queue, log);
      }),
    );
    this.route = options.routing !== 'fanout' && options.destinations.length > 1 ? this.carbonRoute() : null;
  }

  flush(bucket: Bucket, timestamp: number, signal?: AbortSignal): Promise<void> {
    const naming = this.naming();
    return this.queue.run(async () => {
      for (const sender of this.senders) sender.releaseViews();
      const router = new LineRouter(this.senders, this.route, timestamp);
      const ahead = Math.max(1, Math.min(RENDER_AHEAD_LINES, Math.floor(this.options.bufferLines / 2)));
      try {
        const slices = renderPoints(bucket, naming, GRAPHITE_KEYS, router, this.options.prefix);
        await runPaced(slices, signal, () => router.handOver(ahead, signal));
        await router.handOver(ahead, signal);
      } finally {
        router.finish();
      }
      for (const sender of this.senders) sender.seal();
      if (router.nonFinite > 0) {
        this.nonFiniteDropped += router.nonFinite;
        this.log.warn(
          { sink: this.name, droppedLines: router.nonFinite, example: router.firstNonFinite },
          'left out values that are not finite numbers (inf, nan): carbon cannot store them',
        );
      }
      this.reportDrops();
    }, signal);
  }

  problem(): string | null {
    const problems = this.senders.map((s) => s.problem()).filter((p) => p !== null);
    return problems.length === 0 ? null : problems.join('; ');
  }

  counters(): SinkCounters {
    const all = this.senders.map((s) => s.stats());
    const total = (pick: (s: SenderStats) => number) => all.reduce((n, s) => n + pick(s), 0);
    return {
      sentLines: total((s) => s.sentLines),
      droppedLines: total((s) => s.droppedLines) + this.nonFiniteDropped,
      bufferedLines: total((s) => s.bufferedLines),
      queuedSince: earliest(all.map((s) => s.queuedSince)),
      spoolBytes: all.some((s) => s.spoolBytes !== null) ? total((s) => s.spoolBytes ?? 0) : null,
      lastDeliveredAt: latest(all.map((s) => s.lastDeliveredAt)),
    };
  }

  /**
   * Gives buffered lines `timeoutMs` to reach carbon, then closes the connections — except those
   * a sink built since (a reload) shares: they keep running for it.
   */
  async close(timeoutMs = 5_000): Promise<void> {
    await this.queue.idle();
    await Promise.all(this.senderKeys.map((key) => this.shared.release(key, timeoutMs)));
  }

  private reportDrops(): void {
    for (const s of this.senders) {
      const dropped = s.takeDroppedCount();
      if (dropped === 0) continue;
      const { bufferLines, spoolDir, spoolMaxBytes } = this.options;
      // Name the bound that was hit: the memory buffer's, or the spool's (a lost segment was logged already).
      if (spoolDir === null) {
        const message = 'graphite buffer full: dropped the oldest lines';
        this.log.warn({ sink: this.name, destination: s.name, droppedLines: dropped, bufferLines }, message);
      } else {
        const message = 'graphite spool: dropped lines (spool_max_bytes reached, or a segment lost as logged)';
        this.log.warn({ sink: this.name, destination: s.name, droppedLines: dropped, spoolMaxBytes }, message);
      }
    }
  }

  private carbonRoute(): (key: string) => number {
    const flavour = this.options.routing === 'c_relay_carbon_ch' ? 'carbon-c-relay' : 'carbon-relay';
    const ring = new CarbonHashRing(this.options.destinations.map((d) => ({ server: d.host, instance: d.instance })), flavour);
    const memo = new Map<string, number>();
    return (key) => {
      let node = memo.get(key);
      if (node === undefined) {
        node = ring.nodeFor(key);
        if (memo.size >= ROUTE_CACHE_LIMIT) memo.clear();
        memo.set(key, node);
      }
      return node;
    };
  }
}
