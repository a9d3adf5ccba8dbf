// statsite's stream format, `KEY|VALUE|TS\n`, produced as a run of Buffers: views of render slabs,
// which the sink gives back (renderSlabs.giveBack) once each is written. Between slices of series it
// pauses for ingest (util/ingest-first-pacer.ts), so sockets keep being read while a big flush is
// rendered.
//
// Its slices are a quarter of the usual: a pipe or socketpair holds about 200 KB, and libuv
// refills it only between slices. A 26k-line slice is ~1.2 MB, so the reader ran dry while it was
// rendered and the flush waited for the reader in turn (bench/README.md, run 10).

import type { Bucket } from '../../aggregate/bucket.js';
import type { NamingConfig } from '../../naming/naming-config.js';
import { STREAM_KEYS } from '../../naming/key-style.js';
import { POINTS_PER_SLICE, renderPoints } from '../../naming/points.js';
import { IngestFirstPacer } from '../../util/ingest-first-pacer.js';
import { LineBytes } from '../../naming/line-bytes.js';

/** About 300 KB of lines. */
const POINTS_PER_PIPE_SLICE = POINTS_PER_SLICE / 4;

export async function* streamLineBuffers(bucket: Bucket, naming: NamingConfig, timestamp: number): AsyncGenerator<Buffer> {
  const out = new LineBytes('|', '|' + timestamp + '\n');
  const pacer = new IngestFirstPacer();
  try {
    for (const _slice of renderPoints(bucket, naming, STREAM_KEYS, out, '', POINTS_PER_PIPE_SLICE)) {
      if (out.lines > 0) yield out.take();
      await pacer.pause();
    }
    if (out.lines > 0) yield out.take();
  } finally {
    out.finish();
  }
}
