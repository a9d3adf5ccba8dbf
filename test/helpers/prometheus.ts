// A real Prometheus for e2e tests: the Debian package's binary (scripts/install-test-deps.sh
// installs it), run as a child process on a free 127.0.0.1 port, with its config and TSDB in a
// fresh temp dir, scraping the given targets every second; with `remoteWriteReceiver` it also
// takes remote write on /api/v1/write (--web.enable-remote-write-receiver).
//
//   PROMETHEUS, PROMTOOL: ExternalTool          for describeIfInstalled / warnSkipped (external-tools.ts)
//   PROMTOOL_BINARY                             its path
//   startPrometheus({ targets?: ['127.0.0.1:PORT', …], metricsPath?, remoteWriteReceiver?, port? }): Promise<Prometheus>
//
//   Prometheus {
//     url: 'http://127.0.0.1:PORT'; dir                     // temp dir, removed by stop()
//     query(expr, time?): Promise<InstantSample[]>          // /api/v1/query, instant vector
//     samples(selector, range = '1m'): Promise<RangeSeries[]>   // raw samples of a range selector
//     waitFor(fn, timeoutMs = 20_000): Promise<T>           // poll until fn returns a truthy value
//     output(): string                                      // its log tail, for failure messages
//     stop(): Promise<void>                                 // SIGTERM by pid (SIGKILL after 8 s); removes dir
//   }                                                        // (kept when KEEP_PROMETHEUS_DIR is set)
//
// Prometheus discovers static targets a few seconds after start, so the first scrape can take ~5 s.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answersOk, TestChild } from './child-process.js';
import { installed, testDeps, type ExternalTool } from './external-tools.js';
import { freePort } from './ports.js';
import { waitFor as poll } from './wait.js';

const BINARY = '/usr/bin/prometheus';
/** Prometheus's own exposition parser and linter; the Debian package ships it with Prometheus. */
export const PROMTOOL_BINARY = '/usr/bin/promtool';
const HOST = '127.0.0.1';

export const PROMETHEUS: ExternalTool = { name: 'real Prometheus', files: [BINARY], install: testDeps('prometheus') };
export const PROMTOOL: ExternalTool = { name: 'promtool', files: [PROMTOOL_BINARY], install: testDeps('prometheus') };

export interface InstantSample {
  metric: Record<string, string>;
  value: number;
  time: number;
}

export interface RangeSeries {
  metric: Record<string, string>;
  /** [unix seconds, value] */
  values: Array<[number, number]>;
}

export interface Prometheus {
  readonly url: string;
  readonly dir: string;
  query(expr: string, time?: number): Promise<InstantSample[]>;
  samples(selector: string, range?: string): Promise<RangeSeries[]>;
  waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
  output(): string;
  stop(): Promise<void>;
}

export interface StartPrometheusOptions {
  /** HOST:PORT of each endpoint to scrape (one job, `statsite`); none by default. */
  targets?: string[];
  metricsPath?: string;
  /** Accept remote write on `${url}/api/v1/write`. */
  remoteWriteReceiver?: boolean;
  /** Listen on this loopback port (default: a free one), e.g. where a sink already sends. */
  port?: number;
}

interface ApiAnswer<T> {
  status: string;
  error?: string;
  data: T;
}

/** GET /api/v1/query of a Prometheus-compatible server (Prometheus, VictoriaMetrics). */
async function queryApi<T>(baseUrl: string, params: Record<string, string>): Promise<T> {
  const res = await fetch(`${baseUrl}/api/v1/query?${new URLSearchParams(params)}`, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as ApiAnswer<T>;
  if (body.status !== 'success') throw new Error(`${baseUrl}/api/v1/query ${JSON.stringify(params)}: ${body.error ?? res.status}`);
  return body.data;
}

/** An instant query's vector, values as numbers. */
export async function instantQuery(baseUrl: string, expr: string, time?: number): Promise<InstantSample[]> {
  const data = await queryApi<{ resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(
    baseUrl,
    time === undefined ? { query: expr } : { query: expr, time: String(time) },
  );
  if (data.resultType !== 'vector') throw new Error(`expected an instant vector from ${expr}, got ${data.resultType}`);
  return data.result.map((r) => ({ metric: r.metric, time: r.value[0], value: Number(r.value[1]) }));
}

export async function startPrometheus(opts: StartPrometheusOptions): Promise<Prometheus> {
  if (!installed(PROMETHEUS)) throw new Error('Prometheus is not installed: run scripts/install-test-deps.sh');
  const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-prometheus-'));
  const port = opts.port ?? (await freePort());
  const url = `http://${HOST}:${port}`;
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: statsite',
      `    metrics_path: ${JSON.stringify(opts.metricsPath ?? '/metrics')}`,
      '    static_configs:',
      `      - targets: ${JSON.stringify(opts.targets ?? [])}`,
      '',
    ].join('\n'),
  );

  const child = new TestChild('prometheus', BINARY, [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=${HOST}:${port}`,
    '--log.level=warn',
    ...(opts.remoteWriteReceiver === true ? ['--web.enable-remote-write-receiver'] : []),
  ]);
  const output = () => child.output();
  const stop = async () => {
    await child.stop();
    if (process.env.KEEP_PROMETHEUS_DIR) console.warn(`KEEP_PROMETHEUS_DIR: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };

  try {
    await child.waitReady(() => answersOk(`${url}/-/ready`), `prometheus on ${url}`);
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    url,
    dir,
    output,
    stop,
    query: (expr, time) => instantQuery(url, expr, time),
    async samples(selector, range = '1m') {
      const data = await queryApi<{ result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }>(
        url,
        { query: `${selector}[${range}]` },
      );
      return data.result.map((r) => ({ metric: r.metric, values: r.values.map(([t, v]) => [t, Number(v)] as [number, number]) }));
    },
    waitFor(fn, timeoutMs = 20_000) {
      return poll(fn, { timeoutMs, intervalMs: 250, what: 'a Prometheus answer', detail: output });
    },
  };
}
