import { describe, expect, it } from 'vitest';
import { SeriesById } from '../../../src/aggregate/series-by-id.js';
import { NO_GENERATION } from '../../../src/model/sample-handler.js';

describe('SeriesById', () => {
  it('finds what was stored under an id in the same generation only', () => {
    const ids = new SeriesById<string>();
    expect(ids.get(3, 7)).toBeUndefined();
    ids.set(3, 7, 'a');
    expect(ids.get(3, 7)).toBe('a');
    expect(ids.get(2, 7)).toBeUndefined();
    expect(ids.get(300, 7)).toBeUndefined();
    expect(ids.get(3, 8)).toBeUndefined();
  });

  it('forgets every id of an older generation once a newer one is stored', () => {
    const ids = new SeriesById<string>();
    ids.set(0, 7, 'a');
    ids.set(1, 7, 'b');
    ids.set(5, 8, 'c');
    expect(ids.get(5, 8)).toBe('c');
    expect(ids.get(1, 8)).toBeUndefined();
    expect(ids.get(0, 7)).toBeUndefined();
  });

  it('never stores a key that came without an id', () => {
    const ids = new SeriesById<string>();
    ids.set(0, NO_GENERATION, 'a');
    expect(ids.get(0, NO_GENERATION)).toBeUndefined();
  });
});
