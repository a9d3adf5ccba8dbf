// Names crafted to collide must not make ingest quadratic. The interner's slots come from the
// name's hash mixed with a random seed; an attacker who finds names with one hash (FNV-1a is
// easy to collide) still costs at most MAX_PROBES per lookup, and every name keeps its own key.
// Measured without timing: the longest probe any lookup ran.

import { describe, expect, it } from 'vitest';
import { KeyInterner, MAX_PROBES } from '../../../src/protocol/key-interner.js';
import { LineParser } from '../../../src/protocol/parser.js';
import { RejectCounter } from '../../../src/protocol/rejects.js';
import type { SampleHandler } from '../../../src/model/sample-handler.js';

const make = (buf: Uint8Array, ns: number, ne: number) => Buffer.from(buf).toString('latin1', ns, ne);

describe('KeyInterner under colliding names', () => {
  it('bounds the probe length when every name has the same hash, and keeps each name apart', () => {
    const k = new KeyInterner();
    const sameHash = 0x1234abcd;
    const names = Array.from({ length: 20_000 }, (_, i) => Buffer.from(`crafted.${i}`));
    for (let round = 0; round < 2; round++) {
      for (const name of names) expect(k.key(k.intern(name, 0, name.length, 0, 0, make, sameHash))).toBe(name.toString());
    }
    expect(k.longestProbe).toBeLessThanOrEqual(MAX_PROBES);
  });

  it('still finds the names it could remember, by id, after the flood', () => {
    const k = new KeyInterner();
    const good = Buffer.from('api.requests');
    const first = k.intern(good, 0, good.length, 0, 0, make);
    for (let i = 0; i < 5000; i++) {
      const name = Buffer.from(`flood.${i}`);
      k.intern(name, 0, name.length, 0, 0, make, 42);
    }
    expect(k.intern(good, 0, good.length, 0, 0, make)).toBe(first);
  });

  it('spreads names whose unseeded hashes share their low bits over the table', () => {
    // Without the seed these would all start at one slot of a small table.
    const k = new KeyInterner();
    for (let i = 0; i < 4000; i++) {
      const name = Buffer.from(`n${i}`);
      k.intern(name, 0, name.length, 0, 0, make, (i << 16) | 0x0abc);
    }
    expect(k.longestProbe).toBeLessThan(MAX_PROBES);
  });
});

describe('series keys and V8\'s string hash', () => {
  it('rejects a line whose name and tags together pass max_key_bytes, however short the name', () => {
    const seen: string[] = [];
    const handler: SampleHandler = {
      counter: (key) => seen.push(key), timer: () => undefined, gauge: () => undefined, set: () => undefined, kv: () => undefined,
    };
    const rejects = new RejectCounter();
    const parser = new LineParser(handler, rejects, { maxKeyBytes: 100 });
    expect(parser.parse(Buffer.from(`a:1|c|#${'t'.repeat(98)}`))).toBe(1);
    expect(parser.parse(Buffer.from(`a:1|c|#${'t'.repeat(99)}`))).toBe(0);
    expect(rejects.byReason.get('key_too_long')).toBe(1);
    expect(seen).toHaveLength(1);
  });
});
