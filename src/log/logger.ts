// Structured logs on stderr (stdout carries metrics). pino writes synchronously here so the last
// lines before an exit are never lost; the log volume of a server like this is small.

import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino(
    { level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ fd: 2, sync: true }),
  );
}
