// The server's admin endpoints (`--admin`) as the e2e tests read them: /health, /ready, /stats.
// /stats is also how a test waits for the server to have done something it prints nothing about:
// read a datagram (`lines.udp`), or flushed an interval (`flushes`).

import { waitFor, type WaitOptions } from './wait.js';

export interface Listener {
  name: string;
  address: string;
}

export interface SinkStatus {
  name: string;
  destination: string;
  lastSuccessAt: string | null;
  lastError: string | null;
  skippedFlushes: number;
}

/** /health, and /ready with `sinks`. */
export interface Health {
  ok: boolean;
  problems: string[];
  listeners: Listener[];
  lastFlushAt: string | null;
  /** /health: the sinks that cannot deliver (they fail /ready, not /health). */
  degraded?: string[];
  /** null before the first SIGHUP; a refused one has file, key (null when none) and reason. */
  lastReload?: { at: string; ok: boolean; error: string | null; file?: string | null; key?: string | null; reason?: string } | null;
  sinks?: SinkStatus[];
}

export type Stats = Record<string, number>;

export interface JsonAnswer<T> {
  status: number;
  body: T;
}

export async function getJson<T>(url: string): Promise<JsonAnswer<T>> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as T };
}

/** GET /health (or /ready) of the admin port. */
export function health(admin: number, path: '/health' | '/ready' = '/health'): Promise<JsonAnswer<Health>> {
  return getJson<Health>(`http://127.0.0.1:${admin}${path}`);
}

/** GET /stats of the admin port. */
export async function stats(admin: number): Promise<Stats> {
  return (await getJson<Stats>(`http://127.0.0.1:${admin}/stats`)).body;
}

/** Waits until /stats says `check`. */
export function waitForStats(admin: number, check: (s: Stats) => boolean, opts: WaitOptions = {}): Promise<Stats> {
  return waitFor(async () => {
    const s = await stats(admin);
    return check(s) && s;
  }, opts);
}

/**
 * Waits until the server has started `count` more flushes than it had when called (`flushes`
 * counts a flush when its bucket is swapped out, before the sinks have it). For "nothing more
 * happens" checks: with count 2, a whole interval has gone out since the call, without guessing
 * how long a flush takes.
 */
export async function waitForMoreFlushes(admin: number, count: number, opts: WaitOptions = {}): Promise<void> {
  const start = (await stats(admin)).flushes;
  await waitForStats(admin, (s) => s.flushes >= start + count, { what: `${count} more flushes`, ...opts });
}

/**
 * Calls `send`, which sends `lines` well-formed lines over UDP, then waits until the server has
 * counted them (they are in its bucket) and flushed that bucket: lines sent in successive calls
 * land in successive flushes, whatever the interval and however slow the machine.
 */
export async function sendThenFlush(admin: number, lines: number, send: () => unknown): Promise<void> {
  const before = (await stats(admin))['lines.udp'];
  await send();
  await waitForStats(admin, (s) => s['lines.udp'] >= before + lines, { what: `${lines} more lines read` });
  await waitForMoreFlushes(admin, 1);
}
