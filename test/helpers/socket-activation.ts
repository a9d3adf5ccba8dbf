// Socket activation as systemd does it, for e2e tests: socket-activator.py holds UDP and TCP
// sockets on one loopback port and starts each server with them as fds 3 and 4, LISTEN_FDS and
// LISTEN_PID (its own pid) set. The sockets outlive every server, as a .socket unit's do.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { BIN } from './server.js';
import { parseStreamOutput, type Flush } from './stream-output.js';
import { tempFiles } from './temp-files.js';
import { waitFor, type WaitOptions } from './wait.js';

const ACTIVATOR = fileURLToPath(new URL('./socket-activator.py', import.meta.url));
const PYTHON = '/usr/bin/python3';

/** One server started with the held sockets; its stdout and stderr go to files. */
export class ActivatedServer {
  exitCode: number | undefined;

  constructor(
    readonly pid: number,
    private readonly files: { stdout: string; stderr: string },
  ) {}

  get stdout(): string {
    return readFileSync(this.files.stdout, 'utf8');
  }

  get stderr(): string {
    return readFileSync(this.files.stderr, 'utf8');
  }

  flushes(): Flush[] {
    return parseStreamOutput(this.stdout).flushes;
  }

  waitForStderr(pattern: RegExp, opts: WaitOptions = {}): Promise<true> {
    return waitFor(() => {
      if (pattern.test(this.stderr)) return true;
      if (this.exitCode !== undefined) {
        throw new Error(`server ${this.pid} exited (${this.exitCode}) before its stderr matched ${pattern}:\n${this.stderr}`);
      }
      return undefined;
    }, { what: `stderr matching ${pattern}`, detail: () => this.stderr, ...opts });
  }

  /** SIGTERM, then waits for the exit (SIGKILL past the bound); returns the exit code. */
  async stop(timeoutMs = 15_000): Promise<number> {
    this.signal('SIGTERM');
    try {
      return await this.exited({ timeoutMs });
    } catch (err) {
      this.signal('SIGKILL');
      throw err;
    }
  }

  exited(opts: WaitOptions = {}): Promise<number> {
    return waitFor(() => this.exitCode, { what: `server ${this.pid} to exit`, detail: () => this.stderr, ...opts });
  }

  signal(signal: NodeJS.Signals): void {
    if (this.exitCode !== undefined) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // already gone: the activator reports the exit
    }
  }
}

export class SocketActivator {
  private output = '';
  private readonly servers = new Map<number, ActivatedServer>();
  private readonly files = tempFiles('statsite-ts-activated-');
  private started = 0;

  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      this.output += text;
      for (const [, pid, code] of text.matchAll(/^exited (\d+) (-?\d+)$/gm)) {
        const server = this.servers.get(Number(pid));
        if (server !== undefined) server.exitCode = Number(code);
      }
    });
  }

  /** Binds UDP and TCP on a free loopback port and holds them. */
  static async open(): Promise<SocketActivator> {
    const port = await freePort();
    const child = spawn(PYTHON, [ACTIVATOR, String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const activator = new SocketActivator(port, child);
    await waitFor(() => activator.output.includes('ready\n'), { what: 'the socket activator to bind its sockets' });
    return activator;
  }

  /** Starts `bin/statsite-ts ARGS` with the held sockets. */
  async start(args: readonly string[]): Promise<ActivatedServer> {
    const n = ++this.started;
    const files = { stdout: join(this.files.dir, `${n}.out`), stderr: join(this.files.dir, `${n}.err`) };
    this.child.stdin!.write(`${JSON.stringify({ argv: [BIN, ...args], ...files })}\n`);
    const pid = await waitFor(() => {
      const found = [...this.output.matchAll(/^started (\d+)$/gm)][n - 1];
      return found === undefined ? undefined : Number(found[1]);
    }, { what: 'the socket activator to start the server' });
    const server = new ActivatedServer(pid, files);
    this.servers.set(pid, server);
    // An exit reported before we knew the pid.
    const exit = new RegExp(`^exited ${pid} (-?\\d+)$`, 'm').exec(this.output);
    if (exit !== null) server.exitCode = Number(exit[1]);
    return server;
  }

  /** Stops every server still running, then the activator (its sockets close with it). */
  async close(): Promise<void> {
    await Promise.all([...this.servers.values()].filter((s) => s.exitCode === undefined).map((s) => s.stop().catch(() => undefined)));
    this.child.stdin!.end();
    await waitFor(() => this.child.exitCode !== null || this.child.signalCode !== null, { what: 'the socket activator to exit' })
      .catch(() => this.child.kill('SIGKILL'));
  }
}
