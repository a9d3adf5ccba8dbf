// Random 32-bit seeds for hash tables whose layout must not be predictable from outside (hash
// flooding: protocol/key-interner.ts). Read from the kernel's /dev/urandom, because importing
// node:crypto for four bytes cost every start-up ~2 ms (bench/README.md, start-up).

import { closeSync, openSync, readSync } from 'node:fs';

export function randomSeed(): number {
  const bytes = Buffer.alloc(4);
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      if (readSync(fd, bytes, 0, 4, null) === 4) return bytes.readInt32LE(0);
    } finally {
      closeSync(fd);
    }
  } catch {
    // no /dev/urandom (not Linux, a bare chroot): below
  }
  // V8 seeds Math.random from the operating system's entropy at start; its outputs are not exposed.
  return (Math.random() * 2 ** 32) | 0;
}
