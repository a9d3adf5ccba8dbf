// The command line: flags over the config file over the defaults, then run until a signal.
// SIGHUP re-reads the file (flags still win); SIGTERM/SIGINT flush and exit 0.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { carbonSchema, type CarbonSchema } from './carbon-schema.js';
import { parseListenAddress } from '../util/address.js';
import { defaultConfig } from '../config/defaults.js';
import { loadConfigFile, MAX_INGEST_WORKERS } from '../config/load-config.js';
import type { ServerConfig } from '../config/server-config.js';
import { parseLogLevel } from '../config/statsite-table.js';
import { createLogger, detectLogFormat, LOG_FORMATS } from '../log/logger.js';
import { takeActivatedSockets } from '../ingest/systemd-sockets.js';
import { Server, sinkSpecs, workerCount } from '../server.js';
import { SINK_SPECS } from '../sinks/registry.js';
import { releaseHeldSignals, ServerSignals, type HeldSignals } from './signals.js';
import { badUnitName, DEFAULT_UNIT_NAME, hiddenInstall, renderSocketUnit, renderUnit } from './systemd-unit.js';
import { VERSION } from '../util/version.js';
import { processGone, waitReady } from './wait-ready.js';
import { EXIT_UNREACHABLE, showStatus } from './status.js';

/** Exit code for a configuration the server refuses to start with. */
export const EXIT_CONFIG = 2;
const DEFAULT_UNIT_CONFIG = '/etc/statsite-ts/config.toml';

interface CliOptions {
  config?: string;
  /** statsite's own flag for the config file (`statsite -f statsite.ini`), so its scripts and units work as they are. */
  f?: string;
  bind?: string;
  port?: number;
  udpPort?: number;
  tcpPort?: number;
  flushInterval?: number;
  sink?: string[];
  logLevel?: string;
  logFormat?: string;
  admin?: string;
  management?: string;
  forward?: string[];
  acceptForward?: string;
  workers?: number;
}

function integer(min: number, max: number) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

function address(text: string): string {
  try {
    parseListenAddress(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return text;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Defaults, then the file, then flags; throws ConfigError or Error with a readable message. */
export function resolveConfig(opts: CliOptions): ServerConfig {
  const config = opts.config !== undefined ? loadConfigFile(opts.config) : defaultConfig();
  if (opts.bind !== undefined) config.bindAddress = opts.bind;
  if (opts.port !== undefined) config.tcpPort = config.udpPort = opts.port;
  if (opts.udpPort !== undefined) config.udpPort = opts.udpPort;
  if (opts.tcpPort !== undefined) config.tcpPort = opts.tcpPort;
  if (opts.flushInterval !== undefined) config.naming.flushInterval = opts.flushInterval;
  if (opts.sink !== undefined) config.sinks = opts.sink;
  if (opts.logLevel !== undefined) {
    config.logLevel = parseLogLevel({ file: 'command line', key: '--log-level', value: opts.logLevel });
  }
  if (opts.logFormat !== undefined) config.logFormat = opts.logFormat;
  if (opts.admin !== undefined) config.adminHttp = opts.admin;
  if (opts.management !== undefined) config.management = opts.management;
  if (opts.forward !== undefined) config.forwardTo = opts.forward;
  if (opts.acceptForward !== undefined) config.forwardListen = opts.acceptForward;
  if (opts.workers !== undefined) config.ingestWorkers = opts.workers;
  config.configFile = opts.config ?? null;
  config.stateDir ??= systemdStateDirectory();
  sinkSpecs(config); // every sink spec must parse before anything starts
  if (config.udpPort === 0 && config.tcpPort === 0 && !config.parseStdin && config.forwardListen === null) {
    const where = opts.config ?? 'command line';
    throw new Error(`${where}: nothing to receive metrics on: UDP and TCP ports are 0, parse_stdin is off and no forward listener is set`);
  }
  return config;
}

/** The first directory of the unit's StateDirectory=, which systemd passes as STATE_DIRECTORY (colon-separated). */
function systemdStateDirectory(): string | null {
  const dirs = process.env.STATE_DIRECTORY;
  return dirs === undefined || dirs === '' ? null : dirs.split(':')[0];
}

/**
 * One line on stderr saying why the program cannot go on; in the journal at priority err (`<3>`,
 * so `journalctl -p err` shows it), plain elsewhere.
 */
function writeError(text: string, logFormat = 'auto'): void {
  const priority = detectLogFormat(logFormat) === 'journald' ? '<3>' : '';
  process.stderr.write(`${priority}statsite-ts: ${text}\n`);
}

function reportStartError(err: unknown, logFormat?: string): number {
  writeError(err instanceof Error ? err.message : String(err), logFormat);
  return EXIT_CONFIG;
}

/** The server's process name: `ps`, `pgrep`, `lsof` and scripts look for statsite-ts, not node. */
export const PROCESS_TITLE = 'statsite-ts';

async function runServer(opts: CliOptions, signals: ServerSignals): Promise<number> {
  process.title = PROCESS_TITLE;
  let config: ServerConfig;
  try {
    config = resolveConfig(opts);
  } catch (err) {
    return reportStartError(err, opts.logFormat);
  }
  const activated = takeActivatedSockets();
  if (activated !== null && workerCount(config) > 1) {
    // systemd hands the sockets to this one process; ingest workers would each need their own.
    return reportStartError(new Error('socket activation (LISTEN_FDS) and ingest workers ([ingest] workers, --workers) do not go together: '
      + 'set workers = 1, or run without the .socket unit'), config.logFormat);
  }
  const logFormat = detectLogFormat(config.logFormat);
  const log = createLogger(config.logLevel, logFormat);
  signals.logTo(log);
  let server: Server;
  try {
    server = await Server.start(config, log, logFormat, activated);
  } catch (err) {
    log.fatal({ err: err instanceof Error ? err.message : String(err) }, 'cannot start');
    return 1;
  }
  // One reload at a time, in the order the SIGHUPs came; the shutdown waits for one under way.
  let reloads = Promise.resolve();
  signals.running(() => {
    reloads = reloads.then(() => reload(server, opts));
  });
  const signal = await signals.stopRequested;
  log.info({ signal }, server.handsOver ? 'shutting down: handing the interval over to the next start' : 'shutting down: final flush');
  await reloads;
  await server.stop();
  return 0;
}

/** SIGHUP: re-reads the config; whatever goes wrong, the server keeps running (the old config where the new one fails). */
async function reload(server: Server, opts: CliOptions): Promise<void> {
  try {
    await server.reload(resolveConfig(opts));
  } catch (err) {
    server.refuseReload(err);
  }
}

interface UnitOptions {
  config: string;
  name: string;
  socket?: boolean;
  output?: string;
  allowHome?: boolean;
}

/** `statsite-ts unit`: prints or writes the units; throws (exit 2) with the reason it will not. */
function writeUnits(o: UnitOptions): void {
  const hidden = hiddenInstall();
  if (hidden !== null && o.allowHome !== true) throw new Error(hidden);
  const badName = badUnitName(o.name);
  if (badName !== null) throw new Error(badName);
  if (o.socket !== true && o.output === undefined) {
    process.stdout.write(renderUnit(o.config, o.name));
    return;
  }
  const config = resolveConfig({ config: o.config });
  const socket = renderSocketUnit(config, o.name);
  if (config.adminHttp === null) {
    process.stderr.write('statsite-ts: warning: no [admin] http in the config: under socket activation `wait-ready` cannot tell '
      + 'when the server is up (systemd accepts TCP before it is), so the unit is ready at once\n');
  }
  if (o.output === undefined) {
    process.stdout.write(socket);
    return;
  }
  writeFileSync(join(o.output, `${o.name}.service`), renderUnit(o.config, o.name));
  writeFileSync(join(o.output, `${o.name}.socket`), socket);
  process.stdout.write(`wrote ${join(o.output, `${o.name}.service`)} and ${join(o.output, `${o.name}.socket`)}\n`);
}

function buildProgram(run: (opts: CliOptions) => Promise<void>): Command {
  const program = new Command('statsite-ts')
    .description('A Statsite-compatible StatsD aggregation server.')
    .showHelpAfterError()
    .enablePositionalOptions() // `unit --config X` is the subcommand's option, not the server's
    .helpOption('-h, --help', 'show this help')
    .version(VERSION, '-V, --version', 'print the version and exit');
  const add = (group: string, option: Option) => program.addOption(option.helpGroup(group));
  add('Config:', new Option('-c, --config <file>', 'TOML config, or a statsite .ini file'));
  add('Config:', new Option('-f <file>', "the same, as statsite's -f (statsite -f statsite.ini)").conflicts('config'));
  add('Listeners:', new Option('--bind <addr>', 'listen address (default 127.0.0.1; with --config, bind_address or ::)'));
  add('Listeners:', new Option('--port <n>', 'UDP and TCP port, 0 disables both (default 8125)').argParser(integer(0, 65535)));
  add('Listeners:', new Option('--udp-port <n>', 'UDP port only, 0 disables UDP').argParser(integer(0, 65535)));
  add('Listeners:', new Option('--tcp-port <n>', 'TCP port only, 0 disables TCP').argParser(integer(0, 65535)));
  const workers = 'processes that receive and aggregate, sharing the ports; 0 = one per CPU (default 1)';
  add('Listeners:', new Option('--workers <n>', workers).argParser(integer(0, MAX_INGEST_WORKERS)));
  add('Output:', new Option('--flush-interval <seconds>', 'seconds between flushes (default 10)').argParser(integer(1, 86400)));
  add('Output:', new Option('--sink <spec>', `where flushes go, repeatable: ${SINK_SPECS.join(', ')} (default stdout)`).argParser(collect));
  add('Operations:', new Option('--admin <addr>', 'HTTP /health, /ready, /stats on HOST:PORT (a bare PORT: loopback)').argParser(address));
  add('Operations:', new Option('--management <addr>', "etsy statsd's TCP management commands on HOST:PORT").argParser(address));
  const forward = 'also send each interval, mergeable, to a global statsite-ts (its --accept-forward URL)';
  add('Scaling out:', new Option('--forward <url>', forward).argParser(collect));
  add('Scaling out:', new Option('--accept-forward <addr>', 'merge snapshots POSTed to http://HOST:PORT/v1/forward (the global instance)').argParser(address));
  add('Logging:', new Option('--log-level <level>', 'debug, info, warn, error (default info)'));
  const logFormat = 'auto (journald under systemd, pretty on a terminal, else json)';
  add('Logging:', new Option('--log-format <format>', logFormat).choices(LOG_FORMATS));
  program.action(run);

  program
    .command('check-config')
    .description('validate a config file and exit (0 valid, 2 invalid)')
    .argument('<file>', 'the config file')
    .action((file: string) => {
      try {
        resolveConfig({ config: file });
      } catch (err) {
        process.exitCode = reportStartError(err);
        return;
      }
      process.stdout.write(`${file}: ok\n`);
    });

  program
    .command('unit')
    .description('print the systemd service unit for this installation (--socket: the socket unit; --output: write both)')
    .option('-c, --config <file>', 'config path the unit passes (the socket unit takes its ports from it)', DEFAULT_UNIT_CONFIG)
    .option('--name <name>', 'names the service, the socket, StateDirectory= and the journal identifier', DEFAULT_UNIT_NAME)
    .option('--socket', "print the socket unit (ListenDatagram=/ListenStream= for the config's ports) instead")
    .option('-o, --output <dir>', 'write NAME.service and NAME.socket into this directory instead of printing')
    .option('--allow-home', 'print the unit even for an installation the unit cannot start from (under /home, /root, /tmp)')
    .action((o: UnitOptions) => {
      try {
        writeUnits(o);
      } catch (err) {
        process.exitCode = reportStartError(err);
      }
    });

  program
    .command('carbon-schema')
    .description("print carbon's storage-schemas.conf and storage-aggregation.conf for this config's Graphite paths")
    .option('-c, --config <file>', 'the config the server runs with')
    .option('-o, --output <dir>', 'write the two files into this directory instead')
    .action((o: { config?: string; output?: string }) => {
      let schema: CarbonSchema;
      try {
        schema = carbonSchema(resolveConfig({ config: o.config }));
      } catch (err) {
        process.exitCode = reportStartError(err);
        return;
      }
      if (o.output === undefined) {
        process.stdout.write(`${schema.schemas}\n${schema.aggregation}`);
        return;
      }
      writeFileSync(join(o.output, 'storage-schemas.conf'), schema.schemas);
      writeFileSync(join(o.output, 'storage-aggregation.conf'), schema.aggregation);
    });

  program
    .command('wait-ready')
    .description("wait until the server of this config answers (systemd's ExecStartPost)")
    .option('-c, --config <file>', 'the config the server runs with')
    .option('--timeout <seconds>', 'give up after this long', integer(1, 3600), 30)
    .action(async (o: { config?: string; timeout: number }) => {
      let config: ServerConfig;
      try {
        config = resolveConfig({ config: o.config });
      } catch (err) {
        if (detectLogFormat('auto') !== 'journald') {
          process.exitCode = reportStartError(err);
          return;
        }
        // Under systemd the server (ExecStart) writes the same reason as an error: once is enough.
        // It exits 2 on it; waiting for that makes its exit, not ours, the unit's result, so
        // RestartPreventExitStatus=2 applies (systemd would otherwise kill it and restart).
        process.stderr.write('<7>statsite-ts wait-ready: the config cannot be used (the server logs why)\n');
        await processGone(Number(process.env.MAINPID), o.timeout * 1000);
        process.exitCode = EXIT_CONFIG;
        return;
      }
      if (!(await waitReady(config, o.timeout * 1000))) {
        writeError(`not ready after ${o.timeout} s`, config.logFormat);
        process.exitCode = 1;
      }
    });
  program
    .command('status')
    .description("show the server's status page in the terminal (exit 0 ready, 1 not ready or a sink degraded, 2 unreachable)")
    .option('-c, --config <file>', 'the config the server runs with: its [admin] http address')
    .option('--admin <addr>', 'the admin endpoint, HOST:PORT (a bare PORT: loopback)', address)
    .option('-w, --watch', 'redraw every 2 s until interrupted')
    .action(async (o: { config?: string; admin?: string; watch?: boolean }) => {
      let admin = o.admin ?? null;
      if (admin === null) {
        if (o.config === undefined) {
          process.stderr.write('statsite-ts: status needs --config FILE or --admin HOST:PORT\n');
          process.exitCode = EXIT_UNREACHABLE;
          return;
        }
        try {
          admin = resolveConfig({ config: o.config }).adminHttp;
        } catch (err) {
          process.exitCode = reportStartError(err);
          return;
        }
        if (admin === null) {
          process.stderr.write(`statsite-ts: ${o.config} sets no admin address ([admin] http): there is nothing to ask\n`);
          process.exitCode = EXIT_UNREACHABLE;
          return;
        }
      }
      const stdout = { write: (text: string) => void process.stdout.write(text), isTTY: process.stdout.isTTY === true };
      process.exitCode = await showStatus(admin, o.watch === true, stdout, (text) => void process.stderr.write(text));
    });
  return program;
}

/**
 * Returns the exit code, or undefined when a subcommand already set process.exitCode. `early`:
 * the signals bin/statsite-ts held while the program loaded (see signals.ts).
 */
export async function main(argv: string[], early?: HeldSignals): Promise<number | undefined> {
  let code: number | undefined;
  let serving = false;
  const program = buildProgram(async ({ f, ...opts }) => {
    serving = true;
    code = await runServer({ ...opts, config: opts.config ?? f }, new ServerSignals(early));
  });
  program.hook('preSubcommand', () => releaseHeldSignals(early));
  try {
    await program.parseAsync(argv);
  } finally {
    if (!serving) releaseHeldSignals(early);
  }
  return code;
}
