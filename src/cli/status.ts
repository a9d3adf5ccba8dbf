// `statsite-ts status [--config FILE | --admin ADDR:PORT] [--watch]`: the status page's facts in
// a terminal, one screen, read from the server's /status.json. For scripts and monitoring checks
// the exit code says it all: 0 ready, 1 the server answers but is not ready (/ready fails: a sink
// is down) or a sink is degraded (dropping or falling behind), 2 it cannot be reached or there is
// no admin address to ask. Colours only on a terminal.

import { setTimeout as sleep } from 'node:timers/promises';
import type { SinkReport } from '../admin/sink-states.js';
import type { StatusReport } from '../admin/status-report.js';
import { adminUrl } from '../util/address.js';

export const EXIT_READY = 0;
export const EXIT_NOT_READY = 1;
export const EXIT_UNREACHABLE = 2;

const WATCH_MS = 2000;
const REQUEST_TIMEOUT_MS = 5000;
/** Points of history a terminal sparkline shows. */
const SPARK_POINTS = 30;
const SPARK = '▁▂▃▄▅▆▇█';

export interface StatusOutput {
  write(text: string): void;
  /** Whether it is a terminal: colours, and --watch redraws in place. */
  isTTY: boolean;
}

type Paint = (code: number, text: string) => string;

/** Text from clients (metric names, rejected lines, errors) with every control character shown escaped, so it cannot drive the terminal. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function num(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  if (Number.isInteger(n) || Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(Math.abs(n) >= 10 ? 1 : 2);
}

function clock(ms: number | null): string {
  return ms === null ? 'never' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + 'Z';
}

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}

function sparkline(values: readonly number[]): string {
  const shown = values.slice(-SPARK_POINTS);
  const max = Math.max(...shown, 0);
  if (max === 0) return SPARK[0].repeat(shown.length);
  return shown.map((v) => SPARK[Math.min(SPARK.length - 1, Math.floor((v / max) * (SPARK.length - 1)))]).join('');
}

/** A history column as per-second rates. */
function rates(report: StatusReport, column: keyof StatusReport['history']): number[] {
  const { seconds } = report.history;
  return report.history[column].map((v, i) => (seconds[i] > 0 ? v / seconds[i] : 0));
}

function stateColour(state: SinkReport['state']): number {
  return state === 'up' ? 32 : state === 'degraded' ? 33 : 31;
}

/** Ready, but a sink is losing data or falling behind. */
function isDegraded(report: StatusReport): boolean {
  return report.sinks.some((s) => s.state !== 'up');
}

/** What `status` exits with for a server that answered. */
export function exitCodeOf(report: StatusReport): number {
  return report.ready.ok && !isDegraded(report) ? EXIT_READY : EXIT_NOT_READY;
}

/** The report as one screen of text. */
export function renderStatus(report: StatusReport, paint: Paint): string {
  const out: string[] = [];
  const { server, ingest, series, flushes } = report;
  const head = !report.ready.ok ? paint(31, 'NOT READY') : isDegraded(report) ? paint(33, 'DEGRADED') : paint(32, 'READY');
  out.push(`${paint(1, `statsite-ts ${server.version}`)}  ${head}  up ${duration(server.uptimeSeconds)}  `
    + `config ${server.configFile === null ? 'none' : printable(server.configFile)}  `
    + `workers ${server.workers === 1 ? 'none' : server.workers}`);
  for (const problem of report.ready.problems) out.push(`  ${paint(31, '!')} ${printable(problem)}`);
  const listeners = server.listeners.map((l) => `${l.name} ${l.address || 'off'}${l.error === null ? '' : ` (${printable(l.error)})`}`);
  out.push(`listeners  ${listeners.join('  ')}  admin ${server.endpoints.admin ?? '–'}`);

  const last = (values: number[]) => (values.length === 0 ? null : values[values.length - 1]);
  const line = (label: string, values: number[], unit: string) => `${label} ${num(last(values))} ${unit}/s ${sparkline(values)}`;
  out.push(`ingest     ${line('udp', rates(report, 'udpLines'), 'lines')}  ${line('', rates(report, 'udpDatagrams'), 'datagrams').trim()}`);
  out.push(`           ${line('tcp', rates(report, 'tcpLines'), 'lines')}  ${line('stdin', rates(report, 'stdinLines'), 'lines')}`);
  const reasons = Object.entries(ingest.parseErrors.byReason).sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${num(n)}`);
  out.push(`           kernel UDP drops ${ingest.udpKernelDrops === null ? 'not known' : num(ingest.udpKernelDrops)}  `
    + `TCP ${num(ingest.tcp.open)} open, ${num(ingest.tcp.refused)} refused  `
    + `rejected ${num(ingest.parseErrors.total)}${reasons.length > 0 ? ` (${reasons.join(', ')})` : ''}`);
  for (const r of ingest.parseErrors.recent.slice(-3).reverse()) {
    out.push(`           ${paint(2, clock(r.at))} ${r.reason} ${paint(33, printable(r.line))}`);
  }

  const types = Object.entries(series.lastFlush).map(([t, n]) => `${t} ${num(n)}`).join('  ');
  const limit = series.maxSeries > 0 ? ` of max ${num(series.maxSeries)} (headroom ${num(series.headroom)})` : ', no max_series';
  out.push(`series     ${types}  = ${num(series.total)}${limit}`);
  const prefixes = (list: Array<[string, number]>) => list.slice(0, 5).map(([p, n]) => `${printable(p)} ${num(n)}`).join(', ');
  if (series.topPrefixes.length > 0) out.push(`           top: ${prefixes(series.topPrefixes)}`);
  if (series.topDroppedPrefixes.length > 0) {
    out.push(`           ${paint(31, 'dropped at the limit:')} ${prefixes(series.topDroppedPrefixes)}`);
  }

  const width = Math.max(4, ...report.sinks.map((s) => s.name.length));
  const columns = 'STATE     SINCE                 INTERVAL sent/dropped  QUEUED     SPOOL      LAST DELIVERED';
  out.push(`sinks      ${'NAME'.padEnd(width)}  ${columns}`);
  for (const s of report.sinks) {
    const c = s.counters;
    const queued = c === null ? '–' : num(c.bufferedLines);
    const spool = c?.spoolBytes === null || c === null ? '–' : `${num(c.spoolBytes / 1024 ** 2)} MiB`;
    const delivered = clock(c === null ? s.lastSuccessAt : c.lastDeliveredAt);
    const interval = `${num(s.lastInterval.sent)} / ${num(s.lastInterval.dropped)}`;
    out.push(`           ${s.name.padEnd(width)}  ${paint(stateColour(s.state), s.state.padEnd(8))}  ${clock(s.since)}  `
      + `${interval.padEnd(21)}  ${queued.padEnd(9)}  ${spool.padEnd(9)}  ${delivered}`);
    out.push(`           ${' '.repeat(width)}  ${paint(2, printable(s.destination))}`
      + `${s.reason === null ? '' : `  ${paint(stateColour(s.state), printable(s.reason))}`}`);
  }

  const lastReload = flushes.lastReload;
  const reload = lastReload === null ? 'none'
    : `${clock(lastReload.at)} ${lastReload.error === null ? 'applied' : paint(31, `refused: ${printable(lastReload.error)}`)}`;
  out.push(`flushes    ${num(flushes.count)} every ${server.flushIntervalSeconds} s, last ${clock(flushes.lastAt)}, `
    + `${num(flushes.lastDurationMs)} ms ${sparkline(report.history.flushMs)}  `
    + `late intervals ${num(flushes.lateIntervals)}  reload ${reload}`);
  return out.join('\n') + '\n';
}

async function fetchStatus(base: string): Promise<StatusReport> {
  const res = await fetch(`${base}/status.json`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`/status.json answered ${res.status}`);
  return (await res.json()) as StatusReport;
}

/**
 * Shows the status of the server whose admin endpoint listens on `address`; returns the exit
 * code. With `watch`, redraws every few seconds until the process is stopped.
 */
export async function showStatus(address: string, watch: boolean, out: StatusOutput, err: (text: string) => void): Promise<number> {
  const base = adminUrl(address);
  const colours = out.isTTY && process.env.NO_COLOR === undefined;
  const paint: Paint = colours ? (code, text) => `\x1b[${code}m${text}\x1b[0m` : (_, text) => text;
  for (;;) {
    let code: number;
    try {
      const report = await fetchStatus(base);
      const screen = renderStatus(report, paint);
      out.write(watch && out.isTTY ? `\x1b[H\x1b[2J${screen}` : screen);
      code = exitCodeOf(report);
    } catch (e) {
      const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : String(e);
      err(`statsite-ts: cannot reach the admin endpoint at ${base}: ${cause}\n`);
      code = EXIT_UNREACHABLE;
    }
    if (!watch) return code;
    if (!out.isTTY) out.write('\n');
    await sleep(WATCH_MS);
  }
}
