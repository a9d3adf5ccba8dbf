// `graphite://…`: carbon's plaintext protocol, `PATH VALUE TIMESTAMP\n`, over one persistent
// connection per destination. Every destination gets every line (fanout), or each series goes to
// the one carbon that carbon's own consistent hashing picks (carbon_ch).

import type { Bucket } from '../../aggregate/bucket.js';
import type { Logger } from '../../log/logger.js';
import { GRAPHITE_KEYS } from '../../naming/graphite-key.js';
import type { NamingConfig } from '../../naming/naming-config.js';
import { renderPoints, type PointWriter, type ValueFormat } from '../../naming/points.js';
import { BufferedTcpSender, type SenderStats } from '../delivery/buffered-tcp-sender.js';
import { MemoryQueue } from '../delivery/chunk-queue.js';
import { DiskSpool } from '../delivery/disk-spool.js';
import { SharedSenders } from '../delivery/shared-senders.js';
import { SerialQueue } from '../delivery/serial-queue.js';
import type { Sink, SinkCounters } from '../sink.js';
import { CarbonHashRing } from './carbon-hash-ring.js';
import { destinationSpoolDir, type GraphiteOptions } from './graphite-options.js';
import { runPaced } from '../../util/ingest-first-pacer.js';
import { LineBytes } from '../../naming/line-bytes.js';

/** Lines per chunk handed to a sender: the unit of buffering and of dropping when full. */
const LINES_PER_CHUNK = 500;
/** Bounds the carbon_ch memo of series → destination; a flush past it just hashes again. */
const ROUTE_CACHE_LIMIT = 1_000_000;

/**
 * Collects lines per destination and hands full chunks to the senders. A value that is no number
 * (a sum of squares that overflowed to inf, a nan) is not a point carbon can store: it is left
 * out and counted.
 */
class LineRouter implements PointWriter {
  private readonly lines: LineBytes[];
  nonFinite = 0;
  /** The key of the first value left out, for the log line. */
  firstNonFinite = '';

  constructor(
    private readonly senders: readonly BufferedTcpSender[],
    private readonly route: ((key: string) => number) | null,
    timestamp: number,
  ) {
    // Fanout: one set of lines, sent to all.
    this.lines = (route === null ? [null] : senders).map(() => new LineBytes(' ', ' ' + timestamp + '\n'));
  }

  point(stem: string, field: string, tags: string, value: number, format: ValueFormat): void {
    if (!Number.isFinite(value)) {
      if (this.nonFinite++ === 0) this.firstNonFinite = stem + field + tags;
      return;
    }
    const i = this.route === null ? 0 : this.route(stem + field + tags);
    const lines = this.lines[i];
    lines.point(stem, field, tags, value, format);
    if (lines.lines >= LINES_PER_CHUNK) this.emit(i);
  }

  flushAll(): void {
    for (let i = 0; i < this.lines.length; i++) this.emit(i);
  }

  /** Gives the render slabs back (what was rendered is flushed or abandoned). */
  finish(): void {
    for (const lines of this.lines) lines.finish();
  }

  private emit(i: number): void {
    const count = this.lines[i].lines;
    if (count === 0) return;
    // A copy: the chunk may wait in the queue for as long as carbon is down.
    const data = this.lines[i].takeCopy();
    if (this.route === null) for (const s of this.senders) s.send(data, count);
    else this.senders[i].send(data, count);
  }
}

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
      const router = new LineRouter(this.senders, this.route, timestamp);
      try {
        await runPaced(renderPoints(bucket, naming, GRAPHITE_KEYS, router, this.options.prefix), signal, () => router.flushAll());
        router.flushAll();
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
