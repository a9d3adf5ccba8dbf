// CPU pinning: on a machine with two or more CPUs, the server under test gets CPU 1 and the load
// generator (and this script) CPU 0, so they never compete. Without `taskset` nothing is pinned.

import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

function hasTaskset() {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Prefixes for spawning the server and the generator; pins this process to CPU 0 as well. */
export function pins() {
  if (availableParallelism() < 2 || !hasTaskset()) {
    return { serverPin: [], generatorPin: [], pinned: false };
  }
  try {
    execFileSync('taskset', ['-pc', '0', String(process.pid)], { stdio: 'ignore' });
  } catch {
    // not fatal: only the children are pinned then
  }
  return { serverPin: ['taskset', '-c', '1'], generatorPin: ['taskset', '-c', '0'], pinned: true };
}

/**
 * The prefix for a server meant to use every CPU, when `serverPin` pins (pins() was called): a
 * child inherits this process's pin to CPU 0, and ingest workers spawned without one all ran there,
 * beside the generator.
 */
export function everyCpu(serverPin) {
  return serverPin.length === 0 ? [] : ['taskset', '-c', `0-${availableParallelism() - 1}`];
}

function pinSelf(cpus) {
  try {
    execFileSync('taskset', ['-pc', cpus, String(process.pid)], { stdio: 'ignore' });
  } catch {
    // not fatal: the reader stays where it was
  }
}

/**
 * Runs `fn` with this process (its main thread, where it reads the servers' output) on every CPU,
 * then back on CPU 0, when `serverPin` pins. Children spawned meanwhile inherit every CPU: the
 * generator and single-process servers carry their own pins, ingest workers are meant to.
 */
export async function withReaderOnEveryCpu(serverPin, fn) {
  if (serverPin.length === 0) return fn();
  pinSelf(`0-${availableParallelism() - 1}`);
  try {
    return await fn();
  } finally {
    pinSelf('0');
  }
}
