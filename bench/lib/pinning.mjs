// CPU pinning: on a machine with two or more CPUs, the server under test gets CPU 1 and the load
// generator (and this script) CPU 0, so they never compete. Without `taskset` nothing is pinned.

import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';

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

/** Every CPU of the machine: availableParallelism() counts only those this process may use (after pins(), one). */
const EVERY_CPU = `0-${cpus().length - 1}`;

/**
 * The prefix for a server meant to use every CPU, when `serverPin` pins (pins() was called): a
 * child inherits this process's pin to CPU 0, and ingest workers spawned without one all ran there,
 * beside the generator.
 */
export function everyCpu(serverPin) {
  return serverPin.length === 0 ? [] : ['taskset', '-c', EVERY_CPU];
}
