// The primary's side of multi-core ingest: forks the ingest workers (src/cluster/ingest-worker.ts),
// collects their partial buckets into each flush, restarts one that dies, and adds up what they
// counted. Listener status comes from the workers, which bind the shared sockets.
//
// A worker's part that arrives after the flush stopped waiting is merged into the next interval
// instead: late, never lost.

import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { Bucket } from '../aggregate/bucket.js';
import type { ServerConfig } from '../config/server-config.js';
import { IngestStats } from '../ingest/ingest-stats.js';
import { addTotals, type IngestTotals } from '../ingest/ingest-totals.js';
import type { ListenerStatus } from '../ingest/listeners.js';
import type { Logger, LogFormat } from '../log/logger.js';
import { boundedWait } from '../util/bounded-wait.js';
import { mergePacked } from './packed-bucket.js';
import { EARLY_SEQ, type FromWorker, type ToWorker } from './worker-messages.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./ingest-worker.js', import.meta.url));
/** How long start-up and a reload wait for the workers to report their listeners. */
const CONFIGURE_TIMEOUT_MS = 10_000;
const RESTART_DELAY_MS = 1000;
/** How long a stopping worker may take to exit before it is killed. */
const EXIT_TIMEOUT_MS = 5000;

interface Slot {
  worker: Worker;
  listening: boolean;
  listeners: ListenerStatus[];
  /** The worker's totals as it last reported them. */
  totals: IngestTotals | null;
  /** Resolves when the next `listening` or `failed` reply arrives. */
  configured: ((error: string | null) => void) | null;
  stopping: boolean;
}

interface Gathering {
  seq: number;
  bucket: Bucket;
  waiting: Set<Slot>;
  complete: () => void;
}

function zeroTotals(): IngestTotals {
  return {
    ingest: { ...new IngestStats() }, rejectsTotal: 0, rejects: {}, events: 0, serviceChecks: 0, sampleRatesIgnored: 0, seriesLimitDrops: 0,
    recentRejects: [],
  };
}

export class IngestWorkers {
  private readonly slots = new Set<Slot>();
  /** Totals of workers that have exited. */
  private retired = zeroTotals();
  private gathering: Gathering | null = null;
  private seq = 0;
  private stopped = false;

  constructor(
    private readonly count: number,
    private config: ServerConfig,
    private readonly logFormat: LogFormat,
    private readonly log: Logger,
    /** Where parts go that arrive when no flush is waiting for them: the current bucket. */
    private readonly lateBucket: () => Bucket,
  ) {
    cluster.setupPrimary({ exec: WORKER_SCRIPT, args: [], serialization: 'advanced' });
  }

  /** Forks every worker and waits until all listen; throws (after stopping them) if one cannot. */
  async start(): Promise<void> {
    const started = await Promise.all(Array.from({ length: this.count }, () => this.fork()));
    const failure = started.find((error): error is string => error !== null);
    if (failure !== undefined) {
      this.kill();
      throw new Error(failure);
    }
  }

  /** For a start-up that failed: the workers go at once, with nothing to hand over. */
  kill(): void {
    this.stopped = true;
    for (const slot of this.slots) slot.worker.kill('SIGKILL');
  }

  async reconfigure(next: ServerConfig): Promise<void> {
    this.config = next;
    await Promise.all([...this.slots].filter((s) => s.listening).map((s) => this.configure(s)));
  }

  /** The listeners as the workers report them; any worker's view serves, as they share the sockets. */
  status(): ListenerStatus[] {
    for (const slot of this.slots) if (slot.listening) return slot.listeners;
    return [];
  }

  /** Why ingest is not at full strength, if it is not. */
  problems(): string[] {
    const ready = [...this.slots].filter((s) => s.listening).length;
    return ready < this.count ? [`${this.count - ready} of ${this.count} ingest workers not running`] : [];
  }

  totals(): IngestTotals {
    const sum = addTotals(zeroTotals(), this.retired);
    for (const slot of this.slots) if (slot.totals !== null) addTotals(sum, slot.totals);
    return sum;
  }

  /** Merges every worker's finished interval into `bucket`; waits at most `timeoutMs`. */
  gather(bucket: Bucket, timeoutMs: number): Promise<void> {
    return this.collect('swap', bucket, timeoutMs);
  }

  /** The final flush's gather: the workers stop listening, hand over their last interval and exit. */
  async stop(bucket: Bucket, timeoutMs: number): Promise<void> {
    this.stopped = true;
    const slots = [...this.slots];
    for (const slot of slots) slot.stopping = true;
    await this.collect('stop', bucket, timeoutMs);
    const exited = Promise.all(
      slots.map((s) => (s.worker.isDead() ? undefined : new Promise((resolve) => s.worker.once('exit', resolve)))),
    );
    if (!(await boundedWait(exited, EXIT_TIMEOUT_MS))) {
      for (const slot of slots) if (!slot.worker.isDead()) slot.worker.kill('SIGKILL');
    }
  }

  private collect(kind: 'swap' | 'stop', bucket: Bucket, timeoutMs: number): Promise<void> {
    const seq = ++this.seq;
    const waiting = new Set([...this.slots].filter((s) => s.listening));
    if (waiting.size === 0) return Promise.resolve();
    const done = new Promise<void>((complete) => {
      this.gathering = { seq, bucket, waiting, complete };
    });
    for (const slot of waiting) this.send(slot, { kind, seq });
    return boundedWait(done, timeoutMs).then((inTime) => {
      if (this.gathering?.seq === seq) this.gathering = null;
      if (!inTime && kind === 'swap') {
        this.log.warn(
          { waitedMs: timeoutMs, workers: waiting.size },
          'ingest workers were slow to hand over their interval: the rest of it goes into the next flush',
        );
      } else if (!inTime) {
        this.log.error(
          { waitedMs: timeoutMs, workers: waiting.size },
          'ingest workers did not hand over their last interval in time: the rest of it is lost',
        );
      }
    });
  }

  private fork(): Promise<string | null> {
    const worker = cluster.fork();
    const slot: Slot = { worker, listening: false, listeners: [], totals: null, configured: null, stopping: false };
    this.slots.add(slot);
    worker.on('message', (message: FromWorker) => this.receive(slot, message));
    worker.on('exit', (code, signal) => this.exited(slot, code, signal));
    return this.awaitConfigured(slot);
  }

  /** Sends the current config; resolves with null once the worker listens by it, else why not. */
  private configure(slot: Slot): Promise<string | null> {
    this.sendConfig(slot);
    return this.awaitConfigured(slot);
  }

  private awaitConfigured(slot: Slot): Promise<string | null> {
    const replied = new Promise<string | null>((resolve) => {
      slot.configured = resolve;
    });
    return boundedWait(replied, CONFIGURE_TIMEOUT_MS).then((inTime) =>
      inTime ? replied : 'an ingest worker did not start listening in time',
    );
  }

  /** Standard input is the primary's; a worker reads only its sockets. */
  private sendConfig(slot: Slot): void {
    this.send(slot, { kind: 'configure', config: { ...this.config, parseStdin: false }, logFormat: this.logFormat });
  }

  private send(slot: Slot, message: ToWorker): void {
    if (slot.worker.isConnected()) slot.worker.send(message);
  }

  private receive(slot: Slot, message: FromWorker): void {
    switch (message.kind) {
      case 'started':
        this.sendConfig(slot);
        return;
      case 'listening':
        slot.listening = true;
        slot.listeners = message.listeners;
        slot.configured?.(null);
        slot.configured = null;
        return;
      case 'failed':
        slot.configured?.(message.error);
        slot.configured = null;
        return;
      case 'part': {
        // A worker's messages arrive in order: an early part it sent before answering the flush
        // being gathered holds samples of that interval too.
        const gathering = this.gathering;
        const early = message.seq === EARLY_SEQ && gathering !== null && gathering.waiting.has(slot);
        const target = gathering !== null && (gathering.seq === message.seq || early) ? gathering.bucket : this.lateBucket();
        mergePacked(target, message.part);
        return;
      }
      case 'done':
        slot.totals = message.totals;
        if (this.gathering?.seq === message.seq) this.answered(slot);
        return;
    }
  }

  private answered(slot: Slot): void {
    const gathering = this.gathering;
    if (gathering === null || !gathering.waiting.delete(slot) || gathering.waiting.size > 0) return;
    this.gathering = null;
    gathering.complete();
  }

  private exited(slot: Slot, code: number | null, signal: string | null): void {
    this.slots.delete(slot);
    if (slot.totals !== null) {
      // Its connections are closed now; its counts stay in the totals.
      addTotals(this.retired, { ...slot.totals, ingest: { ...slot.totals.ingest, tcpConnectionsOpen: 0 } });
    }
    slot.configured?.(`ingest worker exited (code ${code}, signal ${signal}) before it was listening`);
    this.answered(slot);
    if (slot.stopping || this.stopped) return;
    this.log.error(
      { pid: slot.worker.process.pid, code, signal },
      'ingest worker died: its unflushed samples are lost; starting a new one',
    );
    setTimeout(() => {
      if (this.stopped) return;
      void this.fork().then((error) => {
        if (error !== null) this.log.error({ err: error }, 'ingest worker could not be restarted');
      });
    }, RESTART_DELAY_MS).unref();
  }
}
