// A spool segment that is gone, replaced or cut short when its turn comes is skipped and its
// lines counted as lost; the spool goes on with the next one and never throws.

import { mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DiskSpool } from '../../../../src/sinks/delivery/disk-spool.js';

const log = pino({ level: 'silent' });

async function spoolWith(segments: number, linesEach: number): Promise<{ spool: DiskSpool; dir: string; files: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-disk-spool-'));
  const spool = new DiskSpool(dir, 1 << 30, log);
  for (let s = 0; s < segments; s++) {
    spool.push({ data: Buffer.from(`seg${s} ${'x'.repeat(10)}\n`.repeat(linesEach)), lines: linesEach });
    spool.seal();
  }
  await spool.settled();
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
  it('skips a deleted segment and one replaced by a directory, counting their lines', async () => {
    const { spool, files } = await spoolWith(4, 10);
    unlinkSync(files[1]);
    unlinkSync(files[2]);
    mkdirSync(files[2]); // reading it fails with EISDIR
    expect(spool.lines).toBe(40);
    expect(drain(spool)).toEqual(['seg0', 'seg3']);
    expect(spool.takeLost()).toBe(20);
    expect(spool.takeLost()).toBe(0);
    expect(spool.lines).toBe(0);
  });

  it('counts the lines of a segment cut short after its first record', async () => {
    const { spool, dir } = await spoolWith(1, 5);
    spool.push({ data: Buffer.from('seg1 first record\n'.repeat(3)), lines: 3 });
    spool.push({ data: Buffer.from('seg1 second record\n'), lines: 1 });
    spool.seal();
    await spool.settled();
    truncateSync(segmentFiles(dir)[1], 40); // inside the segment's first record
    expect(drain(spool)).toEqual(['seg0']);
    expect(spool.takeLost()).toBe(4);
    expect(spool.lines).toBe(0);
  });

  it('starts on a directory whose segment vanished or cannot be read', async () => {
    const { spool, dir, files } = await spoolWith(3, 2);
    unlinkSync(files[1]);
    mkdirSync(files[1]);
    spool.release(); // as the process ending does
    const restarted = new DiskSpool(dir, 1 << 30, log);
    expect(restarted.lines).toBe(4);
    expect(drain(restarted)).toEqual(['seg0', 'seg2']);
  });
});

describe('DiskSpool writing a segment', () => {
  it('writes off the event loop: the loop keeps turning while a big flush goes to disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-disk-spool-'));
    const spool = new DiskSpool(dir, 1 << 30, log);
    const line = Buffer.from(`big.flush.series ${'1'.repeat(40)} 1700000000\n`);
    for (let c = 0; c < 2000; c++) spool.push({ data: Buffer.concat(Array.from({ length: 100 }, () => line)), lines: 100 });
    spool.seal();
    expect(spool.peek()).toBeNull(); // not durable yet: nothing to send
    expect(spool.lines).toBe(200_000);
    let turns = 0;
    let done = false;
    const settled = spool.settled().then(() => (done = true));
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve));
      turns++;
    }
    await settled;
    expect(turns).toBeGreaterThan(2);
    expect(spool.peek()!.lines).toBe(100);
  });

  it('keeps a segment the disk will not take in memory, within its line bound, said once, and leaves no file', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'statsite-ts-disk-spool-'));
    const dir = join(parent, 'spool');
    const errors: string[] = [];
    const recording = pino({ level: 'error' }, { write: (line: string) => void errors.push(line) });
    const spool = new DiskSpool(dir, 1 << 30, recording, 10);
    rmSync(dir, { recursive: true });
    writeFileSync(dir, 'not a directory any more'); // every write fails from now on
    for (const n of [4, 4, 4]) {
      spool.push({ data: Buffer.from(`seg${n} 1 1\n`.repeat(n)), lines: n });
      spool.seal();
    }
    await spool.settled();
    // 12 lines for a bound of 10: the oldest segment goes, counted; the rest waits in memory.
    expect(spool.takeLost()).toBe(4);
    expect([spool.lines, spool.volatileLines]).toEqual([8, 8]);
    expect(errors).toHaveLength(1);
    expect(JSON.parse(errors[0]).msg).toMatch(/cannot write the spool: keeping its lines in memory/);
    expect(readdirSync(parent)).toEqual(['spool']);
    const sent: number[] = [];
    for (let chunk = spool.peek(); chunk !== null; chunk = spool.peek()) {
      sent.push(chunk.lines);
      spool.ack();
    }
    expect(sent).toEqual([4, 4]);
    expect(spool.lines).toBe(0);
  });

  it('refuses a second writer on the same directory until the first lets go', () => {
    const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-disk-spool-'));
    const first = new DiskSpool(dir, 1 << 30, log);
    expect(() => new DiskSpool(join(dir, '.'), 1 << 30, log)).toThrow(/in use by a running sink/);
    first.release();
    expect(() => new DiskSpool(dir, 1 << 30, log).release()).not.toThrow();
  });

  it('removes a segment a crash left half-written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-disk-spool-'));
    writeFileSync(join(dir, '0000000000000001.spool.tmp'), '#SPOOL1 3 12 ');
    const spool = new DiskSpool(dir, 1 << 30, log);
    expect(readdirSync(dir)).toEqual([]);
    expect(spool.lines).toBe(0);
  });
});
