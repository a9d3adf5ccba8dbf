// Steady client traffic in the background, for tests that look at rates and flush history:
// one datagram every `everyMs`, at most `maxDatagrams` of them (bounded in count, and so in
// time), until stop() — which resolves once the last send is done.

import { sendUdp } from './clients.js';
import { sleep } from './wait.js';

export interface Traffic {
  /** Datagrams sent so far. */
  readonly sent: number;
  stop(): Promise<void>;
}

export function startTraffic(port: number, payload: string, opts: { everyMs?: number; maxDatagrams?: number } = {}): Traffic {
  const everyMs = opts.everyMs ?? 50;
  const max = opts.maxDatagrams ?? 2000;
  let stopped = false;
  let sent = 0;
  const loop = (async () => {
    while (!stopped && sent < max) {
      await sendUdp(port, payload);
      sent++;
      await sleep(everyMs);
    }
  })();
  return {
    get sent() {
      return sent;
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
