// Structured logs on stderr (stdout carries metrics), in the form the reader needs:
// - under systemd, whose journal is our stderr (JOURNAL_STREAM names it): `<6>message k=v` lines;
// - at a terminal: short coloured lines;
// - otherwise (files, log shippers): pino's JSON, one object per line.
// Writes are synchronous so the last lines before an exit are never lost; volume is small.

import { fstatSync, writeSync } from 'node:fs';
import { pino, type DestinationStream, type Logger } from 'pino';
import { journaldLine, prettyLine } from './log-format.js';

export type { Logger };
export type LogFormat = 'json' | 'journald' | 'pretty';
export const LOG_FORMATS = ['auto', 'json', 'journald', 'pretty'];

const STDERR = 2;

/** systemd sets JOURNAL_STREAM to "DEV:INODE" of the journal socket; it counts only if stderr is that socket. */
function stderrIsJournal(env: NodeJS.ProcessEnv): boolean {
  const stream = env.JOURNAL_STREAM;
  if (!stream) return false;
  try {
    const st = fstatSync(STDERR);
    return stream === `${st.dev}:${st.ino}`;
  } catch {
    return false;
  }
}

export function detectLogFormat(requested: string, env: NodeJS.ProcessEnv = process.env): LogFormat {
  if (requested !== 'auto') return requested as LogFormat;
  if (stderrIsJournal(env)) return 'journald';
  return process.stderr.isTTY ? 'pretty' : 'json';
}

function lineDestination(format: (record: Record<string, unknown>) => string): DestinationStream {
  return {
    write(json: string) {
      writeSync(STDERR, format(JSON.parse(json) as Record<string, unknown>));
    },
  };
}

export function createLogger(level: string, format: LogFormat = detectLogFormat('auto')): Logger {
  const options = { level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  if (format === 'journald') return pino({ ...options, base: undefined, timestamp: false }, lineDestination(journaldLine));
  if (format === 'pretty') return pino(options, lineDestination(prettyLine));
  return pino(options, pino.destination({ fd: STDERR, sync: true }));
}
