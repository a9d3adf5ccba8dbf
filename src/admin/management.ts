// etsy statsd's management interface on its own TCP port, for the scripts that use it:
//   health            "health: up" (or "down")        health up|down   set it (e.g. to drain a node)
//   stats             "name: value" lines              counters | timers | gauges   current bucket as JSON
//   help              the commands                    quit              close the connection
// Replies end with "END\n\n" as etsy's do (health replies are a single line).
//
// `health up|down` changes what /health says, so it is refused unless [admin] management_write is
// on. A reply can be a million series long: it is written a slice at a time with ingest going first,
// and only as fast as the client reads it. While a connection's replies wait, nothing more is read
// from it, and a client that sends more commands at once than MAX_QUEUED_COMMANDS is cut off.

import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../log/logger.js';
import { RateLimitedLog, serverErrorLog } from '../log/rate-limited.js';
import { IngestFirstPacer, SERIES_PER_SLICE } from '../util/ingest-first-pacer.js';
import { closeServer, listen } from '../util/listen.js';
import type { ManagementStats } from './management-stats.js';

export interface ManagementSource {
  stats(): Record<string, number>;
  counters(): Iterable<[string, number]>;
  timers(): Iterable<[string, unknown]>;
  gauges(): Iterable<[string, number]>;
}

export interface ManagementOptions {
  host: string;
  port: number;
  /** Whether commands that change state (`health up|down`) are taken. */
  write: boolean;
}

export interface Management {
  readonly port: number;
  /** Whether a client declared this node down (`health down`); /health reports it too. */
  readonly down: boolean;
  close(): Promise<void>;
}

const HELP = 'Commands: stats, counters, timers, gauges, health, health up, health down, quit\n\n';
const MAX_COMMAND_BYTES = 1024;
/** Commands one connection may have waiting for their replies; past it the connection is closed. */
const MAX_QUEUED_COMMANDS = 64;

/** `JSON.stringify(Object.fromEntries(entries), null, 2)`, a piece per series. */
function* prettyJson(entries: Iterable<[string, unknown]>): Generator<string> {
  let first = true;
  for (const [key, value] of entries) {
    yield `${first ? '{\n' : ',\n'}  ${JSON.stringify(key)}: ${JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')}`;
    first = false;
  }
  yield first ? '{}' : '\n}';
}

function* jsonReply(entries: Iterable<[string, unknown]>): Generator<string> {
  yield* prettyJson(entries);
  yield '\nEND\n\n';
}

export async function listenManagement(
  options: ManagementOptions,
  source: ManagementSource,
  stats: ManagementStats,
  log: Logger,
): Promise<Management> {
  let down = false;
  const sockets = new Set<Socket>();
  const refusals = new RateLimitedLog(log, 'management command refused');
  const refuse = (reason: string, reply: string): Iterable<string> => {
    stats.refused++;
    refusals.hit(() => ({ reason }));
    return [reply];
  };

  /** The reply to one command as pieces of text; null closes the connection. */
  const answer = (command: string): Iterable<string> | null => {
    const [verb, arg] = command.trim().split(/\s+/);
    switch (verb) {
      case 'help':
        return [HELP];
      case 'health':
        if (arg === 'up' || arg === 'down') {
          if (!options.write) return refuse('health up/down while management_write is off', 'ERROR: [admin] management_write is off\n');
          down = arg === 'down';
        }
        return [`health: ${down ? 'down' : 'up'}\n`];
      case 'stats':
        return [Object.entries(source.stats()).map(([k, v]) => `${k}: ${v}\n`).join('') + 'END\n\n'];
      case 'counters':
        return jsonReply(source.counters());
      case 'timers':
        return jsonReply(source.timers());
      case 'gauges':
        return jsonReply(source.gauges());
      case 'quit':
        return null;
      case '':
      case undefined:
        return [];
      default:
        return refuse(`unknown command ${JSON.stringify(verb.slice(0, 40))}`, 'ERROR\n');
    }
  };

  /** Writes a reply a slice at a time, waiting for the client to read it and for ingest to go first. */
  const write = async (socket: Socket, reply: Iterable<string>, pacer: IngestFirstPacer): Promise<void> => {
    let batch = '';
    let pieces = 0;
    for (const piece of reply) {
      batch += piece;
      if (++pieces % SERIES_PER_SLICE !== 0) continue;
      if (!socket.write(batch)) await Promise.race([once(socket, 'drain'), once(socket, 'close')]);
      batch = '';
      await pacer.pause();
      if (socket.destroyed) return;
    }
    if (batch !== '') socket.write(batch);
  };

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const pacer = new IngestFirstPacer();
    const queued: string[] = [];
    let pending = '';
    let writing = false;
    const run = async () => {
      writing = true;
      socket.pause(); // replies first: the client's next commands wait in the kernel
      while (queued.length > 0 && !socket.destroyed) {
        stats.commands++;
        const reply = answer(queued.shift()!);
        if (reply === null) {
          socket.end();
          return;
        }
        await write(socket, reply, pacer);
      }
      writing = false;
      socket.resume();
    };
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        queued.push(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
      if (pending.length > MAX_COMMAND_BYTES || queued.length > MAX_QUEUED_COMMANDS) {
        const why = pending.length > MAX_COMMAND_BYTES ? 'a command longer than 1 KB' : `more than ${MAX_QUEUED_COMMANDS} commands at once`;
        refuse(why, '');
        socket.end('ERROR\n');
        socket.pause();
        queued.length = 0;
        return;
      }
      if (!writing) void run();
    });
  });
  const boundPort = await listen(server, options, serverErrorLog(log, 'management port'));
  return {
    port: boundPort,
    get down() {
      return down;
    },
    close: () => closeServer(server, sockets),
  };
}
