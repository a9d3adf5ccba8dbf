// The Graphite sink's payload, byte for byte: the golden interval (test/helpers/golden-bucket.ts)
// flushed by a real GraphiteSink to a loopback carbon stand-in. Carbon's plaintext protocol is
// `PATH VALUE TIMESTAMP\n`; PATH is the `statsite.` prefix plus the stream format's key, sanitised
// for carbon (the histogram bins' `<` and `>` become `lt` and `gt`), tags in Graphite's `;k=v` form.

import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { parseGraphiteSpec } from '../../../../src/sinks/graphite/graphite-options.js';
import { GraphiteSink } from '../../../../src/sinks/graphite/graphite-sink.js';
import { goldenBucket, goldenNaming, GOLDEN_TIMESTAMP } from '../../../helpers/golden-bucket.js';
import { TcpReceiver } from '../../../helpers/tcp-receiver.js';
import { waitFor } from '../../../helpers/wait.js';

const carbon = new TcpReceiver();
afterEach(() => carbon.stop());

const GOLDEN = `\
statsite.kv.deploy.version 43.000000 1700000000
statsite.kv.deploy.version 42.000000 1700000000
statsite.counts.api.hits 5.333333 1700000000
statsite.counts.api.errors;canary=true;env=prod 1.000000 1700000000
statsite.timers.api.latency.sum 247.000000 1700000000
statsite.timers.api.latency.sum_sq 19369.000000 1700000000
statsite.timers.api.latency.mean 49.400000 1700000000
statsite.timers.api.latency.lower 12.000000 1700000000
statsite.timers.api.latency.upper 120.000000 1700000000
statsite.timers.api.latency.count 5 1700000000
statsite.timers.api.latency.stdev 42.329659 1700000000
statsite.timers.api.latency.median 30.000000 1700000000
statsite.timers.api.latency.p50 30.000000 1700000000
statsite.timers.api.latency.p95 120.000000 1700000000
statsite.timers.api.latency.p99 120.000000 1700000000
statsite.timers.api.latency.rate 24.700000 1700000000
statsite.timers.api.latency.sample_rate 0.500000 1700000000
statsite.timers.api.latency.histogram.bin_lt0.00 0 1700000000
statsite.timers.api.latency.histogram.bin_0.00 1 1700000000
statsite.timers.api.latency.histogram.bin_25.00 2 1700000000
statsite.timers.api.latency.histogram.bin_50.00 1 1700000000
statsite.timers.api.latency.histogram.bin_75.00 0 1700000000
statsite.timers.api.latency.histogram.bin_gt100.00 1 1700000000
statsite.timers.db.query.sum 12.000000 1700000000
statsite.timers.db.query.sum_sq 80.000000 1700000000
statsite.timers.db.query.mean 6.000000 1700000000
statsite.timers.db.query.lower 4.000000 1700000000
statsite.timers.db.query.upper 8.000000 1700000000
statsite.timers.db.query.count 4 1700000000
statsite.timers.db.query.stdev 2.828427 1700000000
statsite.timers.db.query.median 4.000000 1700000000
statsite.timers.db.query.p50 4.000000 1700000000
statsite.timers.db.query.p95 8.000000 1700000000
statsite.timers.db.query.p99 8.000000 1700000000
statsite.timers.db.query.rate 1.200000 1700000000
statsite.timers.db.query.sample_rate 0.400000 1700000000
statsite.gauges.queue.depth 5.000000 1700000000
statsite.gauges.workers.busy 3.000000 1700000000
statsite.sets.users 2 1700000000
`;

it('sends the golden interval to carbon as these plaintext lines', async () => {
  await carbon.start(0);
  const sink = new GraphiteSink(parseGraphiteSpec(`graphite://127.0.0.1:${carbon.port}`), () => goldenNaming(), pino({ level: 'silent' }));
  await sink.flush(goldenBucket(), GOLDEN_TIMESTAMP);
  // close() waits until the sender has written every line, then closes: carbon has it all once
  // the connection is closed on its side too.
  await sink.close(5000);
  await waitFor(() => carbon.accepted === 1 && carbon.open === 0, { what: 'the sink to close its connection to carbon' });
  expect(carbon.received).toBe(GOLDEN);
});

it('leaves out a value that is not a finite number, counted and logged, and sends the rest', async () => {
  const carbon = new TcpReceiver();
  await carbon.start(0);
  const warnings: string[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
  const sink = new GraphiteSink(parseGraphiteSpec(`graphite://127.0.0.1:${carbon.port}`), () => goldenNaming(), log);
  // 1e200 squared overflows: the timer's sum of squares is inf.
  await sink.flush(goldenBucket(['huge.timer:1e200|ms', 'fine.counter:1|c']), GOLDEN_TIMESTAMP);
  await sink.close(5000);
  await waitFor(() => carbon.accepted === 1 && carbon.open === 0, { what: 'the sink to close its connection to carbon' });
  expect(carbon.received).not.toMatch(/inf|nan/);
  expect(carbon.linesStartingWith('statsite.timers.huge.timer.sum_sq')).toEqual([]);
  expect(carbon.linesStartingWith('statsite.timers.huge.timer.sum ')).toHaveLength(1);
  expect(carbon.linesStartingWith('statsite.counts.fine.counter ')).toHaveLength(1);
  expect(sink.counters().droppedLines).toBe(1);
  expect(JSON.parse(warnings[0])).toMatchObject({ droppedLines: 1, example: 'statsite.timers.huge.timer.sum_sq' });
  await carbon.stop();
});
