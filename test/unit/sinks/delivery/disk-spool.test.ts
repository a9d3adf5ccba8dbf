// A spool segment that is gone, replaced or cut short when its turn comes is skipped and its
// lines counted as lost; the spool goes on with the next one and never throws.

import { mkdirSync, mkdtempSync, readdirSync, truncateSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DiskSpool } from '../../../../src/sinks/delivery/disk-spool.js';

const log = pino({ level: 'silent' });

function spoolWith(segments: number, linesEach: number): { spool: DiskSpool; dir: string; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-disk-spool-'));
  const spool = new DiskSpool(dir, 1 << 30, log);
  for (let s = 0; s < segments; s++) {
    spool.push({ data: Buffer.from(`seg${s} ${'x'.repeat(10)}\n`.repeat(linesEach)), lines: linesEach });
    spool.seal();
  }
  return { spool, dir, files: segmentFiles(dir) };
}

const segmentFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.spool')).sort().map((f) => join(dir, f));

/** Everything the spool still hands out, acked one by one. */
function drain(spool: DiskSpool): string[] {
  const out: string[] = [];
  for (let chunk = spool.peek(); chunk !== null; chunk = spool.peek()) {
    out.push(chunk.data.toString().split(' ')[0]);
    spool.ack();
  }
  return out;
}

describe('DiskSpool with a damaged segment', () => {
  it('skips a deleted segment and one replaced by a directory, counting their lines', () => {
    const { spool, files } = spoolWith(4, 10);
    unlinkSync(files[1]);
    unlinkSync(files[2]);
    mkdirSync(files[2]); // reading it fails with EISDIR
    expect(spool.lines).toBe(40);
    expect(drain(spool)).toEqual(['seg0', 'seg3']);
    expect(spool.takeLost()).toBe(20);
    expect(spool.takeLost()).toBe(0);
    expect(spool.lines).toBe(0);
  });

  it('counts the lines of a segment cut short after its first record', () => {
    const { spool, dir } = spoolWith(1, 5);
    spool.push({ data: Buffer.from('seg1 first record\n'.repeat(3)), lines: 3 });
    spool.push({ data: Buffer.from('seg1 second record\n'), lines: 1 });
    spool.seal();
    truncateSync(segmentFiles(dir)[1], 40); // inside the segment's first record
    expect(drain(spool)).toEqual(['seg0']);
    expect(spool.takeLost()).toBe(4);
    expect(spool.lines).toBe(0);
  });

  it('starts on a directory whose segment vanished or cannot be read', () => {
    const { dir, files } = spoolWith(3, 2);
    unlinkSync(files[1]);
    mkdirSync(files[1]);
    const restarted = new DiskSpool(dir, 1 << 30, log);
    expect(restarted.lines).toBe(4);
    expect(drain(restarted)).toEqual(['seg0', 'seg2']);
  });
});
