// Sink specs, as given to --sink or built from [[sinks]]: `stdout`, `stream:COMMAND`.

import type { Logger } from '../log/logger.js';
import type { NamingConfig } from '../naming/naming-config.js';
import type { Sink } from './sink.js';
import { StdoutSink } from './stdout.js';
import { StreamCommandSink } from './stream-command.js';

export const SINK_SPECS = ['stdout', 'stream:COMMAND'];

/** Throws with a readable reason for a spec it cannot build. */
export function createSink(spec: string, naming: () => NamingConfig, log: Logger): Sink {
  if (spec === 'stdout') return new StdoutSink(naming);
  if (spec.startsWith('stream:')) {
    const command = spec.slice('stream:'.length);
    if (command.trim() === '') throw new Error(`sink "${spec}": the stream sink needs a command after "stream:"`);
    return new StreamCommandSink(command, naming, log);
  }
  throw new Error(`unknown sink "${spec}" (supported: ${SINK_SPECS.join(', ')})`);
}
