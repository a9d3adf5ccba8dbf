// Defaults: statsite's, except where DESIGN.md/README call out a deliberate difference.

import { DEFAULT_TYPE_PREFIXES, TIMER_FIELDS } from '../naming/naming-config.js';
import type { ServerConfig } from './server-config.js';

export const DEFAULT_PORT = 8125;
/** The embedded default (`npm start`, no config file) listens on loopback only. */
export const DEFAULT_BIND = '127.0.0.1';
/** statsite's bind_address default, used when a config file is given: every interface. */
export const STATSITE_BIND = '::';

export function defaultConfig(): ServerConfig {
  return {
    bindAddress: DEFAULT_BIND,
    configFile: null,
    tcpPort: DEFAULT_PORT,
    udpPort: DEFAULT_PORT,
    udpRcvbuf: 0,
    parseStdin: false,
    alignedFlush: false,
    timerEps: null,
    setEps: 0.02,
    histograms: [],
    naming: {
      globalPrefix: '',
      useTypePrefix: true,
      typePrefixes: { ...DEFAULT_TYPE_PREFIXES },
      extendedCounters: false,
      legacyExtendedCounters: true,
      timersInclude: new Set(TIMER_FIELDS),
      quantiles: [0.5, 0.95, 0.99],
      flushInterval: 10,
      prefixBinaryStream: false,
    },
    binaryStream: false,
    inputCounter: null,
    nameTagFormats: [],
    unusedSampleRate: 'ignore',
    pidFile: null,
    stateDir: null,
    logLevel: 'info',
    logFormat: 'auto',
    adminHttp: null,
    management: null,
    managementWrite: false,
    forwardTo: [],
    forwardListen: null,
    forwardMaxBodyBytes: 64 * 1024 * 1024,
    forwardToken: null,
    forwardSpoolDir: null,
    forwardSpoolMaxBytes: null,
    selfMetrics: { enabled: false, prefix: 'statsite-ts.' },
    keepGauges: false,
    ingestWorkers: 1,
    limits: {
      maxKeyBytes: 4096,
      maxLineBytes: 64 * 1024,
      maxSeries: 0,
      tcpMaxConnections: 10_000,
      tcpIdleTimeout: 600,
      sinkTimeout: 30,
    },
    sinks: [],
  };
}
