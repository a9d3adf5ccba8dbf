// A server that could not flush for several intervals (here: stopped with SIGSTOP, as a loaded
// host or a debugger would) says so when it flushes, and counts the intervals it folded together.

import { afterEach, expect, it } from 'vitest';
import { waitForMoreFlushes, waitForStats } from '../helpers/admin.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

afterEach(() => stopAllServers());

it('logs a late flush with its real elapsed time and counts flush.late_intervals', async () => {
  const admin = await freePort();
  const server = await startServer({ args: ['--flush-interval', '1', '--admin', String(admin)] });
  await waitForMoreFlushes(admin, 1);
  const stoppedAt = Date.now();
  process.kill(server.pid, 'SIGSTOP');
  try {
    // Four intervals pass without the process running at all.
    await waitFor(() => Date.now() - stoppedAt >= 4000, { timeoutMs: 6000, intervalMs: 100 });
  } finally {
    process.kill(server.pid, 'SIGCONT');
  }
  await server.waitForStderr(/flush came late/);
  const stats = await waitForStats(admin, (s) => s['flush.late_intervals'] >= 2, { what: 'the folded intervals counted' });
  expect(stats['flush.late_intervals']).toBeLessThanOrEqual(5);
});
