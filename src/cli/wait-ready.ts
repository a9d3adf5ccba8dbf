// `statsite-ts wait-ready`: returns once the server of this config answers — its admin /health
// when configured, else its TCP listener, else its pid file — so systemd's ExecStartPost can
// mark the unit ready without a native sd_notify binding.

import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminUrl } from '../util/address.js';
import type { ServerConfig } from '../config/server-config.js';

const POLL_MS = 100;

function tcpAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: host === '::' || host === '0.0.0.0' ? 'localhost' : host, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function healthAnswers(address: string): Promise<boolean> {
  try {
    const res = await fetch(`${adminUrl(address)}/health`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** What readiness means for this config, as a probe; null when nothing can be probed. */
function probeFor(config: ServerConfig): (() => Promise<boolean>) | null {
  if (config.adminHttp !== null) return () => healthAnswers(config.adminHttp!);
  if (config.tcpPort > 0) return () => tcpAnswers(config.bindAddress, config.tcpPort);
  if (config.pidFile !== null) return async () => existsSync(config.pidFile!);
  return null;
}

/** Returns once process `pid` has exited (at once for no pid), at most after `timeoutMs`. */
export async function processGone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Number.isInteger(pid) && pid > 0 && Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(POLL_MS);
  }
}

export async function waitReady(config: ServerConfig, timeoutMs: number): Promise<boolean> {
  const probe = probeFor(config);
  if (probe === null) return true;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await sleep(POLL_MS);
  }
  return false;
}
