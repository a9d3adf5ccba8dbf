// The UDP, TCP and stdin listeners of the running config. On a reload only a listener whose
// address changed is rebound, and the new socket is bound before the old one closes, so a
// failed move leaves the old listener serving (and health reporting the failure). Under socket
// activation UDP and TCP are the sockets systemd passed, kept as they are for the process's life.

import type { Limits, ServerConfig } from '../config/server-config.js';
import type { Logger } from '../log/logger.js';
import { RateLimitedLog } from '../log/rate-limited.js';
import { isAcceptError } from '../util/listen.js';
import type { Parsers } from '../protocol/parsers.js';
import type { IngestStats } from './ingest-stats.js';
import { readStdin } from './stdin.js';
import { listenTcp, type TcpListener } from './tcp.js';
import { listenUdp, type UdpListener } from './udp.js';

export interface ListenerStatus {
  name: 'udp' | 'tcp' | 'stdin';
  /** What the config asks for ('' when off). */
  wanted: string;
  /** Where it actually listens ('' when not listening). */
  address: string;
  error: string | null;
}

type Bound = UdpListener | TcpListener;

class Slot {
  listener: Bound | null = null;
  wanted = '';
  error: string | null = null;

  constructor(readonly name: 'udp' | 'tcp') {}

  status(): ListenerStatus {
    const address = this.listener ? `${this.listener.address}:${this.listener.port}` : '';
    return { name: this.name, wanted: this.wanted, address, error: this.error };
  }
}

function formatAddress(host: string, port: number): string {
  return `${host}:${port}`;
}

export class Listeners {
  private readonly udp = new Slot('udp');
  private readonly tcp = new Slot('tcp');
  private stdin: { close(): void } | null = null;
  private readonly acceptErrors: RateLimitedLog;
  private readonly binaryFaults: RateLimitedLog;
  /** UDP and TCP are sockets systemd passed (socket activation): a config does not move them. */
  private activated = false;

  constructor(
    private readonly parsers: Parsers,
    private readonly stats: IngestStats,
    private readonly log: Logger,
    /** Read when a connection opens, so a reload applies to new connections. */
    private readonly limits: () => Limits,
    /** This process is one of several ingest workers reading the same UDP socket. */
    private readonly sharedUdp = false,
  ) {
    this.acceptErrors = new RateLimitedLog(log, 'could not accept a TCP connection; it is lost, the listener goes on');
    // statsite closes such a connection too: a binary stream cannot be read on past a bad message.
    this.binaryFaults = new RateLimitedLog(log, 'closed a TCP connection at a malformed binary message; what it sent before was used');
  }

  private readonly onBinaryFault = (fields: Record<string, unknown>) => this.binaryFaults.hit(() => fields);

  /**
   * Takes the sockets systemd passed as the UDP and TCP listeners, telling them apart by type: at
   * most one of each. Throws when one cannot be used. `apply` leaves them alone from then on.
   */
  async adopt(fds: readonly number[], udpRcvbuf: number): Promise<void> {
    this.activated = true;
    for (const fd of fds) {
      const wanted = `systemd socket (fd ${fd})`;
      let udp: Bound | null = null;
      try {
        udp = await listenUdp({ fd }, udpRcvbuf, this.parsers, this.stats, this.onFailure(this.udp, wanted), this.sharedUdp);
      } catch (err) {
        const notDatagram = (err as NodeJS.ErrnoException).code === 'ERR_INVALID_FD_TYPE';
        if (!notDatagram) throw new Error(`cannot use the ${wanted}: ${(err as Error).message}`);
      }
      const slot = udp === null ? this.tcp : this.udp;
      if (slot.listener !== null) {
        await udp?.close();
        const why = 'statsite-ts takes one datagram and one stream socket';
        throw new Error(`systemd passed more than one ${slot.name} socket (fd ${fd}): ${why}`);
      }
      try {
        const onFailure = this.onFailure(this.tcp, wanted);
        slot.listener = udp ?? (await listenTcp({ fd }, this.parsers, this.stats, onFailure, this.limits, this.onBinaryFault));
      } catch (err) {
        throw new Error(`the ${wanted} is neither a UDP nor a listening TCP socket: ${(err as Error).message}`);
      }
      slot.wanted = wanted;
    }
  }

  /** Binds what `config` asks for. `strict` (start-up) throws on failure; a reload records it instead. */
  async apply(config: ServerConfig, strict: boolean): Promise<void> {
    const host = config.bindAddress;
    if (!this.activated) {
      await this.move(this.udp, config.udpPort > 0 ? formatAddress(host, config.udpPort) : '', strict, (onFailure) =>
        listenUdp({ host, port: config.udpPort }, config.udpRcvbuf, this.parsers, this.stats, onFailure, this.sharedUdp),
      );
      await this.move(this.tcp, config.tcpPort > 0 ? formatAddress(host, config.tcpPort) : '', strict, (onFailure) =>
        listenTcp({ host, port: config.tcpPort }, this.parsers, this.stats, onFailure, this.limits, this.onBinaryFault),
      );
    }
    if (config.parseStdin && this.stdin === null) {
      this.stdin = readStdin(this.parsers, this.stats, config.limits.maxLineBytes, (err) => {
        this.log.error({ err: err.message }, 'cannot read stdin any more; parse_stdin stops, the other listeners go on');
      });
    }
    if (!config.parseStdin && this.stdin !== null) {
      this.stdin.close();
      this.stdin = null;
    }
  }

  status(): ListenerStatus[] {
    const all = [this.udp.status(), this.tcp.status()];
    if (this.stdin !== null) all.push({ name: 'stdin', wanted: 'stdin', address: 'stdin', error: null });
    return all;
  }

  async close(): Promise<void> {
    this.stdin?.close();
    this.stdin = null;
    await Promise.all([this.udp.listener?.close(), this.tcp.listener?.close()]);
    this.udp.listener = this.tcp.listener = null;
  }

  /** What a listener's errors do once it is bound. */
  private onFailure(slot: Slot, wanted: string): (err: Error) => void {
    return (err) => {
      // Out of file descriptors for a moment: that connection is lost, the listener still serves.
      if (isAcceptError(err)) {
        this.stats.tcpAcceptErrors++;
        this.acceptErrors.hit(() => ({ listener: slot.name, address: wanted, err: err.message }));
        return;
      }
      slot.error = err.message;
      this.log.error({ listener: slot.name, address: wanted, err: err.message }, 'listener failed');
    };
  }

  private async move(
    slot: Slot,
    wanted: string,
    strict: boolean,
    bind: (onFailure: (err: Error) => void) => Promise<Bound>,
  ): Promise<void> {
    if (wanted === slot.wanted && slot.error === null) return;
    const old = slot.listener;
    slot.wanted = wanted;
    if (wanted === '') {
      slot.listener = null;
      slot.error = null;
      await old?.close();
      return;
    }
    const onFailure = this.onFailure(slot, wanted);
    // The old socket still holds the address when only the host changes form; release it first
    // when the port is the same, else bind the new one first so a failed move keeps the old.
    const samePort = old !== null && wanted.endsWith(`:${old.port}`);
    if (samePort) await old.close();
    try {
      slot.listener = await bind(onFailure);
      slot.error = null;
      if (!samePort) await old?.close();
    } catch (err) {
      const message = (err as Error).message;
      if (strict) throw new Error(`cannot listen on ${slot.name} ${wanted}: ${message}`);
      slot.error = message;
      slot.listener = samePort ? null : old;
      this.log.error({ listener: slot.name, address: wanted, err: message }, 'cannot move listener; the old one keeps serving');
    }
  }
}
