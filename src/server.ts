// The composition root: wires listeners → parser → aggregator → flusher → sinks for one config,
// and takes it all down again with a final flush.

import { unlinkSync, writeFileSync } from 'node:fs';
import { Aggregator, type AggregatorSettings } from './aggregate/aggregator.js';
import { precisionForError } from './aggregate/hyperloglog.js';
import { createDefaultSketch } from './aggregate/sketch.js';
import type { ServerConfig } from './config/server-config.js';
import { FlushClock } from './flush/flush-clock.js';
import { Flusher } from './flush/flusher.js';
import { IngestStats } from './ingest/ingest-stats.js';
import { readStdin } from './ingest/stdin.js';
import { listenTcp } from './ingest/tcp.js';
import { listenUdp } from './ingest/udp.js';
import type { Logger } from './log/logger.js';
import { RateLimitedLog } from './log/rate-limited.js';
import { LineParser } from './protocol/parser.js';
import { RejectCounter } from './protocol/rejects.js';
import { createSink, parseSinkSpec, type SinkSpec } from './sinks/create-sink.js';
import type { Sink } from './sinks/sink.js';

/** How long a shutdown waits for sinks to deliver the final flush. */
const SHUTDOWN_DRAIN_MS = 10_000;
const SHOWN_LINE_BYTES = 200;

export interface RunningServer {
  readonly udpPort: number | null;
  readonly tcpPort: number | null;
  readonly stats: IngestStats;
  readonly rejects: RejectCounter;
  /** Stops listening, flushes the current bucket and waits (bounded) for the sinks. */
  stop(): Promise<void>;
}

export function aggregatorSettings(config: ServerConfig): AggregatorSettings {
  return {
    histograms: config.histograms,
    setPrecision: precisionForError(config.setEps),
    newSketch: createDefaultSketch,
    keepGauges: config.keepGauges,
  };
}

/** The configured sinks' specs (stdout when none); throws on an unusable one. */
export function sinkSpecs(config: ServerConfig): SinkSpec[] {
  return (config.sinks.length > 0 ? config.sinks : ['stdout']).map(parseSinkSpec);
}

export async function startServer(config: ServerConfig, log: Logger): Promise<RunningServer> {
  const sinks: Sink[] = sinkSpecs(config).map((spec) => createSink(spec, () => config.naming, log));
  const aggregator = new Aggregator(aggregatorSettings(config));
  const stats = new IngestStats();
  const rejectLog = new RateLimitedLog(log, 'rejected malformed metric line');
  const rejects = new RejectCounter((reason, buf, start, end) =>
    rejectLog.hit(() => ({ reason, line: buf.toString('utf8', start, Math.min(end, start + SHOWN_LINE_BYTES)) })),
  );
  const parser = new LineParser(aggregator, rejects, { inputCounter: config.inputCounter ?? undefined });

  const udp = config.udpPort > 0 ? await listenUdp(config.bindAddress, config.udpPort, config.udpRcvbuf, parser, stats) : null;
  let tcp;
  try {
    tcp = config.tcpPort > 0 ? await listenTcp(config.bindAddress, config.tcpPort, parser, stats) : null;
  } catch (err) {
    await udp?.close();
    throw err;
  }
  const stdin = config.parseStdin ? readStdin(parser, stats) : null;

  const flusher = new Flusher(aggregator, sinks, log);
  const clock = new FlushClock(config.naming.flushInterval * 1000, config.alignedFlush, () => flusher.flush());
  clock.start();
  if (config.pidFile !== null) writeFileSync(config.pidFile, `${process.pid}\n`);

  log.info(
    {
      udp: udp ? `${udp.address}:${udp.port}` : 'off',
      tcp: tcp ? `${tcp.address}:${tcp.port}` : 'off',
      stdin: config.parseStdin,
      sinks: sinks.map((s) => s.name),
      flushInterval: config.naming.flushInterval,
    },
    'statsite-ts listening',
  );

  return {
    udpPort: udp?.port ?? null,
    tcpPort: tcp?.port ?? null,
    stats,
    rejects,
    stop: async () => {
      clock.stop();
      stdin?.close();
      await Promise.all([udp?.close(), tcp?.close()]);
      flusher.flush();
      const drained = await flusher.drain(SHUTDOWN_DRAIN_MS);
      if (!drained) log.error({ waitedMs: SHUTDOWN_DRAIN_MS }, 'sinks did not finish the final flush in time; exiting anyway');
      await Promise.all(sinks.map((s) => s.close()));
      if (config.pidFile !== null) {
        try {
          unlinkSync(config.pidFile);
        } catch {
          // already gone
        }
      }
      log.info({ rejectedLines: rejects.total }, 'statsite-ts stopped');
    },
  };
}
