// The whole running configuration, after defaults, file and CLI flags are merged and validated.

import type { HistogramConfig } from '../aggregate/histogram.js';
import type { NamingConfig } from '../naming/naming-config.js';
import type { NameTagFormat } from '../protocol/name-tags.js';
import type { UnusedSampleRate } from '../protocol/parser.js';

/** Bounds that keep a hostile or broken client from taking the server down. */
export interface Limits {
  /** A metric name longer than this (bytes) is rejected. */
  maxKeyBytes: number;
  /** A TCP/stdin line longer than this (bytes) is dropped up to its newline. */
  maxLineBytes: number;
  /** Distinct series per flush interval; 0 = unlimited. */
  maxSeries: number;
  tcpMaxConnections: number;
  /** Seconds without data before a TCP connection is closed; 0 = never. */
  tcpIdleTimeout: number;
  /** Seconds a sink may take to deliver one flush before it is aborted. */
  sinkTimeout: number;
}

export interface ServerConfig {
  /** The file this config was read from; null for flags and defaults only. */
  configFile: string | null;
  bindAddress: string;
  /** 0 disables the listener. */
  tcpPort: number;
  udpPort: number;
  /** Requested SO_RCVBUF for the UDP socket in bytes; 0 keeps our large default. */
  udpRcvbuf: number;
  parseStdin: boolean;
  alignedFlush: boolean;
  /** statsite's timer_eps when the config sets it: accepted, and not used (see docs/compatibility.md). */
  timerEps: number | null;
  setEps: number;
  histograms: HistogramConfig[];
  naming: NamingConfig;
  inputCounter: string | null;
  /** Tag syntaxes embedded in names to recognise (influxdb, librato, signalfx); DogStatsD `|#` always. */
  nameTagFormats: NameTagFormat[];
  /** A `|@rate` on a gauge, set or kv: ignored (counted) or the line rejected, as statsite does. */
  unusedSampleRate: UnusedSampleRate;
  pidFile: string | null;
  /**
   * Where a stop leaves the unfinished interval and the flush schedule for the next start
   * (`[service] state_dir`, else systemd's STATE_DIRECTORY); null = a final flush at stop instead.
   */
  stateDir: string | null;
  logLevel: string;
  /** auto, json, journald or pretty (see src/log/logger.ts). */
  logFormat: string;
  /** HTTP admin endpoint (`/health`, `/ready`, `/stats`), `HOST:PORT`; null = off. */
  adminHttp: string | null;
  /** etsy statsd's TCP management commands, `HOST:PORT`; null = off. */
  management: string | null;
  /** Whether the management port takes commands that change state (`health up|down`). */
  managementWrite: boolean;
  /** Global instances to forward each interval to (their merge URLs). */
  forwardTo: string[];
  /** Accept forwarded snapshots on `HOST:PORT` (the global instance); null = off. */
  forwardListen: string | null;
  /** Where forwarded snapshots wait on disk while the global instance is down; null = in memory. */
  forwardSpoolDir: string | null;
  /** The forward spool's bound on disk; null = the sink's default. */
  forwardSpoolMaxBytes: number | null;
  /** The shared secret a forward sends as a bearer token, and the forward endpoint requires; null = none. */
  forwardToken: string | null;
  /** The largest snapshot the forward endpoint takes; larger ones are refused with 413. */
  forwardMaxBodyBytes: number;
  /** Our own metrics, flushed with the rest under `prefix`. */
  selfMetrics: { enabled: boolean; prefix: string };
  keepGauges: boolean;
  /** Processes that receive and aggregate; 1 = the server itself, 0 = one per CPU. */
  ingestWorkers: number;
  limits: Limits;
  /** Sink specs (`stdout`, `stream:CMD`, …) in the order given. */
  sinks: string[];
  /**
   * statsite's binary_stream: the stream_cmd of [statsite] and the default stdout sink write
   * statsite's binary stream (already applied to `sinks`; the default is added at start).
   */
  binaryStream: boolean;
}
