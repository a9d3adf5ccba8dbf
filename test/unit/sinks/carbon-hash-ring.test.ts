import { describe, expect, it } from 'vitest';
import { CarbonHashRing } from '../../../src/sinks/graphite/carbon-hash-ring.js';

describe('CarbonHashRing', () => {
  it("places metrics exactly as carbon's ConsistentHashRing (carbon_ch)", () => {
    // Expected owners printed by carbon's lib/carbon/hashing.py for the same nodes and keys.
    const nodes = [
      { server: '127.0.0.1', instance: 'a' },
      { server: '127.0.0.1', instance: 'b' },
      { server: '10.0.0.5', instance: null },
    ];
    const ring = new CarbonHashRing(nodes);
    const owner = (m: string) => nodes[ring.nodeFor(m)];
    expect(owner('statsite.counts.a')).toEqual(nodes[2]);
    expect(owner('statsite.timers.x.p95')).toEqual(nodes[2]);
    expect(owner('foo.bar')).toEqual(nodes[1]);
    expect(owner('statsite.gauges.g;env=prod')).toEqual(nodes[1]);
    expect(owner('x')).toEqual(nodes[2]);
  });

  it('spreads series over every destination and always picks the same one', () => {
    const ring = new CarbonHashRing([{ server: 'h', instance: 'a' }, { server: 'h', instance: 'b' }]);
    const counts = [0, 0];
    for (let i = 0; i < 2000; i++) counts[ring.nodeFor(`statsite.counts.k${i}`)]++;
    expect(Math.min(...counts)).toBeGreaterThan(500);
    expect(ring.nodeFor('statsite.counts.k7')).toBe(ring.nodeFor('statsite.counts.k7'));
  });
});
