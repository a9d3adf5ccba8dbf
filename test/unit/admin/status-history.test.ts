import { describe, expect, it } from 'vitest';
import { HISTORY_MS, StatusHistory } from '../../../src/admin/status-history.js';

const stats = (udp: number, flushMs = 0) => ({
  counts: { 'lines.udp': udp, 'datagrams.udp': udp / 2 },
  levels: { 'flush.duration_ms': flushMs },
});

describe('StatusHistory', () => {
  it('keeps one point per flush: what happened during its interval, and how long that was', () => {
    const h = new StatusHistory();
    h.record(1_000, stats(0), 0);
    h.record(2_000, stats(100, 4), 7);
    h.record(4_000, stats(160, 9), 8);
    const c = h.columns(4_000);
    expect(c.at).toEqual([2_000, 4_000]);
    expect(c.seconds).toEqual([1, 2]);
    expect(c.udpLines).toEqual([100, 60]);
    expect(c.udpDatagrams).toEqual([50, 30]);
    expect(c.tcpLines).toEqual([0, 0]);
    expect(c.flushMs).toEqual([4, 9]);
    expect(c.series).toEqual([7, 8]);
  });

  it('answers only the points after `since`, and none older than an hour', () => {
    const h = new StatusHistory();
    for (let t = 0; t <= 10; t++) h.record(t * 1000, stats(t * 10), t);
    expect(h.columns(10_000, 8_000).at).toEqual([9_000, 10_000]);
    expect(h.columns(HISTORY_MS + 5_500).at).toEqual([6_000, 7_000, 8_000, 9_000, 10_000]);
  });

  it('is a ring: past its capacity the oldest points make room, in order', () => {
    const h = new StatusHistory();
    for (let t = 0; t <= 5000; t++) h.record(t, stats(t), 0);
    const c = h.columns(5000);
    expect(c.at.length).toBe(3600);
    expect(c.at[0]).toBe(1401);
    expect(c.at.at(-1)).toBe(5000);
    expect(c.udpLines.every((n) => n === 1)).toBe(true);
  });
});
