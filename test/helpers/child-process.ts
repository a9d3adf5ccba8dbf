// A program the e2e tests run against (carbon, graphite-web, Prometheus, VictoriaMetrics,
// carbon-c-relay) as a child
// process: its output kept for failure messages, stopped by its pid (SIGTERM, then SIGKILL after a
// bound), and killed if the test worker exits without stopping it.

import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from './wait.js';

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 8_000;

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export class TestChild {
  readonly proc: ChildProcess;
  readonly exited: Promise<void>;
  private log = '';
  private done = false;

  constructor(
    readonly label: string,
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.proc = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(this.proc);
    const keep = (chunk: Buffer) => {
      this.log = (this.log + chunk.toString('utf8')).slice(-8000);
    };
    this.proc.stdout!.on('data', keep);
    this.proc.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.proc.once('error', (err) => {
        keep(Buffer.from(String(err)));
        resolve();
      });
      this.proc.once('exit', () => resolve());
    });
    void this.exited.then(() => {
      this.done = true;
      children.delete(this.proc);
    });
  }

  get alive(): boolean {
    return !this.done && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  output(): string {
    return `--- ${this.label} (pid ${this.proc.pid}) output:\n${this.log.slice(-3000)}`;
  }

  /** Polls `ready` until it is true (bounded); fails at once, with the output, if the child exits. */
  async waitReady(ready: () => Promise<boolean>, what: string, timeoutMs = START_TIMEOUT_MS): Promise<void> {
    await waitFor(
      async () => {
        if (!this.alive) throw new Error(`${this.label} exited during start-up\n${this.output()}`);
        return ready();
      },
      { timeoutMs, intervalMs: 100, what, detail: () => this.output() },
    );
  }

  /** SIGTERM, then SIGKILL if it has not exited within the bound. */
  async stop(timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
    if (!this.alive) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Whether a GET of `url` answers 2xx within 2 s. */
export async function answersOk(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/**
 * Starts several things at once: all of them, or none left running. With Promise.all, one that
 * fails leaves the others running unseen by the test's cleanup (carbon-caches outlived a failed
 * run so).
 */
export async function startAll<T extends { stop(): Promise<void> }>(starts: Array<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed === undefined) return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
  await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
  throw failed.reason;
}
