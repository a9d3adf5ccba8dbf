// statsite's stream format, `KEY|VALUE|TS\n`, produced in chunks. Between slices of series it
// gives the event loop a turn, so sockets keep being read while a big flush is rendered.

import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Bucket } from '../aggregate/bucket.js';
import type { NamingConfig } from '../naming/naming-config.js';
import { STREAM_KEYS } from '../naming/key-style.js';
import { renderPoints, type PointWriter } from '../naming/points.js';

class LineCollector implements PointWriter {
  text = '';

  constructor(private readonly suffix: string) {}

  point(key: string, value: string): void {
    this.text += key + '|' + value + this.suffix;
  }

  take(): string {
    const text = this.text;
    this.text = '';
    return text;
  }
}

export async function* streamLineChunks(bucket: Bucket, naming: NamingConfig, timestamp: number): AsyncGenerator<string> {
  const out = new LineCollector('|' + timestamp + '\n');
  for (const _slice of renderPoints(bucket, naming, STREAM_KEYS, out)) {
    if (out.text !== '') yield out.take();
    await nextTurn();
  }
  if (out.text !== '') yield out.take();
}
