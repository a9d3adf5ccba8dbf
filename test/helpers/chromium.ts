// Debian's chromium, headless, as the status page tests drive it: load a URL, let its script run
// (virtual time: timers and fetches complete without waiting in real time), then read the DOM
// it rendered or a screenshot of it, and every console message (errors included) it logged.
//
//   CHROMIUM                         the ExternalTool, for describeIfInstalled
//   renderPage(url, opts): {dom, console}   the DOM after the page's script ran, and its console lines

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDeps, type ExternalTool } from './external-tools.js';

const BINARY = '/usr/bin/chromium';
export const CHROMIUM: ExternalTool = { name: 'chromium (headless)', files: [BINARY], install: testDeps('chromium') };

export interface RenderOptions {
  /** Virtual milliseconds the page's timers and fetches get before the DOM is read. */
  budgetMs?: number;
  /** Also write a screenshot here (PNG). */
  screenshot?: string;
}

export interface RenderedPage {
  dom: string;
  /** The page's console messages (console.* and uncaught errors), one per line. */
  console: string[];
}

function run(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(BINARY, args, { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`chromium failed: ${err.message}\n${stderr.slice(-2000)}`));
      else resolve({ stdout, stderr });
    });
  });
}

export async function renderPage(url: string, opts: RenderOptions = {}): Promise<RenderedPage> {
  const profile = mkdtempSync(join(tmpdir(), 'statsite-ts-chromium-'));
  const common = [
    '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions', `--user-data-dir=${profile}`,
    '--enable-logging=stderr', '--log-level=0', `--virtual-time-budget=${opts.budgetMs ?? 3000}`, '--window-size=1280,1800',
  ];
  try {
    const { stdout, stderr } = await run([...common, '--dump-dom', url]);
    if (opts.screenshot !== undefined) await run([...common, `--screenshot=${opts.screenshot}`, url]);
    return { dom: stdout, console: stderr.split('\n').filter((line) => line.includes(':CONSOLE')) };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
