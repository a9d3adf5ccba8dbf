// The whole running configuration, after defaults, file and CLI flags are merged and validated.

import type { HistogramConfig } from '../aggregate/histogram.js';
import type { NamingConfig } from '../naming/naming-config.js';

export interface ServerConfig {
  bindAddress: string;
  /** 0 disables the listener. */
  tcpPort: number;
  udpPort: number;
  /** Requested SO_RCVBUF for the UDP socket in bytes; 0 keeps our large default. */
  udpRcvbuf: number;
  parseStdin: boolean;
  alignedFlush: boolean;
  timerEps: number;
  setEps: number;
  histograms: HistogramConfig[];
  naming: NamingConfig;
  inputCounter: string | null;
  pidFile: string | null;
  logLevel: string;
  keepGauges: boolean;
  /** Sink specs (`stdout`, `stream:CMD`, …) in the order given. */
  sinks: string[];
}
