// etsy statsd's management interface on its own TCP port, for the scripts that use it:
//   health            "health: up" (or "down")        health up|down   set it (e.g. to drain a node)
//   stats             "name: value" lines              counters | timers | gauges   current bucket as JSON
//   help              the commands                    quit              close the connection
// Replies end with "END\n\n" as etsy's do (health replies are a single line).

import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../log/logger.js';
import { serverErrorLog } from '../log/rate-limited.js';
import { closeServer, listen } from '../util/listen.js';

export interface ManagementSource {
  stats(): Record<string, number>;
  counters(): Record<string, number>;
  timers(): Record<string, unknown>;
  gauges(): Record<string, number>;
}

export interface Management {
  readonly port: number;
  /** Whether a client declared this node down (`health down`); /health reports it too. */
  readonly down: boolean;
  close(): Promise<void>;
}

const HELP = 'Commands: stats, counters, timers, gauges, health, health up, health down, quit\n\n';
const MAX_COMMAND_BYTES = 1024;

export async function listenManagement(host: string, port: number, source: ManagementSource, log: Logger): Promise<Management> {
  let down = false;
  const sockets = new Set<Socket>();
  const answer = (command: string): string | null => {
    const [verb, arg] = command.trim().split(/\s+/);
    switch (verb) {
      case 'help':
        return HELP;
      case 'health':
        if (arg === 'up' || arg === 'down') down = arg === 'down';
        return `health: ${down ? 'down' : 'up'}\n`;
      case 'stats':
        return Object.entries(source.stats()).map(([k, v]) => `${k}: ${v}\n`).join('') + 'END\n\n';
      case 'counters':
        return JSON.stringify(source.counters(), null, 2) + '\nEND\n\n';
      case 'timers':
        return JSON.stringify(source.timers(), null, 2) + '\nEND\n\n';
      case 'gauges':
        return JSON.stringify(source.gauges(), null, 2) + '\nEND\n\n';
      case 'quit':
        return null;
      case '':
      case undefined:
        return '';
      default:
        return 'ERROR\n';
    }
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = '';
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      if (pending.length > MAX_COMMAND_BYTES && !pending.includes('\n')) {
        socket.end('ERROR\n');
        return;
      }
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const reply = answer(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
        if (reply === null) {
          socket.end();
          return;
        }
        socket.write(reply);
      }
    });
  });
  const boundPort = await listen(server, port, host, serverErrorLog(log, 'management port'));
  return {
    port: boundPort,
    get down() {
      return down;
    },
    close: () => closeServer(server, sockets),
  };
}
