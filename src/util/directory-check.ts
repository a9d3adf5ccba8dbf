// Whether a directory the server will write (a spool) exists or can be made, checked without
// making it: so that check-config and a reload refuse what start-up would fail on, and accept a
// directory that appears later (systemd's StateDirectory= is created at first start).

import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Why `path` cannot be used as a writable directory, or null when it can (or could be created). */
export function unusableDirectory(path: string): string | null {
  let at = resolve(path);
  for (;;) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(at).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return `${at}: ${code ?? String(err)}`;
      const parent = dirname(at);
      if (parent === at) return `${at} does not exist`;
      at = parent;
      continue;
    }
    if (!isDirectory) return at === resolve(path) ? `${at} is not a directory` : `${at} is not a directory, so ${path} cannot be created`;
    try {
      accessSync(at, constants.W_OK | constants.X_OK);
    } catch {
      return at === resolve(path) ? `${at} is not writable` : `${at} is not writable, so ${path} cannot be created`;
    }
    return null;
  }
}

/** A file-name-safe spelling: anything but letters, digits and `.-_:[]` as %xx, so no name reaches outside its folder. */
export function fileNamePart(text: string): string {
  return text.replace(/[^A-Za-z0-9._:[\]-]/gu, (c) => Array.from(Buffer.from(c), (b) => `%${b.toString(16).padStart(2, '0')}`).join(''));
}
