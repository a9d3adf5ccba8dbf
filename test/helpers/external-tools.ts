// Programs tests run against that a machine may lack (most are Debian packages that
// scripts/install-test-deps.sh installs). A test that needs a missing one is skipped, never
// silently: a loud warning names what is missing and how to install it.
//
//   testDeps(...packages): string                the install hint for install-test-deps.sh's packages
//   installed(tool): boolean                     are all of the tool's files there?
//   describeIfInstalled([tool, …], name, fn)     describe(), or describe.skip() with the warning
//   warnSkipped(what, tool)                      the warning alone, for a step inside a test

import { existsSync } from 'node:fs';
import { describe } from 'vitest';

export interface ExternalTool {
  /** Says what is missing, e.g. 'real Graphite'. */
  name: string;
  /** Files that must all exist. */
  files: readonly string[];
  /** How to get it, for the warning: see testDeps(). */
  install: string;
}

/** The install hint of a program that scripts/install-test-deps.sh installs. */
export function testDeps(...packages: string[]): string {
  return `run scripts/install-test-deps.sh as root (apt-get install ${packages.join(' ')})`;
}

export function installed(tool: ExternalTool): boolean {
  return tool.files.every((f) => existsSync(f));
}

/** Prints the skip warning: `skipped` says what is not tested, `tool` what is missing and how to get it. */
export function warnSkipped(skipped: string, tool: ExternalTool): void {
  console.warn(
    `\n!!!!!!!! SKIPPING ${skipped}: ${tool.name} is not installed (${tool.files.join(', ')}).\n` +
      `!!!!!!!! To run it: ${tool.install}.\n`,
  );
}

/** describe() when every tool is installed; otherwise a loud warning per missing tool and describe.skip(). */
export function describeIfInstalled(tools: readonly ExternalTool[], name: string, fn: () => void): void {
  const missing = tools.filter((t) => !installed(t));
  if (missing.length === 0) {
    describe(name, fn);
    return;
  }
  for (const tool of missing) warnSkipped(`"${name}"`, tool);
  describe.skip(name, fn);
}
