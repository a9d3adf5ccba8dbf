// A TCP receiver on loopback that keeps everything it is sent, in arrival order: a carbon
// stand-in for the Graphite sink and its senders. It can be stopped (connections cut) and started
// again on the same port, as carbon restarting, or paused (reading nothing), as a carbon too busy
// to keep up.

import { createServer, type Server, type Socket } from 'node:net';

export class TcpReceiver {
  /** Everything received, as UTF-8 text (each connection decoded on its own). */
  received = '';
  /** Connections accepted, all starts together. */
  accepted = 0;
  port = 0;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private paused = false;

  /** Listens on 127.0.0.1:`port` (0: a free port, kept for later starts). */
  async start(port = this.port): Promise<void> {
    const server = createServer((s) => {
      this.accepted++;
      this.sockets.add(s);
      s.setEncoding('utf8');
      s.on('data', (text: string) => (this.received += text));
      s.on('error', () => undefined); // a reset from a sender under test is its business, not ours
      s.on('close', () => this.sockets.delete(s));
      if (this.paused) s.pause();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
  }

  /** Connections still open: 0 once every sender has closed its side (or stop() cut them). */
  get open(): number {
    return this.sockets.size;
  }

  /** The received lines with this prefix, in order. */
  linesStartingWith(prefix: string): string[] {
    return this.received.split('\n').filter((l) => l.startsWith(prefix));
  }

  /** Reads nothing more (connections stay open) until resume(): the kernel's buffers fill, then the sender's writes wait. */
  pause(): void {
    this.paused = true;
    for (const s of this.sockets) s.pause();
  }

  resume(): void {
    this.paused = false;
    for (const s of this.sockets) s.resume();
  }

  /** Stops listening and cuts every connection, as a crashed carbon would. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
