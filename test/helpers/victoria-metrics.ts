// A real VictoriaMetrics (single node) for e2e tests: the Debian package's binary
// (scripts/install-test-deps.sh installs it), run as a child process on free 127.0.0.1 ports with
// its storage in a fresh temp dir. It takes Prometheus remote write on /api/v1/write and Graphite
// plaintext on `graphitePort`, and answers PromQL/MetricsQL on /api/v1/query and Graphite's
// metrics-find API on /metrics/find (the Debian build, 1.79, does not serve Graphite's /render).
//
//   VICTORIA_METRICS: ExternalTool            for describeIfInstalled([VICTORIA_METRICS], …) (external-tools.ts)
//   startVictoriaMetrics(): Promise<VictoriaMetrics>
//
//   VictoriaMetrics {
//     url: 'http://127.0.0.1:PORT'; graphitePort; dir     // temp dir, removed by stop()
//     query(expr): Promise<InstantSample[]>              // /api/v1/query, instant vector
//     find(query): Promise<FindNode[]>                   // Graphite /metrics/find
//     waitFor(fn, timeoutMs = 30_000): Promise<T>        // poll until fn returns a truthy value
//     output(); stop()                                   // log tail; SIGTERM by pid, removes dir
//   }
//
// -search.latencyOffset=0s: by default the newest 30 s are hidden from queries, so a test would
// wait half a minute for each point. -search.disableCache: answers must follow new data. Even so,
// a new series can take ~10 s to show in /api/v1/query (VictoriaMetrics refreshes its index of the
// current hour's series every 10 s), hence the longer default wait.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answersOk, TestChild } from './child-process.js';
import { installed, testDeps, type ExternalTool } from './external-tools.js';
import { freePort } from './ports.js';
import { instantQuery, type InstantSample } from './prometheus.js';
import { waitFor as poll } from './wait.js';

const BINARY = '/usr/bin/victoria-metrics';
const HOST = '127.0.0.1';

export const VICTORIA_METRICS: ExternalTool = { name: 'VictoriaMetrics', files: [BINARY], install: testDeps('victoria-metrics') };

export interface FindNode {
  id: string;
  text: string;
  leaf: 0 | 1;
}

export interface VictoriaMetrics {
  readonly url: string;
  readonly graphitePort: number;
  readonly dir: string;
  query(expr: string): Promise<InstantSample[]>;
  find(query: string): Promise<FindNode[]>;
  waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
  output(): string;
  stop(): Promise<void>;
}

export async function startVictoriaMetrics(): Promise<VictoriaMetrics> {
  if (!installed(VICTORIA_METRICS)) throw new Error('VictoriaMetrics is not installed: run scripts/install-test-deps.sh');
  const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-victoria-metrics-'));
  const httpPort = await freePort();
  let graphitePort = await freePort();
  while (graphitePort === httpPort) graphitePort = await freePort();
  const url = `http://${HOST}:${httpPort}`;

  const child = new TestChild('victoria-metrics', BINARY, [
    `-storageDataPath=${join(dir, 'data')}`,
    `-httpListenAddr=${HOST}:${httpPort}`,
    `-graphiteListenAddr=${HOST}:${graphitePort}`,
    '-search.latencyOffset=0s',
    '-search.disableCache',
    '-loggerLevel=WARN',
  ]);
  const output = () => child.output();
  const stop = async () => {
    await child.stop();
    if (process.env.KEEP_VICTORIA_METRICS_DIR) console.warn(`KEEP_VICTORIA_METRICS_DIR: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
  try {
    await child.waitReady(() => answersOk(`${url}/health`), `victoria-metrics on ${url}`);
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    url,
    graphitePort,
    dir,
    output,
    stop,
    query: (expr) => instantQuery(url, expr),
    async find(query) {
      const res = await fetch(`${url}/metrics/find?${new URLSearchParams({ query })}`, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`/metrics/find ${query}: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as FindNode[];
    },
    waitFor(fn, timeoutMs = 30_000) {
      return poll(fn, { timeoutMs, intervalMs: 250, what: 'a VictoriaMetrics answer', detail: output });
    },
  };
}
