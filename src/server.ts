// The composition root: wires listeners → parser → aggregator → flusher → sinks for one config,
// applies a new config on reload without dropping the current bucket, and takes it all down
// again with a final flush.

import { unlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { listenAdminHttp, type AdminHttp, type Health } from './admin/admin-http.js';
import { isLoopback, parseListenAddress } from './util/address.js';
import { listenManagement, ManagementStats, type Management } from './admin/management.js';
import { listenMergeEndpoint, MergeStats, type MergeEndpoint } from './forward/merge-endpoint.js';
import { SelfMetrics } from './admin/self-metrics.js';
import { collectStats, type StatsSources } from './admin/server-stats.js';
import { IngestWorkers } from './cluster/ingest-workers.js';
import type { ServerConfig } from './config/server-config.js';
import { FlushClock } from './flush/flush-clock.js';
import { Flusher } from './flush/flusher.js';
import { IngestPipeline } from './ingest/ingest-pipeline.js';
import { addTotals, pipelineTotals, type IngestTotals } from './ingest/ingest-totals.js';
import type { ListenerStatus } from './ingest/listeners.js';
import type { Logger, LogFormat } from './log/logger.js';
import { createSink, loadSinks, parseSinkSpec, reconfigureSink, sinkIdentity, type SinkSpec } from './sinks/registry.js';
import type { BufferedTcpSender } from './sinks/delivery/buffered-tcp-sender.js';
import { SharedSenders } from './sinks/delivery/shared-senders.js';
import type { Sink } from './sinks/sink.js';
import { boundedWait } from './util/bounded-wait.js';
import { VERSION } from './util/version.js';

/** Settings of the admin, management and forward endpoints, which are bound once at start. */
const RESTART_ONLY = ['adminHttp', 'management', 'managementWrite', 'forwardListen', 'forwardMaxBodyBytes', 'forwardToken'] as const;

/** How long a shutdown waits for sinks to deliver the final flush. */
const SHUTDOWN_DRAIN_MS = 10_000;
/** The shortest a flush waits for the ingest workers' parts (at most one interval otherwise). */
const MIN_GATHER_MS = 1000;

/**
 * The configured sinks' specs, forwarding included; stdout when there is nothing else (an agent
 * that only forwards has no local output unless it asks for one). Throws on an unusable one.
 */
export function sinkSpecs(config: ServerConfig): SinkSpec[] {
  const defaultSink = config.binaryStream ? 'stdout+binary' : 'stdout';
  const local = config.sinks.length > 0 || config.forwardTo.length > 0 ? config.sinks : [defaultSink];
  return [...local, ...config.forwardTo.map((url) => forwardSpec(url, config))].map(parseSinkSpec);
}

/** `forward:URL`, with the shared token as its Authorization header and the forward spool. */
function forwardSpec(url: string, config: ServerConfig): string {
  const options = new URLSearchParams();
  if (config.forwardToken !== null) options.set('header', `Authorization:Bearer ${config.forwardToken}`);
  if (config.forwardSpoolDir !== null) options.set('spool_dir', config.forwardSpoolDir);
  if (config.forwardSpoolMaxBytes !== null) options.set('spool_max_bytes', String(config.forwardSpoolMaxBytes));
  if (options.size === 0) return `forward:${url}`;
  return `forward:${url}${url.includes('?') ? '&' : '?'}${options}`;
}

/** A Map's entries with each value passed through `f`, lazily (a management reply may cover a million series). */
function* mapValues<V, R>(map: ReadonlyMap<string, V>, f: (value: V) => R): Generator<[string, R]> {
  for (const [key, value] of map) yield [key, f(value)];
}

/** How many ingest worker processes the config asks for; 1 means none (the server ingests itself). */
export function workerCount(config: ServerConfig): number {
  return config.ingestWorkers === 0 ? availableParallelism() : config.ingestWorkers;
}

/** With ingest workers, the workers bind UDP and TCP; the server itself only reads stdin, if asked. */
function ownListeners(config: ServerConfig, workers: IngestWorkers | null): ServerConfig {
  return workers === null ? config : { ...config, udpPort: 0, tcpPort: 0 };
}

export class Server {
  private readonly startedAt = Date.now();
  private readonly pipeline: IngestPipeline;
  private readonly workers: IngestWorkers | null;
  private readonly flusher: Flusher;
  private readonly clock: FlushClock;
  private readonly selfMetrics = new SelfMetrics();
  private sinks: Sink[];
  /** Each running sink's spec, so a reload keeps the sinks whose spec did not change. */
  private readonly specOf = new Map<Sink, string>();
  /** The process's TCP senders: a sink rebuilt on reload takes over its destination's running sender. */
  private readonly tcpSenders = new SharedSenders<BufferedTcpSender>();
  /** The last SIGHUP reload: when, and why it was refused (null: applied). */
  private lastReload: { at: number; error: string | null } | null = null;
  private admin: AdminHttp | null = null;
  private mergeEndpoint: MergeEndpoint | null = null;
  readonly merged = new MergeStats();
  private management: Management | null = null;
  private readonly managementStats = new ManagementStats();

  private constructor(
    private config: ServerConfig,
    private readonly log: Logger,
    logFormat: LogFormat,
  ) {
    this.pipeline = new IngestPipeline(config, log);
    const workers = workerCount(config);
    this.workers = workers > 1 ? new IngestWorkers(workers, config, logFormat, log, () => this.pipeline.aggregator.current()) : null;
    this.sinks = this.sinksFor(config);
    this.flusher = new Flusher(this.pipeline.aggregator, this.sinks, log, () => this.addSelfMetrics());
    this.flusher.sinkTimeoutMs = config.limits.sinkTimeout * 1000;
    this.flusher.intervalMs = config.naming.flushInterval * 1000;
    this.flusher.afterBigInterval = () => this.pipeline.forgetKeys();
    if (this.workers !== null) {
      const workerSet = this.workers;
      this.flusher.gather = (bucket) => workerSet.gather(bucket, Math.max(MIN_GATHER_MS, this.config.naming.flushInterval * 1000));
    }
    this.clock = new FlushClock(
      config.naming.flushInterval * 1000,
      config.alignedFlush,
      (at) => this.flusher.flush(at),
      (stepMs) => log.warn({ stepMs }, 'the wall clock stepped; flushes go on, their timestamps never go back'),
    );
  }

  static async start(config: ServerConfig, log: Logger, logFormat: LogFormat): Promise<Server> {
    await loadSinks(sinkSpecs(config));
    const server = new Server(config, log, logFormat);
    try {
      await server.pipeline.listeners.apply(ownListeners(config, server.workers), true);
      await server.workers?.start();
      await server.startAdmin(config);
    } catch (err) {
      server.workers?.kill();
      await server.pipeline.listeners.close();
      await Promise.all([server.admin?.close(), server.management?.close(), server.mergeEndpoint?.close()]);
      throw err;
    }
    server.clock.start();
    if (config.pidFile !== null) writeFileSync(config.pidFile, `${process.pid}\n`);
    log.info(
      {
        version: VERSION,
        ...(config.configFile !== null ? { config: config.configFile } : {}),
        listeners: server.listenerStatus().map((s) => `${s.name} ${s.address || 'off'}`),
        ...(server.workers ? { ingestWorkers: workerCount(config) } : {}),
        sinks: server.sinks.map((s) => s.name),
        flushInterval: config.naming.flushInterval,
        ...(server.admin ? { admin: config.adminHttp } : {}),
        ...(server.management ? { management: config.management } : {}),
        ...(server.mergeEndpoint ? { acceptForward: config.forwardListen } : {}),
      },
      'statsite-ts listening',
    );
    if (config.timerEps !== null) {
      log.warn(
        { timerEps: config.timerEps },
        'timer_eps is accepted for statsite compatibility but not used: the timer sketch has its own measured error '
          + '(docs/compatibility.md)',
      );
    }
    return server;
  }

  /** Where the UDP listener is bound (null when off); for tests and self-metrics. */
  get udpPort(): number | null {
    const address = this.listenerStatus().find((s) => s.name === 'udp')?.address ?? '';
    return address === '' ? null : Number(address.slice(address.lastIndexOf(':') + 1));
  }

  /**
   * Applies a new config: naming, quantiles, sinks, log level and flush interval take effect
   * from the next flush; the current bucket is kept; listeners move only if their address changed,
   * and a sink whose spec did not change keeps running as it is. The new sinks are built before
   * anything running is touched: if one cannot be, the running config stays, whole, and the reason
   * is logged, returned and shown on /health.
   */
  async reload(next: ServerConfig): Promise<string | null> {
    let sinks: Sink[];
    try {
      await loadSinks(sinkSpecs(next));
      sinks = this.sinksFor(next);
    } catch (err) {
      return this.refuseReload(err);
    }
    const previous = this.config;
    this.config = next;
    this.log.level = next.logLevel;
    this.clock.reschedule(next.naming.flushInterval * 1000, next.alignedFlush);
    this.flusher.sinkTimeoutMs = next.limits.sinkTimeout * 1000;
    this.flusher.intervalMs = next.naming.flushInterval * 1000;
    const removed = this.sinks.filter((s) => !sinks.includes(s));
    if (removed.length > 0 || sinks.length !== this.sinks.length) {
      this.flusher.replaceSinks((this.sinks = sinks));
      for (const sink of removed) this.specOf.delete(sink);
      // Removed sinks finish what they were given, in the background.
      void Promise.all(removed.map((s) => s.close())).catch(() => undefined);
    }
    await this.pipeline.reconfigure(ownListeners(next, this.workers));
    await this.workers?.reconfigure(next);
    if (workerCount(next) !== workerCount(previous)) this.log.warn('the number of ingest workers changes only on restart');
    const restartOnly = RESTART_ONLY.filter((field) => next[field] !== previous[field]);
    if (restartOnly.length > 0) this.log.warn({ changed: restartOnly }, 'these settings change only on restart');
    this.lastReload = { at: Date.now(), error: null };
    this.log.info(
      { listeners: this.listenerStatus().map((s) => `${s.name} ${s.address || 'off'}`), sinks: this.sinks.map((s) => s.name) },
      'configuration reloaded',
    );
    return null;
  }

  /** Records and logs a reload that could not be applied; the running config stays. Returns the reason. */
  refuseReload(err: unknown): string {
    const reason = err instanceof Error ? err.message : String(err);
    this.lastReload = { at: Date.now(), error: reason };
    this.log.error({ err: reason }, 'config reload rejected; keeping the running config');
    return reason;
  }

  health(): Health {
    const problems: string[] = [];
    for (const l of this.listenerStatus()) {
      if (l.error !== null) problems.push(`${l.name} listener ${l.wanted}: ${l.error}`);
      else if (l.wanted !== '' && l.address === '') problems.push(`${l.name} listener ${l.wanted} is not bound`);
    }
    const interval = this.config.naming.flushInterval * 1000;
    const lastFlush = this.flusher.lastFlushAt ?? this.startedAt;
    if (Date.now() - lastFlush > 2 * interval + 1000) problems.push('no flush for more than two intervals');
    if (this.management?.down) problems.push('marked down through the management port');
    problems.push(...(this.workers?.problems() ?? []));
    return {
      ok: problems.length === 0,
      problems,
      listeners: this.listenerStatus(),
      lastFlushAt: this.flusher.lastFlushAt === null ? null : new Date(this.flusher.lastFlushAt).toISOString(),
      // A refused reload leaves the server running the previous config: shown, but not a failure of liveness.
      lastReload: this.lastReload === null ? null : {
        at: new Date(this.lastReload.at).toISOString(),
        ok: this.lastReload.error === null,
        error: this.lastReload.error,
      },
    };
  }

  ready(): Health {
    const health = this.health();
    const sinks = this.flusher.sinkStatus().map((s) => ({
      ...s,
      lastSuccessAt: s.lastSuccessAt === null ? null : new Date(s.lastSuccessAt).toISOString(),
      lastErrorAt: s.lastErrorAt === null ? null : new Date(s.lastErrorAt).toISOString(),
    }));
    const failing = this.flusher.sinkStatus().filter((s) => s.lastErrorAt !== null && (s.lastSuccessAt ?? 0) < s.lastErrorAt);
    const undeliverable = this.sinks.flatMap((s) => {
      const problem = s.problem?.() ?? null;
      return problem === null ? [] : [`sink ${s.name}: ${problem}`];
    });
    const problems = [...health.problems, ...failing.map((s) => `sink ${s.name}: ${s.lastError}`), ...undeliverable];
    return { ...health, ok: problems.length === 0, problems, sinks };
  }

  stats(): Record<string, unknown> {
    const { counts, levels } = collectStats(this.statsSources());
    return { ...counts, ...levels };
  }

  async stop(): Promise<void> {
    this.clock.stop();
    await this.pipeline.listeners.close();
    if (this.workers !== null) {
      const workers = this.workers;
      this.flusher.gather = (bucket) => workers.stop(bucket, SHUTDOWN_DRAIN_MS);
    }
    this.flusher.flush();
    const drained = await this.flusher.drain(SHUTDOWN_DRAIN_MS);
    if (!drained) this.log.error({ waitedMs: SHUTDOWN_DRAIN_MS }, 'sinks did not finish the final flush in time; exiting anyway');
    await boundedWait(Promise.all(this.sinks.map((s) => s.close())), SHUTDOWN_DRAIN_MS);
    await Promise.all([this.admin?.close(), this.management?.close(), this.mergeEndpoint?.close()]);
    if (this.config.pidFile !== null) {
      try {
        unlinkSync(this.config.pidFile);
      } catch {
        // already gone
      }
    }
    const droppedLines = this.sinks.reduce((n, s) => n + (s.counters?.().droppedLines ?? 0), 0);
    this.log.info({ rejectedLines: this.ingestTotals().rejectsTotal, droppedLines }, 'statsite-ts stopped');
  }

  /**
   * The sinks for `config`: the running ones whose spec is the same, new ones for the rest. Throws
   * when one cannot be built, after closing those it built.
   */
  private sinksFor(config: ServerConfig): Sink[] {
    const running = [...this.specOf];
    const context = {
      naming: () => this.config.naming,
      log: this.log,
      tcpSenders: this.tcpSenders,
      // The first sinks are built before the flusher exists, and their endpoint may be scraped at once.
      serverCounts: () => ((this.flusher as Flusher | undefined) === undefined ? {} : collectStats(this.statsSources()).counts),
    };
    const sinks: Sink[] = [];
    const kept: Array<[Sink, SinkSpec]> = [];
    try {
      for (const spec of sinkSpecs(config)) {
        const key = sinkIdentity(spec);
        const at = running.findIndex(([, runningKey]) => runningKey === key);
        const sink = at >= 0 ? running.splice(at, 1)[0][0] : createSink(spec, context);
        if (at >= 0) kept.push([sink, spec]);
        this.specOf.set(sink, key);
        sinks.push(sink);
      }
    } catch (err) {
      const built = sinks.filter((s) => !(this.sinks ?? []).includes(s));
      for (const sink of built) this.specOf.delete(sink);
      void Promise.all(built.map((s) => s.close())).catch(() => undefined);
      throw err;
    }
    // Only once every sink could be built: a refused reload must leave the running ones as they were.
    for (const [sink, spec] of kept) reconfigureSink(sink, spec);
    return sinks;
  }

  /** UDP and TCP as bound by this process or its ingest workers, then stdin. */
  private listenerStatus(): ListenerStatus[] {
    const own = this.pipeline.listeners.status();
    return this.workers === null ? own : [...this.workers.status(), ...own.filter((s) => s.name === 'stdin')];
  }

  /** Ingest counts of this process and its workers together (the workers' as of their last hand-over). */
  private ingestTotals(): IngestTotals {
    const own = pipelineTotals(this.pipeline, this.flusher.seriesLimitDrops);
    return this.workers === null ? own : addTotals(own, this.workers.totals());
  }

  private statsSources(): StatsSources {
    return {
      startedAt: this.startedAt,
      totals: this.ingestTotals(),
      merged: this.merged,
      management: this.managementStats,
      flusher: this.flusher,
      sinks: () => this.sinks,
      udpPort: () => this.udpPort,
    };
  }

  private addSelfMetrics(): void {
    const self = this.config.selfMetrics;
    if (self.enabled) this.selfMetrics.writeTo(this.pipeline.aggregator, self.prefix, collectStats(this.statsSources()));
  }

  private async startAdmin(config: ServerConfig): Promise<void> {
    if (config.adminHttp !== null) {
      const { host, port } = parseListenAddress(config.adminHttp);
      this.admin = await listenAdminHttp(host, port, this, this.log);
    }
    if (config.forwardListen !== null) {
      const { host, port } = parseListenAddress(config.forwardListen);
      const options = { host, port, maxBodyBytes: config.forwardMaxBodyBytes, token: config.forwardToken };
      this.mergeEndpoint = await listenMergeEndpoint(options, () => this.pipeline.aggregator.current(), this.merged, this.log);
      if (config.forwardToken === null && !isLoopback(host)) {
        const warning = 'the forward endpoint takes snapshots from anyone who can reach it: set [forward] token';
        this.log.warn({ acceptForward: config.forwardListen }, warning);
      }
    }
    if (config.management !== null) {
      const { host, port } = parseListenAddress(config.management);
      const bucket = () => this.pipeline.aggregator.current();
      const options = { host, port, write: config.managementWrite };
      this.management = await listenManagement(options, {
        stats: () => this.stats() as Record<string, number>,
        counters: () => mapValues(bucket().counters, (c) => c.sum),
        gauges: () => mapValues(bucket().gauges, (g) => g.value),
        timers: () => mapValues(bucket().timers, (t) => ({ count: t.count, sum: t.sum, lower: t.min, upper: t.max })),
      }, this.managementStats, this.log);
    }
  }
}
