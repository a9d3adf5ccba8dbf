// The package as `npm pack` ships it, for the install tests. The pack runs in a copy of the
// shipped files, not in the checkout: `npm pack` runs `prepare`, and a tsc rewriting dist/ under
// the other e2e tests running beside it could hand them half-written files. The copy has no src/,
// so its `prepare` builds nothing — as an installed package's must not.

import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './server.js';

export const PACKAGE = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  files: string[];
  dependencies: Record<string, string>;
};

/** Settings for an npm run by a test: a warm cache serves the dependencies, no network chatter. */
export const NPM_ENV = {
  npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false',
};

export async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await promisify(execFile)('npm', args, { cwd, timeout: 120_000, env: { ...process.env, ...NPM_ENV } });
  return stdout;
}

/** Packs the shipped files into `dir`; returns the tarball's path (`dir/statsite-ts-VERSION.tgz`). */
export async function packTarball(dir: string): Promise<string> {
  const source = join(dir, 'package');
  mkdirSync(source);
  for (const part of [...PACKAGE.files, 'package.json', 'README.md']) {
    cpSync(join(REPO_ROOT, part), join(source, part), { recursive: true });
  }
  await npm(['pack', '--pack-destination', dir], source);
  return join(dir, `${PACKAGE.name}-${PACKAGE.version}.tgz`);
}
