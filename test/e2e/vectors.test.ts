// Replays every statsite vector in test/vectors/ against bin/statsite-ts and
// compares the stdout sink's flushes with what the C statsite printed.
// Rules: test/vectors/README.md. A new case folder is picked up by itself.

import { afterEach, describe, expect, it } from 'vitest';
import { compareFlushes, formatFlushes } from '../helpers/compare-flushes.js';
import { quantileKeyMatcher } from '../helpers/quantile-band.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { listVectorCases, loadVectorCase, replaySteps } from '../helpers/vector-case.js';
import { sleep } from '../helpers/wait.js';

const cases = listVectorCases();

// The cases run one after another: they replay timed traffic (sleeps across
// flush boundaries), which is best kept away from other servers' start-up.
afterEach(stopAllServers);

describe('statsite vectors', () => {
  it('finds case folders to replay', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  // Guards the comparer itself: statsite's own quantiles must pass the band
  // rule, and a key the matcher mistakes for a quantile would show up here.
  it.each(cases)('%s: expected.out passes its own quantile bands', (name) => {
    const vc = loadVectorCase(name);
    const isQuantile = quantileKeyMatcher(vc.timerSamples, vc.quantiles, vc.timerEps);
    expect(compareFlushes(vc.expected, vc.expected, isQuantile)).toEqual([]);
  });

  // With ingest workers the same traffic is split across processes and merged at flush; the
  // output must not change.
  const runs = cases.flatMap((name) => [[name, 1], [name, 2]] as const);
  it.each(runs)('%s: statsite-ts (%i ingest processes) prints what statsite printed', async (name, workers) => {
    const vc = loadVectorCase(name);
    const server = await startServer({
      args: ['--config', vc.configPath, '--sink', 'stdout', '--workers', String(workers)],
      // Byte for byte, as statsite writes names through unchanged.
      stdoutEncoding: 'latin1',
    });
    await replaySteps(server.port!, vc.steps);
    await sleep(vc.settle * 1000);
    const exit = await server.stop({ signal: 'SIGTERM' });

    const out = server.output();
    const isQuantile = quantileKeyMatcher(vc.timerSamples, vc.quantiles, vc.timerEps);
    const problems = compareFlushes(vc.expected, out.flushes.map((f) => f.lines), isQuantile);
    for (const line of out.malformed) problems.push(`not a KEY|VALUE|TS line: ${JSON.stringify(line)}`);
    if (out.trailing !== '') problems.push(`stdout does not end with a newline: ${JSON.stringify(out.trailing)}`);
    if (exit.code !== 0) problems.push(`exit after SIGTERM: code=${exit.code} signal=${exit.signal} forced=${exit.forced}`);

    const report = [
      `case ${name} (${vc.dir}) differs from expected.out`,
      `--- expected ---\n${formatFlushes(vc.expected)}`,
      `--- actual (grouped by timestamp: ${out.flushes.map((f) => f.ts).join(', ') || 'none'}) ---`,
      formatFlushes(out.flushes.map((f) => f.lines)),
      `--- stderr (tail) ---\n${server.stderr.slice(-3000)}`,
    ].join('\n');
    expect(problems, report).toEqual([]);
  });
});
