// The command line: flags over the config file over the defaults, then run until a signal.

import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../config/config-error.js';
import { defaultConfig } from '../config/defaults.js';
import { loadConfigFile } from '../config/load-config.js';
import type { ServerConfig } from '../config/server-config.js';
import { parseLogLevel } from '../config/statsite-table.js';
import { createLogger } from '../log/logger.js';
import { sinkSpecs, startServer } from '../server.js';
import { SINK_SPECS } from '../sinks/create-sink.js';

/** Exit code for a configuration the server refuses to start with. */
export const EXIT_CONFIG = 2;

interface CliOptions {
  config?: string;
  bind?: string;
  port?: number;
  udpPort?: number;
  tcpPort?: number;
  flushInterval?: number;
  sink?: string[];
  logLevel?: string;
}

function integer(min: number, max: number) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Defaults, then the file, then flags. */
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
  return config;
}

function buildProgram(run: (opts: CliOptions) => Promise<void>, check: (file: string) => number): Command {
  const program = new Command('statsite-ts')
    .description('A Statsite-compatible StatsD aggregation server.')
    .showHelpAfterError()
    .helpOption('-h, --help', 'show this help');
  program.addOption(new Option('-c, --config <file>', 'TOML config, or a statsite .ini file').helpGroup('Config:'));
  program.addOption(new Option('--bind <addr>', 'listen address (default 127.0.0.1; with --config, bind_address or ::)').helpGroup('Listeners:'));
  program.addOption(new Option('--port <n>', 'UDP and TCP port, 0 disables both (default 8125)').argParser(integer(0, 65535)).helpGroup('Listeners:'));
  program.addOption(new Option('--udp-port <n>', 'UDP port only, 0 disables UDP').argParser(integer(0, 65535)).helpGroup('Listeners:'));
  program.addOption(new Option('--tcp-port <n>', 'TCP port only, 0 disables TCP').argParser(integer(0, 65535)).helpGroup('Listeners:'));
  program.addOption(new Option('--flush-interval <seconds>', 'seconds between flushes (default 10)').argParser(integer(1, 86400)).helpGroup('Output:'));
  program.addOption(new Option('--sink <spec>', `where flushes go, repeatable: ${SINK_SPECS.join(', ')} (default stdout)`).argParser(collect).helpGroup('Output:'));
  program.addOption(new Option('--log-level <level>', 'debug, info, warn, error (default info)').helpGroup('Logging:'));
  program.action(run);
  program
    .command('check-config')
    .description('validate a config file and exit (0 valid, 2 invalid)')
    .argument('<file>', 'the config file')
    .action((file: string) => {
      process.exitCode = check(file);
    });
  return program;
}

async function runServer(opts: CliOptions): Promise<number> {
  let config: ServerConfig;
  try {
    config = resolveConfig(opts);
    sinkSpecs(config);
  } catch (err) {
    return reportStartError(err);
  }
  const log = createLogger(config.logLevel);
  let server;
  try {
    server = await startServer(config, log);
  } catch (err) {
    log.fatal({ err: err instanceof Error ? err.message : String(err) }, 'cannot start');
    return 1;
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info({ signal }, 'shutting down: final flush');
  await server.stop();
  return 0;
}

function checkConfig(file: string): number {
  try {
    sinkSpecs(resolveConfig({ config: file }));
  } catch (err) {
    return reportStartError(err);
  }
  process.stdout.write(`${file}: ok\n`);
  return 0;
}

function reportStartError(err: unknown): number {
  const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`statsite-ts: ${message}\n`);
  return EXIT_CONFIG;
}

/** Returns the exit code, or undefined when a subcommand already set process.exitCode. */
export async function main(argv: string[]): Promise<number | undefined> {
  let code: number | undefined;
  const program = buildProgram(
    async (opts) => {
      code = await runServer(opts);
    },
    checkConfig,
  );
  await program.parseAsync(argv);
  return code;
}
