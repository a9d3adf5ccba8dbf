// The server's signals, from the first instruction to the exit. bin/statsite-ts holds them from
// its first line (a SIGHUP's default action is to end the process) and hands them over here:
//   SIGHUP           reloads; one that came during start-up is applied once the server is up;
//                    during the shutdown it is logged and ignored.
//   SIGTERM, SIGINT  the first starts the shutdown (final flush); later ones are logged and change
//                    nothing — only SIGKILL cuts a final flush short.

import type { Logger } from '../log/logger.js';

export const HANDLED_SIGNALS = ['SIGHUP', 'SIGTERM', 'SIGINT'] as const;
type HandledSignal = (typeof HANDLED_SIGNALS)[number];

/** What bin/statsite-ts caught before the program was loaded, and its listener, to be taken over. */
export interface HeldSignals {
  held: NodeJS.Signals[];
  hold: (signal: NodeJS.Signals) => void;
}

export class ServerSignals {
  /** Resolves with the signal that asked the server to stop. */
  readonly stopRequested: Promise<NodeJS.Signals>;
  private phase: 'starting' | 'running' | 'stopping' = 'starting';
  private reloadWaiting = false;
  private reload: () => void = () => undefined;
  private log: Logger | null = null;
  private requestStop: (signal: NodeJS.Signals) => void = () => undefined;
  private readonly onSignal = (signal: NodeJS.Signals) => this.handle(signal);

  constructor(early?: HeldSignals) {
    this.stopRequested = new Promise((resolve) => (this.requestStop = resolve));
    // Ours first, then the early ones go: there is no moment without a listener.
    for (const signal of HANDLED_SIGNALS) process.on(signal, this.onSignal);
    if (early !== undefined) {
      for (const signal of HANDLED_SIGNALS) process.off(signal, early.hold);
      for (const signal of early.held.splice(0)) this.handle(signal);
    }
  }

  /** Where to log the signals that change nothing, once there is a logger. */
  logTo(log: Logger): void {
    this.log = log;
  }

  /** The server is up: SIGHUP runs `reload` from now on, and one held during start-up runs now. */
  running(reload: () => void): void {
    if (this.phase !== 'starting') return;
    this.phase = 'running';
    this.reload = reload;
    if (this.reloadWaiting) {
      this.reloadWaiting = false;
      this.log?.info('applying the SIGHUP that came during start-up');
      reload();
    }
  }

  private handle(signal: NodeJS.Signals): void {
    const name = signal as HandledSignal;
    if (name === 'SIGHUP') {
      if (this.phase === 'starting') this.reloadWaiting = true;
      else if (this.phase === 'running') this.reload();
      else this.log?.warn({ signal }, 'SIGHUP during the shutdown: ignored');
      return;
    }
    if (this.phase === 'stopping') {
      this.log?.warn({ signal }, 'already shutting down: the final flush goes on (only SIGKILL stops it)');
      return;
    }
    this.phase = 'stopping';
    this.requestStop(signal);
  }
}

/** Gives the held signals back to Node's defaults, for the commands that do not run the server. */
export function releaseHeldSignals(early: HeldSignals | undefined): void {
  if (early === undefined) return;
  for (const signal of HANDLED_SIGNALS) process.off(signal, early.hold);
  const stop = early.held.splice(0).find((s) => s !== 'SIGHUP');
  if (stop !== undefined) process.kill(process.pid, stop);
}
