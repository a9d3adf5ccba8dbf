import { describe, expect, it, vi } from 'vitest';
import { mergeRecentRejects, RECENT_REJECTS_KEPT, RecentRejects } from '../../../src/ingest/recent-rejects.js';

describe('RecentRejects', () => {
  it('keeps a sample of the last rejected lines, decoding only those it keeps', () => {
    vi.useFakeTimers({ now: 1_000 });
    try {
      const recent = new RecentRejects();
      const decode = vi.fn(() => 'x:1|q');
      recent.note('unknown_type', decode);
      recent.note('unknown_type', decode); // within the sampling period: not kept, not decoded
      expect(decode).toHaveBeenCalledTimes(1);
      for (let i = 0; i < 20; i++) {
        vi.advanceTimersByTime(100);
        recent.note('bad_value', () => `line ${i}`);
      }
      const kept = recent.list();
      expect(kept.length).toBe(RECENT_REJECTS_KEPT);
      expect(kept.at(-1)).toEqual({ at: 3_000, reason: 'bad_value', line: 'line 19' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('merges the lines of two processes by time, the newest kept', () => {
    const a = [1, 5, 9].map((at) => ({ at, reason: 'bad_value' as const, line: `a${at}` }));
    const b = Array.from({ length: 10 }, (_, i) => ({ at: i * 2, reason: 'bad_value' as const, line: `b${i}` }));
    const merged = mergeRecentRejects(a, b);
    expect(merged.length).toBe(RECENT_REJECTS_KEPT);
    expect(merged.map((r) => r.at)).toEqual([4, 5, 6, 8, 9, 10, 12, 14, 16, 18]);
  });
});
