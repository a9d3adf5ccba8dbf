// Render cost of a timer flush, in-process on the real code (dist/naming): SERIES one-sample
// timers (values cycling over 0–999, as the load generator sends them) rendered in the stream
// sink's format, `timers.sN.FIELD|VALUE|TS\n`, default fields (13 lines a series), into the
// sink's line buffer, taken slice by slice as the stdout sink takes it — without the pauses for
// ingest. The best of three passes. Beside it: bench/render-reference.c, the same lines with C's
// snprintf, built with `cc` (skipped without one).
//
//   node bench/render.mjs [SERIES] [REFERENCE_BINARY]
//
// Prints one JSON object.

import { execFileSync } from 'node:child_process';
import { Bucket } from '../dist/aggregate/bucket.js';
import { createDefaultSketch } from '../dist/aggregate/sketch.js';
import { defaultConfig } from '../dist/config/defaults.js';
import { STREAM_KEYS } from '../dist/naming/key-style.js';
import { LineBytes } from '../dist/naming/line-bytes.js';
import { renderSlabs } from '../dist/naming/render-slabs.js';
import { renderPoints } from '../dist/naming/points.js';

const series = Number(process.argv[2] ?? 1_000_000);
const reference = process.argv[3] ?? null;
const timestamp = 1_700_000_000;

const bucket = new Bucket({ histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0 });
for (let i = 0; i < series; i++) bucket.timer(`s${i}`, i % 1000, 1);
const naming = defaultConfig().naming;

let best = Infinity;
let bytes = 0;
for (let pass = 0; pass < 3; pass++) {
  const out = new LineBytes('|', '|' + timestamp + '\n');
  bytes = 0;
  const started = process.hrtime.bigint();
  // Each slice is taken and given back at once, as a sink gives it back once written.
  const take = () => {
    const view = out.take();
    renderSlabs.giveBack(view);
    return view.length;
  };
  for (const _slice of renderPoints(bucket, naming, STREAM_KEYS, out)) bytes += take();
  bytes += take();
  out.finish();
  best = Math.min(best, Number(process.hrtime.bigint() - started) / series);
}

const result = { series, nsPerSeries: Math.round(best), bytes };
if (reference !== null) {
  const c = JSON.parse(execFileSync(reference, [String(series)], { encoding: 'utf8' }));
  result.referenceNsPerSeries = Math.round(c.nsPerSeries);
  result.referenceBytes = c.bytes;
  result.ratio = +(best / c.nsPerSeries).toFixed(2);
}
process.stdout.write(JSON.stringify(result) + '\n');
