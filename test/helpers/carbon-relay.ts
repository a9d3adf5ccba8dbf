// A real carbon-c-relay for e2e tests: the Debian package's binary (scripts/install-test-deps.sh
// installs it), run as a child process listening for Graphite plaintext on a free 127.0.0.1 port,
// with its config in a fresh temp dir.
//
//   CARBON_C_RELAY: ExternalTool              for describeIfInstalled([CARBON_C_RELAY], …) (external-tools.ts)
//   startCarbonRelay(clusters): Promise<CarbonRelay>
//     clusters: [{ name, type: 'carbon_ch', members: ['127.0.0.1:2003=a', …], match: '^prefix\\.' }]
//     each cluster gets the lines whose name matches its regex (then stop); nothing else is routed,
//     so the relay's own statistics (carbon.relays.*) never reach the destinations.
//
//   CarbonRelay {
//     port; config                           // the line port; the config text, for failure messages
//     send(lines): Promise<void>              // plaintext lines over one TCP connection
//     output(); stop()                        // its log tail; SIGTERM by pid, removes its dir
//   }

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestChild } from './child-process.js';
import { canConnect, sendTcp } from './clients.js';
import { installed, testDeps, type ExternalTool } from './external-tools.js';
import { freePort } from './ports.js';

const BINARY = '/usr/bin/carbon-c-relay';
const HOST = '127.0.0.1';

export const CARBON_C_RELAY: ExternalTool = { name: 'carbon-c-relay', files: [BINARY], install: testDeps('carbon-c-relay') };

export interface RelayCluster {
  name: string;
  type: 'carbon_ch' | 'fnv1a_ch' | 'forward';
  /** `HOST:PORT[=INSTANCE]`, as carbon-c-relay's config writes them. */
  members: string[];
  /** The regex of metric names this cluster gets. */
  match: string;
}

export interface CarbonRelay {
  readonly port: number;
  readonly config: string;
  send(lines: string[]): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

export async function startCarbonRelay(clusters: RelayCluster[]): Promise<CarbonRelay> {
  if (!installed(CARBON_C_RELAY)) throw new Error('carbon-c-relay is not installed: run scripts/install-test-deps.sh');
  const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-carbon-relay-'));
  const port = await freePort();
  // A listen directive replaces the default (every interface, port 2003).
  const config = [
    `listen type linemode ${HOST}:${port} proto tcp ;`,
    ...clusters.map((c) => `cluster ${c.name} ${c.type} ${c.members.join(' ')} ;`),
    ...clusters.map((c) => `match ${c.match} send to ${c.name} stop ;`),
    '',
  ].join('\n');
  writeFileSync(join(dir, 'relay.conf'), config);

  // -w 1: one worker is plenty for a test and keeps the lines of one connection in order.
  const child = new TestChild('carbon-c-relay', BINARY, ['-f', join(dir, 'relay.conf'), '-w', '1']);
  const output = () => `${child.output()}\n--- relay.conf:\n${config}`;
  const stop = async () => {
    await child.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await child.waitReady(() => canConnect(port), `carbon-c-relay on ${HOST}:${port}`);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- relay.conf:\n${config}`);
  }
  return { port, config, send: (lines) => sendTcp(port, lines.map((l) => `${l}\n`).join('')), output, stop };
}
