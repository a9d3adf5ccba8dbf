// An ingest worker process (`[ingest] workers` > 1). The workers share the UDP socket — the
// kernel hands each datagram to one of them — and take turns at TCP connections, so parsing and
// aggregation use every core. Each worker fills its own partial bucket and has no sinks: at each
// flush the primary asks for the finished bucket, which goes back in parts over IPC, and the
// primary merges all of them into one interval (src/cluster/ingest-workers.ts). A bucket that
// grows past a part's worth of series is handed over early, unasked, at most every quarter
// interval: the primary merges it into the interval that is filling, so a flush of many series
// does not wait for all of them to be packed, sent and merged then (bench/README.md, Issue #21).
//
// Run by node:cluster, never directly. Signals are the primary's business: systemd and a
// terminal signal the whole process group, and a worker that exited on its own would lose its
// bucket. It leaves when told to stop, or when the primary is gone.

import cluster from 'node:cluster';
import type { ServerConfig } from '../config/server-config.js';
import { warnSeriesLimit } from '../aggregate/series-limit.js';
import { IngestPipeline } from '../ingest/ingest-pipeline.js';
import { pipelineTotals } from '../ingest/ingest-totals.js';
import { createLogger, type Logger } from '../log/logger.js';
import { packBucket } from './packed-bucket.js';
import { EARLY_SEQ, type FromWorker, type ToWorker } from './worker-messages.js';
import { IngestFirstPacer } from '../util/ingest-first-pacer.js';

/**
 * Series per IPC message: small enough that packing one lets the socket be read again soon, large
 * enough that a million-series hand-over is not slowed by the primary's cost per message.
 */
const SERIES_PER_PART = 16000;
/** How often the worker looks at its bucket's size for an early hand-over. */
const EARLY_CHECK_MS = 250;

function send(message: FromWorker): Promise<void> {
  return new Promise((resolve, reject) => {
    process.send!(message, undefined, {}, (err) => (err ? reject(err) : resolve()));
  });
}

class IngestWorker {
  private readonly pipeline: IngestPipeline;
  private seriesLimitDrops = 0;
  /** Hand-overs run one after the other: an early one under way when the flush asks goes first. */
  private handing: Promise<void> = Promise.resolve();
  private lastHandOverAt = Date.now();
  private readonly earlyCheck = setInterval(() => this.handOverEarly(), EARLY_CHECK_MS).unref();

  constructor(
    private config: ServerConfig,
    private readonly log: Logger,
  ) {
    this.pipeline = new IngestPipeline(config, log, true);
  }

  async start(): Promise<void> {
    await this.pipeline.listeners.apply(this.config, true);
  }

  async reconfigure(next: ServerConfig): Promise<void> {
    this.config = next;
    this.log.level = next.logLevel;
    await this.pipeline.reconfigure(next);
  }

  listening(): FromWorker {
    return { kind: 'listening', listeners: this.pipeline.listeners.status() };
  }

  /** Sends the finished bucket a part at a time, pausing for ingest in between parts. */
  handOver(seq: number): Promise<void> {
    const next = this.handing.then(() => this.sendBucket(seq));
    this.handing = next.catch(() => undefined);
    return next;
  }

  /** An early hand-over when the bucket holds more than a part and a quarter interval has passed. */
  private handOverEarly(): void {
    const quarter = (this.config.naming.flushInterval * 1000) / 4;
    const series = this.pipeline.aggregator.current().size();
    if (series <= SERIES_PER_PART || Date.now() - this.lastHandOverAt < quarter) return;
    this.lastHandOverAt = Date.now();
    this.log.debug({ series }, 'handing the interval over early');
    this.handOver(EARLY_SEQ).catch((err: unknown) => {
      this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'early hand-over to the primary failed');
    });
  }

  private async sendBucket(seq: number): Promise<void> {
    if (seq !== EARLY_SEQ) this.lastHandOverAt = Date.now();
    const bucket = this.pipeline.aggregator.swap();
    this.seriesLimitDrops += warnSeriesLimit(bucket.limit, this.log);
    const pacer = new IngestFirstPacer();
    for (const part of packBucket(bucket, SERIES_PER_PART)) {
      await send({ kind: 'part', seq, part });
      await pacer.pause();
    }
    await send({ kind: 'done', seq, totals: pipelineTotals(this.pipeline, this.seriesLimitDrops) });
  }

  async stop(seq: number): Promise<void> {
    clearInterval(this.earlyCheck);
    await this.pipeline.listeners.close();
    await this.handOver(seq);
  }
}

let worker: IngestWorker | null = null;

async function handle(message: ToWorker): Promise<void> {
  if (message.kind === 'configure') {
    if (worker !== null) {
      await worker.reconfigure(message.config);
      await send(worker.listening());
      return;
    }
    const log = createLogger(message.config.logLevel, message.logFormat).child({ worker: cluster.worker?.id });
    worker = new IngestWorker(message.config, log);
    try {
      await worker.start();
    } catch (err) {
      await send({ kind: 'failed', error: err instanceof Error ? err.message : String(err) });
      process.exit(1);
    }
    await send(worker.listening());
    return;
  }
  if (worker === null) return;
  if (message.kind === 'swap') await worker.handOver(message.seq);
  else {
    await worker.stop(message.seq);
    process.disconnect();
  }
}

// Beside the server's `statsite-ts`, told apart from it (`pgrep -x statsite-ts` finds only the server).
process.title = 'statsite-ts-worker';
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => undefined);
process.on('disconnect', () => process.exit(0));
process.on('message', (message: ToWorker) => {
  handle(message).catch((err: unknown) => {
    process.stderr.write(`statsite-ts ingest worker: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
});
// Messages that arrive before a listener exists are dropped, and an ES module registers its
// listener only after loading: the primary waits for this before it says anything.
void send({ kind: 'started' });
