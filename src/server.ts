// The composition root: wires listeners → parser → aggregator → flusher → sinks for one config,
// applies a new config on reload without dropping the current bucket, and takes it all down
// again with a final flush.

import { unlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { AdminHttp, Health } from './admin/admin-http.js';
import { isLoopback, parseListenAddress } from './util/address.js';
import type { Management } from './admin/management.js';
import { ManagementStats } from './admin/management-stats.js';
import type { MergeEndpoint } from './forward/merge-endpoint.js';
import { MergeStats } from './forward/merge-stats.js';
import { SelfMetrics } from './admin/self-metrics.js';
import { collectStats, type StatsSources } from './admin/server-stats.js';
import { SinkStates, type SinkView } from './admin/sink-states.js';
import { StatusHistory } from './admin/status-history.js';
import { buildStatusReport, type StatusReport } from './admin/status-report.js';
import type { IngestWorkers } from './cluster/ingest-workers.js';
import { ConfigError } from './config/config-error.js';
import type { ServerConfig } from './config/server-config.js';
import { FlushClock } from './flush/flush-clock.js';
import { Flusher } from './flush/flusher.js';
import { IntervalHandOver } from './flush/interval-hand-over.js';
import { IngestPipeline } from './ingest/ingest-pipeline.js';
import { addTotals, pipelineTotals, type IngestTotals } from './ingest/ingest-totals.js';
import type { ListenerStatus } from './ingest/listeners.js';
import type { Logger, LogFormat } from './log/logger.js';
import { renderSlabs } from './naming/render-slabs.js';
import { createSink, loadSinks, parseSinkSpecs, reconfigureSink, sinkIdentity, type NamedSinkSpec } from './sinks/registry.js';
import type { BufferedTcpSender } from './sinks/delivery/buffered-tcp-sender.js';
import { SharedSenders } from './sinks/delivery/shared-senders.js';
import type { Sink } from './sinks/sink.js';
import { boundedWait } from './util/bounded-wait.js';
import { VERSION } from './util/version.js';

/** Settings of the admin, management and forward endpoints, which are bound once at start. */
const RESTART_ONLY = ['adminHttp', 'management', 'managementWrite', 'forwardListen', 'forwardMaxBodyBytes', 'forwardToken'] as const;

/** The settings that say where UDP and TCP listen: under socket activation, the socket unit's. */
const LISTEN_ADDRESS = ['bindAddress', 'udpPort', 'tcpPort'] as const;

/** How long a shutdown waits for sinks to deliver the final flush. */
const SHUTDOWN_DRAIN_MS = 10_000;
/** The shortest a flush waits for the ingest workers' parts (at most one interval otherwise). */
const MIN_GATHER_MS = 1000;

/**
 * The configured sinks' specs, forwarding included; stdout when there is nothing else (an agent
 * that only forwards has no local output unless it asks for one). Throws on an unusable one.
 */
export function sinkSpecs(config: ServerConfig): NamedSinkSpec[] {
  const defaultSink = config.binaryStream ? 'stdout+binary' : 'stdout';
  const local = config.sinks.length > 0 || config.forwardTo.length > 0 ? config.sinks : [defaultSink];
  return parseSinkSpecs([...local, ...config.forwardTo.map((url) => forwardSpec(url, config))]);
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

/** A sink for the logs: its name, and where it delivers when that says more. */
function describeSink(sink: Sink): string {
  return sink.destination === sink.name ? sink.name : `${sink.name} ${sink.destination}`;
}

/** A table's entries with each value passed through `f`, lazily (a management reply may cover a million series). */
function* mapValues<V, R>(map: Iterable<[string, V]>, f: (value: V) => R): Generator<[string, R]> {
  for (const [key, value] of map) yield [key, f(value)];
}

interface RefusedReload {
  error: string;
  file: string | null;
  key: string | null;
  reason: string;
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
  /** Where a stop leaves the unfinished interval for the next start; null: a final flush instead. */
  private readonly handOver: IntervalHandOver | null;
  private readonly selfMetrics = new SelfMetrics();
  /** One point per flush for the status page. */
  private readonly history = new StatusHistory();
  private readonly sinkStates = new SinkStates(this.startedAt);
  private sinks: Sink[];
  /** Each running sink's spec, so a reload keeps the sinks whose spec did not change. */
  private readonly specOf = new Map<Sink, string>();
  /** The process's TCP senders: a sink rebuilt on reload takes over its destination's running sender. */
  private readonly tcpSenders = new SharedSenders<BufferedTcpSender>();
  /** The last SIGHUP reload: when, and — refused — the file, key (when known) and reason. */
  private lastReload: { at: number; refused: RefusedReload | null } | null = null;
  private admin: AdminHttp | null = null;
  private mergeEndpoint: MergeEndpoint | null = null;
  readonly merged = new MergeStats();
  private management: Management | null = null;
  private readonly managementStats = new ManagementStats();

  private constructor(
    private config: ServerConfig,
    private readonly log: Logger,
    logFormat: LogFormat,
    /** The sockets systemd passed (socket activation); null: the server binds its own. */
    private readonly activated: readonly number[] | null,
    /** Loaded only for a config with ingest workers. */
    workersClass: typeof IngestWorkers | null,
  ) {
    this.pipeline = new IngestPipeline(config, log);
    const workers = workerCount(config);
    const current = () => this.pipeline.aggregator.current();
    this.workers = workersClass === null ? null : new workersClass(workers, config, logFormat, log, current);
    this.sinks = this.sinksFor(config);
    this.flusher = new Flusher(this.pipeline.aggregator, this.sinks, log, () => this.beforeFlush());
    this.flusher.sinkTimeoutMs = config.limits.sinkTimeout * 1000;
    this.flusher.intervalMs = config.naming.flushInterval * 1000;
    this.flusher.afterBigInterval = () => {
      this.pipeline.forgetKeys();
      renderSlabs.drop();
    };
    if (this.workers !== null) {
      const workerSet = this.workers;
      this.flusher.gather = (bucket) => workerSet.gather(bucket, Math.max(MIN_GATHER_MS, this.config.naming.flushInterval * 1000));
    }
    this.handOver = config.stateDir === null ? null : new IntervalHandOver(config.stateDir, log);
    this.clock = new FlushClock(
      config.naming.flushInterval * 1000,
      config.alignedFlush,
      (at) => this.flusher.flush(at),
      (stepMs) => log.warn({ stepMs }, 'the wall clock stepped; flushes go on, their timestamps never go back'),
    );
  }

  /** `activated`: the sockets systemd passed (see ingest/systemd-sockets.ts), taken as the UDP and TCP listeners. */
  static async start(config: ServerConfig, log: Logger, logFormat: LogFormat, activated: readonly number[] | null = null): Promise<Server> {
    // What only some configurations use is imported when they do: each module loaded at start
    // delays listening (bench/README.md, start-up).
    await loadSinks(sinkSpecs(config));
    const workersClass = workerCount(config) > 1 ? (await import('./cluster/ingest-workers.js')).IngestWorkers : null;
    const server = new Server(config, log, logFormat, activated, workersClass);
    // Before the listeners: the taken-over interval is in the bucket before the first new sample.
    const takenOver = server.handOver?.take(server.pipeline.aggregator, config.naming.flushInterval * 1000) ?? null;
    try {
      // The admin endpoints first: once the ingest port answers, /health, /stats and the merge
      // endpoint do too (a client or a probe that waits for the port can ask them at once).
      await server.startAdmin(config);
      if (activated !== null) await server.pipeline.listeners.adopt(activated, config.udpRcvbuf);
      await server.pipeline.listeners.apply(ownListeners(config, server.workers), true);
      await server.workers?.start();
    } catch (err) {
      server.workers?.kill();
      await server.pipeline.listeners.close();
      await Promise.all([server.admin?.close(), server.management?.close(), server.mergeEndpoint?.close()]);
      throw err;
    }
    takenOver?.commit(server.flusher);
    server.clock.start(takenOver?.firstFlushAt);
    if (config.pidFile !== null) writeFileSync(config.pidFile, `${process.pid}\n`);
    log.info(
      {
        version: VERSION,
        ...(config.configFile !== null ? { config: config.configFile } : {}),
        ...(config.stateDir !== null ? { stateDir: config.stateDir } : {}),
        listeners: server.listenerStatus().map((s) => `${s.name} ${s.address || 'off'}`),
        ...(activated !== null ? { socketActivation: server.listenerStatus().map((s) => `${s.name} ${s.wanted}`) } : {}),
        ...(server.workers ? { ingestWorkers: workerCount(config) } : {}),
        sinks: server.sinks.map(describeSink),
        flushInterval: config.naming.flushInterval,
        ...(server.admin ? { admin: config.adminHttp } : {}),
        ...(server.management ? { management: config.management } : {}),
        ...(server.mergeEndpoint ? { acceptForward: config.forwardListen } : {}),
      },
      'statsite-ts listening',
    );
    server.warnIfUnitDiffers();
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
    return this.boundPort('udp');
  }

  /** Where a listener is bound; null when it is off. */
  private boundPort(name: 'udp' | 'tcp'): number | null {
    const address = this.listenerStatus().find((s) => s.name === name)?.address ?? '';
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
    const moved = LISTEN_ADDRESS.filter((field) => next[field] !== this.config[field]);
    if (this.activated !== null && moved.length > 0) {
      return this.refuseReload(new Error(
        `${moved.join(', ')} changed, but under socket activation the ports belong to the socket unit: change its `
          + 'ListenDatagram=/ListenStream= and restart the socket and the service, or keep them as they were',
      ));
    }
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
    this.lastReload = { at: Date.now(), refused: null };
    this.log.info(
      { listeners: this.listenerStatus().map((s) => `${s.name} ${s.address || 'off'}`), sinks: this.sinks.map(describeSink) },
      'configuration reloaded',
    );
    return null;
  }

  /** Records and logs a reload that could not be applied; the running config stays. Returns the reason. */
  refuseReload(err: unknown): string {
    const error = err instanceof Error ? err.message : String(err);
    const where = err instanceof ConfigError
      ? { file: err.file, key: err.key || null, reason: err.reason }
      : { file: this.config.configFile, key: null, reason: error };
    this.lastReload = { at: Date.now(), refused: { error, ...where } };
    this.log.error({ err: error }, 'config reload rejected; keeping the running config');
    return error;
  }

  /**
   * Liveness: 503 only when the process itself is unwell (a listener down, an ingest worker
   * missing, no flush for two intervals, marked down). Sinks that cannot deliver are listed as
   * `degraded` — /ready fails on them — and a refused reload is shown until one is applied.
   */
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
    const reload = this.lastReload;
    return {
      ok: problems.length === 0,
      problems,
      degraded: this.sinkProblems(),
      listeners: this.listenerStatus(),
      lastFlushAt: this.flusher.lastFlushAt === null ? null : new Date(this.flusher.lastFlushAt).toISOString(),
      // A refused reload leaves the server running the previous config: shown, but not a failure of liveness.
      lastReload: reload === null ? null : {
        at: new Date(reload.at).toISOString(),
        ok: reload.refused === null,
        ...(reload.refused ?? { error: null }),
      },
    };
  }

  /** Readiness: liveness, and every sink can deliver (each one that cannot is named). */
  ready(): Health {
    const { degraded, ...health } = this.health();
    const sinks = this.flusher.sinkStatus().map((s) => ({
      ...s,
      lastSuccessAt: s.lastSuccessAt === null ? null : new Date(s.lastSuccessAt).toISOString(),
      lastErrorAt: s.lastErrorAt === null ? null : new Date(s.lastErrorAt).toISOString(),
    }));
    const problems = [...health.problems, ...(degraded as string[])];
    return { ...health, ok: problems.length === 0, problems, sinks };
  }

  /** The sinks that cannot deliver now: their last delivery failed, or they say why (a destination down, data waiting too long). */
  private sinkProblems(): string[] {
    const failing = this.flusher.sinkStatus().filter((s) => s.lastErrorAt !== null && (s.lastSuccessAt ?? 0) < s.lastErrorAt);
    const undeliverable = this.sinks.flatMap((s) => {
      const problem = s.problem?.() ?? null;
      return problem === null ? [] : [`sink ${s.name}: ${problem}`];
    });
    return [...failing.map((s) => `sink ${s.name}: ${s.lastError}`), ...undeliverable];
  }

  stats(): Record<string, unknown> {
    const { counts, levels } = collectStats(this.statsSources());
    return { ...counts, ...levels };
  }

  /** Whether a stop hands the interval over to the next start instead of flushing it. */
  get handsOver(): boolean {
    return this.handOver !== null;
  }

  /** /status.json; `since` (unix ms): only the history points after it (a page that already has the earlier ones). */
  status(since = 0): StatusReport {
    const now = Date.now();
    const config = this.config;
    const totals = this.ingestTotals();
    return buildStatusReport({
      now,
      startedAt: this.startedAt,
      version: VERSION,
      configFile: config.configFile,
      flushIntervalSeconds: config.naming.flushInterval,
      workers: workerCount(config),
      listeners: this.listenerStatus(),
      endpoints: { admin: config.adminHttp, management: config.management, acceptForward: config.forwardListen },
      ready: this.ready(),
      stats: collectStats(this.statsSources(totals)),
      recentRejects: totals.recentRejects,
      series: {
        lastFlush: this.flusher.lastSeries,
        maxSeries: config.limits.maxSeries,
        topPrefixes: this.flusher.lastPrefixes.series,
        topDroppedPrefixes: this.flusher.lastPrefixes.dropped,
      },
      sinks: this.sinkStates.report(this.sinkViews(), now, config.naming.flushInterval * 1000),
      flushes: {
        lastAt: this.flusher.lastFlushAt,
        lastReload: this.lastReload === null ? null : { at: this.lastReload.at, error: this.lastReload.refused?.error ?? null },
      },
      history: this.history.columns(now, since),
    });
  }

  async stop(): Promise<void> {
    const dueAt = this.clock.nextTickAt;
    this.clock.stop();
    await this.pipeline.listeners.close();
    if (this.handOver !== null) {
      await this.handOverInterval(this.handOver, dueAt);
    } else {
      if (this.workers !== null) {
        const workers = this.workers;
        this.flusher.gather = (bucket) => workers.stop(bucket, SHUTDOWN_DRAIN_MS);
      }
      this.flusher.flush();
    }
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
   * The stop of a server with a state dir: the interval (the ingest workers' parts included) goes
   * to the state file with the time its flush was due; if that cannot be written, it is flushed now.
   */
  private async handOverInterval(handOver: IntervalHandOver, dueAt: number): Promise<void> {
    const bucket = this.pipeline.aggregator.swap();
    await this.workers?.stop(bucket, SHUTDOWN_DRAIN_MS);
    const schedule = { dueAt, lastTimestamp: this.flusher.lastStamp };
    if (!handOver.save(bucket, schedule, this.config.naming.flushInterval)) this.flusher.flushHandedOver(bucket, Date.now());
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
    const kept: Array<[Sink, NamedSinkSpec]> = [];
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

  /** Under socket activation: a warning when the config names other ports than the socket unit passed. */
  private warnIfUnitDiffers(): void {
    if (this.activated === null) return;
    const [udp, tcp] = [this.boundPort('udp') ?? 0, this.boundPort('tcp') ?? 0];
    if (udp === this.config.udpPort && tcp === this.config.tcpPort) return;
    this.log.warn(
      { socketUnit: { udp, tcp }, config: { udp: this.config.udpPort, tcp: this.config.tcpPort } },
      'the socket unit passed other ports than the config names: listening on the socket unit\'s (0: none passed)',
    );
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

  private statsSources(totals = this.ingestTotals()): StatsSources {
    return {
      startedAt: this.startedAt,
      totals,
      merged: this.merged,
      management: this.managementStats,
      flusher: this.flusher,
      handOver: this.handOver?.stats ?? null,
      sinks: () => this.sinks,
      udpPort: () => this.udpPort,
    };
  }

  /** What the sinks can say about themselves, in the flusher's order. */
  private sinkViews(): SinkView[] {
    return this.flusher.sinkStatus().map((status, i) => {
      const sink = this.sinks[i];
      return { status, counters: sink.counters?.() ?? null, problem: sink.problem?.() ?? null };
    });
  }

  /** Just before each flush's swap: the status page's point for the interval, and the self-metrics. */
  private beforeFlush(): void {
    const now = Date.now();
    const stats = collectStats(this.statsSources());
    const series = this.flusher.lastSeries;
    this.history.record(now, stats, series.counters + series.timers + series.gauges + series.sets + series.kv);
    this.sinkStates.endInterval(this.sinkViews(), now, this.config.naming.flushInterval * 1000);
    const self = this.config.selfMetrics;
    if (self.enabled) this.selfMetrics.writeTo(this.pipeline.aggregator, self.prefix, stats);
  }

  private async startAdmin(config: ServerConfig): Promise<void> {
    if (config.adminHttp !== null) {
      const { host, port } = parseListenAddress(config.adminHttp);
      const { listenAdminHttp } = await import('./admin/admin-http.js');
      this.admin = await listenAdminHttp(host, port, this, this.log);
    }
    if (config.forwardListen !== null) {
      const { host, port } = parseListenAddress(config.forwardListen);
      const options = { host, port, maxBodyBytes: config.forwardMaxBodyBytes, token: config.forwardToken };
      const { listenMergeEndpoint } = await import('./forward/merge-endpoint.js');
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
      const { listenManagement } = await import('./admin/management.js');
      this.management = await listenManagement(options, {
        stats: () => this.stats() as Record<string, number>,
        counters: () => mapValues(bucket().counters, (c) => c.sum),
        gauges: () => mapValues(bucket().gauges, (g) => g.value),
        timers: () => mapValues(bucket().timers, (t) => ({ count: t.count, sum: t.sum, lower: t.min, upper: t.max })),
      }, this.managementStats, this.log);
    }
  }
}
