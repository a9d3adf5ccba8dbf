// The README's install for a metrics host, run as written: `npm pack`, then `npm install --global
// --prefix PREFIX ./statsite-ts-VERSION.tgz` (production dependencies only, nothing compiled at
// install time), then the installed binary's --version, check-config on the shipped
// packaging/metrics-host.toml, and the units it writes.
//
// The tarball is packed from a copy of the shipped files (helpers/package.ts says why).

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { npm, PACKAGE as pkg, packTarball } from '../helpers/package.js';
import { REPO_ROOT, runCli } from '../helpers/server.js';
import { tempFiles } from '../helpers/temp-files.js';

const run = promisify(execFile);
const { dir } = tempFiles('statsite-ts-install-');

it('installs from the packed tarball into a prefix and runs from there', async () => {
  const tarball = await packTarball(dir);
  const listing = (await run('tar', ['-tzf', tarball])).stdout.split('\n');
  expect(listing).toContain('package/dist/cli/main.js');
  // What the executable runs, its code cache, its loader, and the ingest workers' entry (scripts/bundle.mjs).
  expect(listing).toContain('package/dist/bundle/main.cjs');
  expect(listing).toContain('package/dist/bundle/main.cjs.cache');
  expect(listing).toContain('package/dist/cli/bundle-loader.cjs');
  expect(listing).toContain('package/bin/package.json');
  expect(listing).toContain('package/dist/bundle/ingest-worker.js');
  expect(listing).toContain('package/packaging/metrics-host.toml');
  expect(listing.filter((f) => /^package\/(src|test)\//.test(f))).toEqual([]);

  const prefix = join(dir, 'opt', 'statsite-ts');
  // The README's command (a warm npm cache serves the dependencies: NPM_ENV).
  await npm(['install', '--global', '--prefix', prefix, tarball], dir);
  const installed = join(prefix, 'lib', 'node_modules', pkg.name);
  const bin = join(prefix, 'bin', 'statsite-ts');
  const has = (module: string) => existsSync(join(installed, 'node_modules', module));
  for (const dependency of Object.keys(pkg.dependencies)) expect(has(dependency), dependency).toBe(true);
  for (const devOnly of ['typescript', 'vitest', 'eslint']) expect(has(devOnly), devOnly).toBe(false);

  expect((await run(bin, ['--version'])).stdout.trim()).toBe(pkg.version);
  const config = join(installed, 'packaging', 'metrics-host.toml');
  expect(readFileSync(config, 'utf8')).toBe(readFileSync(join(REPO_ROOT, 'packaging', 'metrics-host.toml'), 'utf8'));
  // Its state and spool folders are under /var/lib, which check-config must be able to create.
  expect((await run(bin, ['check-config', config])).stdout).toBe(`${config}: ok\n`);

  const units = join(dir, 'units');
  mkdirSync(units);
  // The prefix is under the temporary folder, which the unit's PrivateTmp= would hide.
  await run(bin, ['unit', '--config', config, '--output', units, '--allow-home']).catch((err: unknown) => {
    throw new Error(`unit --output failed: ${String((err as { stderr?: string }).stderr ?? err)}`);
  });
  const service = readFileSync(join(units, 'statsite-ts.service'), 'utf8');
  expect(service).toContain(`\nExecStart=${process.execPath} ${installed}/bin/statsite-ts --config ${config}\n`);
  expect(readFileSync(join(units, 'statsite-ts.socket'), 'utf8')).toMatch(/\nListenDatagram=8125\nListenStream=8125\n/);
  expect(service).toContain(`\nDocumentation=file://${installed}/docs/operations.md\n`);
  expect(existsSync(join(installed, 'docs', 'operations.md'))).toBe(true);
}, 180_000);

it('the shipped metrics-host config is a Graphite host: aligned flushes, a state dir, a spool, admin on loopback', async () => {
  const r = await runCli(['check-config', join(REPO_ROOT, 'packaging', 'metrics-host.toml')]);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  const text = readFileSync(join(REPO_ROOT, 'packaging', 'metrics-host.toml'), 'utf8');
  for (const line of [
    'aligned_flush = true', 'state_dir = "/var/lib/statsite-ts"', 'type = "graphite"', 'spool_dir = "/var/lib/statsite-ts/spool"',
    'http = "127.0.0.1:8127"',
  ]) {
    expect(text).toContain(`\n${line}\n`);
  }
});
