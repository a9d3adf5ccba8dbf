// The kernel caps every socket's receive buffer at net.core.rmem_max. The bench raises it to
// 32 MiB for its run (root only) so every server gets the buffer it asks for, and puts the old
// value back afterwards.

import { writeFileSync } from 'node:fs';
import { readSysctl } from './proc.mjs';

const RMEM = 32 * 1024 * 1024;

/** Raises net.core.rmem_max so servers get the 32 MiB they ask for; returns how to undo it. */
export function raiseRmemMax() {
  const before = readSysctl('net.core.rmem_max');
  if (before === null || before >= RMEM) return { before, after: before, restore: () => {} };
  try {
    writeFileSync('/proc/sys/net/core/rmem_max', String(RMEM));
  } catch {
    // not root, or a read-only /proc/sys: servers get what rmem_max allows, recorded below
  }
  const after = readSysctl('net.core.rmem_max');
  const restore = () => {
    if (after === before) return;
    try {
      writeFileSync('/proc/sys/net/core/rmem_max', String(before));
    } catch {
      // leave it; nothing depends on the smaller value
    }
  };
  return { before, after, restore };
}
