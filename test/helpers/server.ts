// The server under test as a real child process: `bin/statsite-ts` started
// with given flags on a free loopback port, its stdout and stderr collected,
// stopped by pid. Shared by every e2e test (stdout, graphite, prometheus...).

import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import type { Stream, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { canConnect } from './clients.js';
import { freePort } from './ports.js';
import { parseStreamOutput, type Flush, type ParsedOutput, type StreamLine } from './stream-output.js';
import { waitFor, within, type WaitOptions } from './wait.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The executable under test; STATSITE_TS_BIN points the suite at another build. */
export const BIN = process.env.STATSITE_TS_BIN ?? fileURLToPath(new URL('../../bin/statsite-ts', import.meta.url));

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the process had to be SIGKILLed because it ignored our signal. */
  forced: boolean;
}

export interface StartOptions {
  /** Flags after the port/bind ones, e.g. ['--flush-interval', '1', '--sink', 'stdout']. */
  args?: string[];
  /** Passed as `--bind` (default 127.0.0.1); false passes no `--bind`. */
  bind?: string | false;
  /** Passed as `--port` (default: a free port); false passes no `--port`. */
  port?: number | false;
  /** Wait until 127.0.0.1:port accepts TCP before returning (default: when a port is passed). */
  waitForTcp?: boolean;
  /** Bound on start-up (default 10 s). */
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Runs the server with this `ulimit -n`. */
  maxOpenFiles?: number;
  /** How stdout bytes become text (default utf8; latin1 compares bytes 1:1). */
  stdoutEncoding?: BufferEncoding;
  /**
   * The server's stdin (default none): true gives it a pipe, written through `ServerProcess.stdin`;
   * a stream (e.g. a socket, for `parse_stdin`) is handed over as it is.
   */
  stdin?: boolean | Stream;
}

export interface StopOptions {
  signal?: NodeJS.Signals;
  /** How long to wait for exit before SIGKILL (default 10 s). */
  timeoutMs?: number;
}

// Every process started here, so a crashed or timed-out test cannot leak one.
const running = new Set<ServerProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort if the test worker goes away without running hooks.
  process.once('exit', () => {
    for (const server of running) server.kill();
  });
}

function assertBinExists(): void {
  try {
    accessSync(BIN, constants.X_OK);
  } catch {
    throw new Error(`${BIN} is missing or not executable: the server must be built before the e2e tests run`);
  }
}

function tail(text: string, max = 4000): string {
  return text.length <= max ? text : `…${text.slice(-max)}`;
}

export class ServerProcess {
  readonly pid: number;
  readonly #port: number | undefined;
  readonly args: readonly string[];
  /** Resolves when the process has exited and its output is read. */
  readonly exited: Promise<ExitInfo>;
  /** The server's stdin, when started with `stdin: true`. */
  readonly stdin: Writable | null;

  #out = '';
  #err = '';
  #exit: ExitInfo | undefined;
  #forced = false;
  #spawnError: Error | undefined;

  constructor(child: ChildProcess, args: readonly string[], port: number | undefined, stdoutEncoding: BufferEncoding = 'utf8') {
    this.args = args;
    this.#port = port;
    this.pid = child.pid ?? -1;
    this.stdin = child.stdin;
    this.stdin?.on('error', () => undefined); // a server that exits closes it
    child.stdout?.setEncoding(stdoutEncoding).on('data', (s: string) => (this.#out += s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (this.#err += s));
    this.exited = new Promise<ExitInfo>((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.#exit) return;
        this.#exit = { code, signal, forced: this.#forced };
        running.delete(this);
        resolve(this.#exit);
      };
      child.once('error', (err) => {
        this.#spawnError = err;
        finish(null, null);
      });
      // 'close' comes after stdout/stderr are drained; if a grandchild (e.g. a
      // stream sink's command) keeps the pipes open, settle for 'exit' + 2 s.
      child.once('close', finish);
      child.once('exit', (code, signal) => {
        setTimeout(() => finish(code, signal), 2000).unref();
      });
    });
    running.add(this);
  }

  /** The port passed as `--port`; asking for it when none was passed is a mistake in the test. */
  get port(): number {
    if (this.#port === undefined) throw new Error('this server was started without --port');
    return this.#port;
  }

  get stdout(): string {
    return this.#out;
  }

  get stderr(): string {
    return this.#err;
  }

  /** Set once the process has exited. */
  get exitInfo(): ExitInfo | undefined {
    return this.#exit;
  }

  get spawnError(): Error | undefined {
    return this.#spawnError;
  }

  /** stdout parsed as statsite stream lines. */
  output(): ParsedOutput {
    return parseStreamOutput(this.#out);
  }

  flushes(): Flush[] {
    return this.output().flushes;
  }

  /** Command line, exit status and output tails: for failure messages. */
  diagnostics(): string {
    const exit = this.#exit ? `exited code=${this.#exit.code} signal=${this.#exit.signal}` : 'running';
    return [
      `server: ${BIN} ${this.args.join(' ')} (pid ${this.pid}, ${exit})`,
      `--- stdout ---\n${tail(this.#out)}`,
      `--- stderr ---\n${tail(this.#err)}`,
    ].join('\n');
  }

  /**
   * Waits until `check` holds on the current output. Fails at once if the
   * server exits first, and after the bound otherwise.
   */
  async waitUntil<T>(check: (server: this) => T | undefined | false, opts: WaitOptions = {}): Promise<T> {
    return waitFor(
      () => {
        const value = check(this);
        if (value !== undefined && value !== false) return value;
        if (this.#exit) throw new Error(`server exited while waiting for ${opts.what ?? 'output'}\n${this.diagnostics()}`);
        return undefined;
      },
      { ...opts, detail: () => this.diagnostics() },
    );
  }

  /** Waits for the first stdout line with this key. */
  waitForKey(key: string, opts: WaitOptions = {}): Promise<StreamLine> {
    return this.waitUntil((s) => s.flushes().flatMap((f) => f.lines).find((l) => l.key === key), {
      what: `a stdout line with key ${JSON.stringify(key)}`,
      ...opts,
    });
  }

  /**
   * Waits until `key` has been printed in at least `count` flushes; returns those flushes. Sending
   * a line, then waiting for its flush, puts each line sent this way into a flush of its own.
   */
  waitForFlushesWith(key: string, count: number, opts: WaitOptions = {}): Promise<Flush[]> {
    return this.waitUntil((s) => {
      const flushes = s.flushes().filter((f) => f.lines.some((l) => l.key === key));
      return flushes.length >= count && flushes;
    }, { what: `${JSON.stringify(key)} in ${count} flushes`, ...opts });
  }

  /** Waits until stderr (from `from` on) matches. */
  waitForStderr(pattern: RegExp, from = 0, opts: WaitOptions = {}): Promise<string> {
    return this.waitUntil((s) => pattern.test(s.stderr.slice(from)) && s.stderr.slice(from), {
      what: `stderr matching ${pattern}`,
      ...opts,
    });
  }

  /** Sends a signal (default SIGTERM), waits for exit, SIGKILLs after the bound. */
  async stop(opts: StopOptions = {}): Promise<ExitInfo> {
    if (this.#exit) return this.#exit;
    this.#signal(opts.signal ?? 'SIGTERM');
    const info = await within(this.exited, opts.timeoutMs ?? 10_000, undefined);
    if (info) return info;
    this.#forced = true;
    this.#signal('SIGKILL');
    return within(this.exited, 5000, { code: null, signal: null, forced: true });
  }

  /** SIGKILL without waiting: for cleanup paths. */
  kill(): void {
    if (!this.#exit) this.#signal('SIGKILL');
  }

  #signal(signal: NodeJS.Signals): void {
    if (this.pid <= 0) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // ESRCH: it is already gone; 'exit' will tell.
    }
  }
}

function spawnBin(args: readonly string[], env?: NodeJS.ProcessEnv, maxOpenFiles?: number, stdin: boolean | Stream = false): ChildProcess {
  const input = stdin === true ? 'pipe' : stdin === false ? 'ignore' : stdin;
  const options = { cwd: REPO_ROOT, env: env ?? process.env, stdio: [input, 'pipe', 'pipe'] as ('ignore' | 'pipe' | Stream)[] };
  if (maxOpenFiles === undefined) return spawn(BIN, args, options);
  // `exec` keeps the pid: the shell becomes the server, with the lower limit.
  return spawn('/bin/sh', ['-c', `ulimit -n ${maxOpenFiles} && exec "$0" "$@"`, BIN, ...args], options);
}

async function startOnce(opts: StartOptions, port: number | undefined): Promise<ServerProcess> {
  const args: string[] = [];
  if (opts.bind !== false) args.push('--bind', opts.bind ?? '127.0.0.1');
  if (port !== undefined) args.push('--port', String(port));
  args.push(...(opts.args ?? []));

  installExitHook();
  const server = new ServerProcess(spawnBin(args, opts.env, opts.maxOpenFiles, opts.stdin), args, port, opts.stdoutEncoding);
  const waitForTcp = opts.waitForTcp ?? port !== undefined;
  if (!waitForTcp) return server;
  if (port === undefined) throw new Error('waitForTcp needs a port');

  try {
    await waitFor(
      async () => {
        if (server.exitInfo) {
          const why = server.spawnError ? `could not be started: ${server.spawnError.message}` : 'exited during start-up';
          throw new Error(`statsite-ts ${why}\n${server.diagnostics()}`);
        }
        return canConnect(port);
      },
      {
        timeoutMs: opts.readyTimeoutMs ?? 10_000,
        intervalMs: 50,
        what: `statsite-ts to accept TCP on 127.0.0.1:${port}`,
        detail: () => server.diagnostics(),
      },
    );
  } catch (err) {
    await server.stop({ timeoutMs: 2000 });
    throw err;
  }
  return server;
}

/**
 * Starts `bin/statsite-ts --bind 127.0.0.1 --port <free> ...args` and waits
 * until it accepts TCP. Throws (with the server's stderr) if it cannot start.
 */
export async function startServer(opts: StartOptions = {}): Promise<ServerProcess> {
  assertBinExists();
  if (opts.port !== undefined) return startOnce(opts, opts.port === false ? undefined : opts.port);
  // The free port is released before the server binds it, so another process
  // can take it in between: retry that case, and only that case, on a new port.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts, await freePort());
    } catch (err) {
      if (attempt >= 3 || !/EADDRINUSE/.test(String(err))) throw err;
    }
  }
}

/** Stops every server still running (afterEach/afterAll safety net). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop({ timeoutMs: 5000 })));
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion (e.g. `--help`), killing it after the bound. */
export async function runCli(args: string[], timeoutMs = 10_000): Promise<CliResult> {
  assertBinExists();
  installExitHook();
  const proc = new ServerProcess(spawnBin(args), args, undefined);
  let info = await within(proc.exited, timeoutMs, undefined);
  if (!info) {
    info = await proc.stop({ signal: 'SIGKILL', timeoutMs: 5000 });
    throw new Error(`statsite-ts ${args.join(' ')} did not exit within ${timeoutMs} ms\n${proc.diagnostics()}`);
  }
  if (proc.spawnError) throw new Error(`could not run ${BIN}: ${proc.spawnError.message}`);
  return { code: info.code, signal: info.signal, stdout: proc.stdout, stderr: proc.stderr };
}
