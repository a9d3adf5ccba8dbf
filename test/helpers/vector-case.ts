// One statsite vector (test/vectors/<case>/): its config, the steps that
// replay the captured traffic, and the expected flushes. The format is
// described in test/vectors/README.md.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseToml } from 'smol-toml';
import { sendTcp, sendUdp } from './clients.js';
import type { KeyValue } from './compare-flushes.js';
import { collectTimerSamples, DEFAULT_QUANTILES, DEFAULT_TIMER_EPS } from './quantile-band.js';
import { sleep } from './wait.js';

export const VECTORS_DIR = fileURLToPath(new URL('../vectors/', import.meta.url));

export type Step = { proto: 'udp'; payload: string } | { proto: 'tcp'; chunks: string[] } | { sleep: number };

export interface VectorCase {
  name: string;
  dir: string;
  configPath: string;
  flushInterval: number;
  /** Seconds to wait after the last step before SIGTERM. */
  settle: number;
  steps: Step[];
  /** Expected lines per flush: index i holds the lines labelled `Fi`. */
  expected: KeyValue[][];
  quantiles: number[];
  timerEps: number;
  /** Every timer sample the steps send, per timer name (for quantile bands). */
  timerSamples: Map<string, number[]>;
}

/** Case folders (those holding a steps.json), sorted by name. */
export function listVectorCases(root = VECTORS_DIR): string[] {
  return readdirSync(root)
    .filter((name) => statSync(join(root, name)).isDirectory())
    .filter((name) => {
      try {
        return statSync(join(root, name, 'steps.json')).isFile();
      } catch {
        return false;
      }
    })
    .sort();
}

/** expected.out: `KEY|VALUE|Fn` lines → lines grouped by n. */
export function parseExpected(text: string): KeyValue[][] {
  const flushes: KeyValue[][] = [];
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    const m = /^(.*)\|([^|]*)\|F(\d+)$/.exec(raw);
    if (!m) throw new Error(`bad expected.out line: ${JSON.stringify(raw)}`);
    const index = Number(m[3]);
    for (let i = flushes.length; i <= index; i++) flushes.push([]);
    flushes[index]!.push({ key: m[1]!, value: m[2]! });
  }
  return flushes;
}

function numberList(value: unknown, fallback: number[], what: string): number[] {
  if (value === undefined) return fallback;
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return value as number[];
  throw new Error(`${what} must be a list of numbers`);
}

export function loadVectorCase(name: string, root = VECTORS_DIR): VectorCase {
  const dir = join(root, name);
  const configPath = join(dir, 'config.toml');
  const config = parseToml(readFileSync(configPath, 'utf8')) as { statsite?: Record<string, unknown> };
  const statsite = config.statsite ?? {};
  const stepsFile = JSON.parse(readFileSync(join(dir, 'steps.json'), 'utf8')) as {
    flush_interval: number;
    settle: number;
    steps: Step[];
  };
  const sent = stepsFile.steps.flatMap((s) => ('payload' in s ? [s.payload] : 'chunks' in s ? [s.chunks.join('')] : []));
  const timerEps = statsite.timer_eps ?? DEFAULT_TIMER_EPS;
  if (typeof timerEps !== 'number') throw new Error(`${configPath}: timer_eps must be a number`);
  return {
    name,
    dir,
    configPath,
    flushInterval: stepsFile.flush_interval,
    settle: stepsFile.settle,
    steps: stepsFile.steps,
    expected: parseExpected(readFileSync(join(dir, 'expected.out'), 'latin1')),
    quantiles: numberList(statsite.quantiles, DEFAULT_QUANTILES, `${configPath}: quantiles`),
    timerEps,
    timerSamples: collectTimerSamples(sent),
  };
}

/** Runs the steps in order against a server on 127.0.0.1:port. */
export async function replaySteps(port: number, steps: readonly Step[]): Promise<void> {
  for (const step of steps) {
    if ('sleep' in step) await sleep(step.sleep * 1000);
    else if (step.proto === 'udp') await sendUdp(port, step.payload);
    else if (step.proto === 'tcp') await sendTcp(port, step.chunks, { gapMs: 20 });
    else throw new Error(`unknown step ${JSON.stringify(step)}`);
  }
}
