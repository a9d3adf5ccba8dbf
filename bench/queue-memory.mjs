// Memory per line queued for a carbon that is down, measured in-process on the real Graphite sink
// (dist/sinks/graphite).
//
//   node --expose-gc bench/queue-memory.mjs [LINES]
//
// The sink points at a loopback port nothing listens on, so every line it renders stays in its
// memory queue. LINES counters (one line each, `statsite.counts.kN VALUE TS`) are flushed into
// it; the growth of heap plus off-heap memory after GC, less the bucket's own, is divided by the
// lines queued and set against the lines' own bytes. Prints one JSON object.

import { pino } from 'pino';
import { Bucket } from '../dist/aggregate/bucket.js';
import { createDefaultSketch } from '../dist/aggregate/sketch.js';
import { defaultConfig } from '../dist/config/defaults.js';
import { parseGraphiteSpec } from '../dist/sinks/graphite/graphite-options.js';
import { GraphiteSink } from '../dist/sinks/graphite/graphite-sink.js';
import { renderSlabs } from '../dist/naming/render-slabs.js';
import { usedAfterGc as used } from './lib/heap-used.mjs';
import { refusedPort } from './lib/refused-port.mjs';

const lines = Number(process.argv[2] ?? 1_000_000);

const bucket = new Bucket({ histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 });
for (let i = 0; i < lines; i++) bucket.counter(`k${i}`, 1, 1);
const timestamp = 1_700_000_000;
const lineBytes = Buffer.byteLength(`statsite.counts.k${lines >> 1} 1.000000 ${timestamp}\n`);

const port = await refusedPort();
const spec = `graphite://127.0.0.1:${port}?prefix=statsite.&buffer_lines=${lines * 2}&timeout=1`;
const sink = new GraphiteSink(parseGraphiteSpec(spec), () => defaultConfig().naming, pino({ level: 'silent' }));
// The render slab pool is dropped around the flush, as the server drops it after so big an
// interval: what is left is the queue's own memory, not a free slab kept for the next flush.
renderSlabs.drop();
const before = used();
await sink.flush(bucket, timestamp);
renderSlabs.drop();
const after = used();
const queued = sink.counters().bufferedLines;
if (queued !== lines) throw new Error(`expected ${lines} lines queued, found ${queued}`);
process.stdout.write(
  JSON.stringify({ lines: queued, lineBytes, bytesPerLine: Math.round((after - before) / queued) }) + '\n',
);
await sink.close(0);
process.exit(0);
