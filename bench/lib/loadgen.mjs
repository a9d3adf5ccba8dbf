// Builds bench/loadgen.c with the system C compiler into a temp dir and runs it.

import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, stopProcess, track } from './servers.mjs';

/** Compiles bench/NAME.c; returns its path, or null (with the reason) when there is no `cc`. */
function buildC(tmpDir, name) {
  const out = join(tmpDir, name);
  try {
    execFileSync('cc', ['-O2', '-Wall', '-o', out, join(ROOT, `bench/${name}.c`)], { stdio: 'pipe' });
    return { path: out, error: null };
  } catch (err) {
    const reason = err.code === 'ENOENT' ? 'no C compiler (`cc`) on PATH' : String(err.stderr ?? err.message).trim();
    return { path: null, error: reason };
  }
}

export const buildLoadgen = (tmpDir) => buildC(tmpDir, 'loadgen');
/** The C snprintf reference for the render bench (bench/render-reference.c). */
export const buildRenderReference = (tmpDir) => buildC(tmpDir, 'render-reference');

function run(binary, args, pin, timeoutMs) {
  return new Promise((resolve, reject) => {
    const [cmd, ...rest] = [...pin, binary, ...args];
    const child = track(spawn(cmd, rest, { stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise((r) => child.once('exit', (code) => r(code)));
    // A generator that overruns its time is stopped by pid; the trial then fails loudly.
    const timer = setTimeout(() => stopProcess(child, exited, 2000), timeoutMs);
    exited.then((code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`loadgen ${args.join(' ')} failed (${code}): ${stderr.trim()}`));
      try {
        resolve(JSON.parse(stdout));
      } catch {
        reject(new Error(`loadgen printed no report: ${stdout} ${stderr}`));
      }
    });
  });
}

/** UDP: `count` lines at `rate` lines/s, `perDgram` a datagram, over `keys` keys named PREFIX<n>. */
export function sendUdp(binary, pin, { port, count, rate, perDgram, keys, type, prefix = 'k' }) {
  const expectedS = rate > 0 ? count / rate : 10;
  const args = ['udp', port, count, Math.round(rate), perDgram, keys, type, prefix].map(String);
  return run(binary, args, pin, 10_000 + expectedS * 3000);
}

/** TCP: `count` lines over one connection, as fast as the server reads them. */
export function sendTcp(binary, pin, { port, count, keys, type, prefix = 'k' }) {
  return run(binary, ['tcp', port, count, keys, type, prefix].map(String), pin, 60_000);
}
