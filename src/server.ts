// The composition root: wires listeners → parser → aggregator → flusher → sinks for one config,
// applies a new config on reload without dropping the current bucket, and takes it all down
// again with a final flush.

import { unlinkSync, writeFileSync } from 'node:fs';
import { listenAdminHttp, type AdminHttp, type Health } from './admin/admin-http.js';
import { parseListenAddress } from './admin/address.js';
import { listenManagement, type Management } from './admin/management.js';
import { listenMergeEndpoint, MergeStats, type MergeEndpoint } from './forward/merge-endpoint.js';
import { SelfMetrics } from './admin/self-metrics.js';
import { collectStats, type StatsSources } from './admin/server-stats.js';
import { Aggregator, type AggregatorSettings } from './aggregate/aggregator.js';
import { precisionForError } from './aggregate/hyperloglog.js';
import { createDefaultSketch } from './aggregate/sketch.js';
import type { ServerConfig } from './config/server-config.js';
import { FlushClock } from './flush/flush-clock.js';
import { Flusher } from './flush/flusher.js';
import { IngestStats } from './ingest/ingest-stats.js';
import { Listeners } from './ingest/listeners.js';
import type { Logger } from './log/logger.js';
import { RateLimitedLog } from './log/rate-limited.js';
import { LineParser, type ParserOptions } from './protocol/parser.js';
import { RejectCounter } from './protocol/rejects.js';
import { createSink, parseSinkSpec, type SinkSpec } from './sinks/create-sink.js';
import type { Sink } from './sinks/sink.js';
import { boundedWait } from './util/bounded-wait.js';

/** How long a shutdown waits for sinks to deliver the final flush. */
const SHUTDOWN_DRAIN_MS = 10_000;
const SHOWN_LINE_BYTES = 200;

export function aggregatorSettings(config: ServerConfig): AggregatorSettings {
  return {
    histograms: config.histograms,
    setPrecision: precisionForError(config.setEps),
    newSketch: createDefaultSketch,
    keepGauges: config.keepGauges,
    maxSeries: config.limits.maxSeries,
  };
}

function parserOptions(config: ServerConfig): ParserOptions {
  return { inputCounter: config.inputCounter ?? undefined, nameTagFormats: config.nameTagFormats, maxKeyBytes: config.limits.maxKeyBytes };
}

/**
 * The configured sinks' specs, forwarding included; stdout when there is nothing else (an agent
 * that only forwards has no local output unless it asks for one). Throws on an unusable one.
 */
export function sinkSpecs(config: ServerConfig): SinkSpec[] {
  const local = config.sinks.length > 0 || config.forwardTo.length > 0 ? config.sinks : ['stdout'];
  return [...local, ...config.forwardTo.map((url) => `forward:${url}`)].map(parseSinkSpec);
}

export class Server {
  readonly ingest = new IngestStats();
  readonly rejects: RejectCounter;
  private readonly startedAt = Date.now();
  private readonly aggregator: Aggregator;
  private readonly parser: LineParser;
  private readonly listeners: Listeners;
  private readonly flusher: Flusher;
  private readonly clock: FlushClock;
  private readonly selfMetrics = new SelfMetrics();
  private sinks: Sink[];
  private admin: AdminHttp | null = null;
  private mergeEndpoint: MergeEndpoint | null = null;
  readonly merged = new MergeStats();
  private management: Management | null = null;

  private constructor(
    private config: ServerConfig,
    private readonly log: Logger,
  ) {
    const rejectLog = new RateLimitedLog(log, 'rejected malformed metric line');
    this.rejects = new RejectCounter((reason, buf, start, end) =>
      rejectLog.hit(() => ({ reason, line: buf.toString('utf8', start, Math.min(end, start + SHOWN_LINE_BYTES)) })),
    );
    this.aggregator = new Aggregator(aggregatorSettings(config));
    this.parser = new LineParser(this.aggregator, this.rejects, parserOptions(config));
    this.listeners = new Listeners(this.parser, this.ingest, log, () => this.config.limits);
    this.sinks = this.buildSinks(config);
    this.flusher = new Flusher(this.aggregator, this.sinks, log, () => this.addSelfMetrics());
    this.flusher.sinkTimeoutMs = config.limits.sinkTimeout * 1000;
    this.clock = new FlushClock(config.naming.flushInterval * 1000, config.alignedFlush, () => this.flusher.flush());
  }

  static async start(config: ServerConfig, log: Logger): Promise<Server> {
    const server = new Server(config, log);
    try {
      await server.listeners.apply(config, true);
      await server.startAdmin(config);
    } catch (err) {
      await server.listeners.close();
      await Promise.all([server.admin?.close(), server.management?.close(), server.mergeEndpoint?.close()]);
      throw err;
    }
    server.clock.start();
    if (config.pidFile !== null) writeFileSync(config.pidFile, `${process.pid}\n`);
    log.info(
      {
        listeners: server.listeners.status().map((s) => `${s.name} ${s.address}`),
        sinks: server.sinks.map((s) => s.name),
        flushInterval: config.naming.flushInterval,
        ...(server.admin ? { admin: config.adminHttp } : {}),
        ...(server.management ? { management: config.management } : {}),
        ...(server.mergeEndpoint ? { acceptForward: config.forwardListen } : {}),
      },
      'statsite-ts listening',
    );
    return server;
  }

  /** Where the UDP listener is bound (null when off); for tests and self-metrics. */
  get udpPort(): number | null {
    const address = this.listeners.status().find((s) => s.name === 'udp')?.address ?? '';
    return address === '' ? null : Number(address.slice(address.lastIndexOf(':') + 1));
  }

  /**
   * Applies a new config: naming, quantiles, sinks, log level and flush interval take effect
   * from the next flush; the current bucket is kept; listeners move only if their address changed.
   */
  async reload(next: ServerConfig): Promise<void> {
    const previous = this.config;
    this.config = next;
    this.log.level = next.logLevel;
    this.aggregator.reconfigure(aggregatorSettings(next));
    this.parser.options = parserOptions(next);
    this.clock.reschedule(next.naming.flushInterval * 1000, next.alignedFlush);
    this.flusher.sinkTimeoutMs = next.limits.sinkTimeout * 1000;
    if (JSON.stringify(sinkSpecs(next)) !== JSON.stringify(sinkSpecs(previous))) {
      const old = this.flusher.replaceSinks((this.sinks = this.buildSinks(next)));
      // Old sinks finish what they were given, in the background.
      void Promise.all(old.map((s) => s.close())).catch(() => undefined);
    }
    await this.listeners.apply(next, false);
    if (next.adminHttp !== previous.adminHttp || next.management !== previous.management || next.forwardListen !== previous.forwardListen) {
      this.log.warn('admin and management addresses change only on restart');
    }
    this.log.info(
      { listeners: this.listeners.status().map((s) => `${s.name} ${s.address || 'off'}`), sinks: this.sinks.map((s) => s.name) },
      'configuration reloaded',
    );
  }

  health(): Health {
    const problems: string[] = [];
    for (const l of this.listeners.status()) {
      if (l.error !== null) problems.push(`${l.name} listener ${l.wanted}: ${l.error}`);
      else if (l.wanted !== '' && l.address === '') problems.push(`${l.name} listener ${l.wanted} is not bound`);
    }
    const interval = this.config.naming.flushInterval * 1000;
    const lastFlush = this.flusher.lastFlushAt ?? this.startedAt;
    if (Date.now() - lastFlush > 2 * interval + 1000) problems.push('no flush for more than two intervals');
    if (this.management?.down) problems.push('marked down through the management port');
    return {
      ok: problems.length === 0,
      problems,
      listeners: this.listeners.status(),
      lastFlushAt: this.flusher.lastFlushAt === null ? null : new Date(this.flusher.lastFlushAt).toISOString(),
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
    const problems = [...health.problems, ...failing.map((s) => `sink ${s.name}: ${s.lastError}`)];
    return { ...health, ok: problems.length === 0, problems, sinks };
  }

  stats(): Record<string, unknown> {
    const { counts, levels } = collectStats(this.statsSources());
    return { ...counts, ...levels };
  }

  async stop(): Promise<void> {
    this.clock.stop();
    await this.listeners.close();
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
    this.log.info({ rejectedLines: this.rejects.total }, 'statsite-ts stopped');
  }

  private buildSinks(config: ServerConfig): Sink[] {
    return sinkSpecs(config).map((spec) => createSink(spec, () => this.config.naming, this.log));
  }

  private statsSources(): StatsSources {
    return {
      startedAt: this.startedAt,
      ingest: this.ingest,
      rejects: this.rejects,
      parser: this.parser,
      merged: this.merged,
      flusher: this.flusher,
      listeners: this.listeners,
      sinks: () => this.sinks,
      udpPort: () => this.udpPort,
    };
  }

  private addSelfMetrics(): void {
    const self = this.config.selfMetrics;
    if (self.enabled) this.selfMetrics.writeTo(this.aggregator, self.prefix, collectStats(this.statsSources()));
  }

  private async startAdmin(config: ServerConfig): Promise<void> {
    if (config.adminHttp !== null) {
      const { host, port } = parseListenAddress(config.adminHttp);
      this.admin = await listenAdminHttp(host, port, this);
    }
    if (config.forwardListen !== null) {
      const { host, port } = parseListenAddress(config.forwardListen);
      this.mergeEndpoint = await listenMergeEndpoint(host, port, () => this.aggregator.current(), this.merged, this.log);
    }
    if (config.management !== null) {
      const { host, port } = parseListenAddress(config.management);
      const bucket = () => this.aggregator.current();
      this.management = await listenManagement(host, port, {
        stats: () => this.stats() as Record<string, number>,
        counters: () => Object.fromEntries([...bucket().counters].map(([k, c]) => [k, c.sum])),
        gauges: () => Object.fromEntries([...bucket().gauges].map(([k, g]) => [k, g.value])),
        timers: () => Object.fromEntries([...bucket().timers].map(([k, t]) => [k, { count: t.count, sum: t.sum, lower: t.min, upper: t.max }])),
      });
    }
  }
}
