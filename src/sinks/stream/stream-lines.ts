// statsite's stream format, `KEY|VALUE|TS\n`, produced as a run of Buffers: views of render slabs,
// which the sink gives back (renderSlabs.giveBack) once each is written. Between slices of series it
// pauses for ingest (util/ingest-first-pacer.ts), so sockets keep being read while a big flush is
// rendered.

import type { Bucket } from '../../aggregate/bucket.js';
import type { NamingConfig } from '../../naming/naming-config.js';
import { STREAM_KEYS } from '../../naming/key-style.js';
import { renderPoints } from '../../naming/points.js';
import { IngestFirstPacer } from '../../util/ingest-first-pacer.js';
import { LineBytes } from '../../naming/line-bytes.js';

export async function* streamLineBuffers(bucket: Bucket, naming: NamingConfig, timestamp: number): AsyncGenerator<Buffer> {
  const out = new LineBytes('|', '|' + timestamp + '\n');
  const pacer = new IngestFirstPacer();
  try {
    for (const _slice of renderPoints(bucket, naming, STREAM_KEYS, out)) {
      if (out.lines > 0) yield out.take();
      await pacer.pause();
    }
    if (out.lines > 0) yield out.take();
  } finally {
    out.finish();
  }
}
