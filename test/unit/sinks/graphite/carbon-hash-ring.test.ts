import { describe, expect, it } from 'vitest';
import { CarbonHashRing } from '../../../../src/sinks/graphite/carbon-hash-ring.js';

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

  it("places metrics as carbon-c-relay where ring positions collide, and as carbon-relay elsewhere", () => {
    // ('127.0.0.1', 'r') and ('127.0.0.1', 'a') share ring positions. carbon-relay moves the later
    // one (here: a's) up; carbon-c-relay gives the shared position to the lower instance, a.
    // Owners printed by carbon's hashing.py and by `carbon-c-relay -t` for the same members.
    const nodes = [{ server: '127.0.0.1', instance: 'r' }, { server: '127.0.0.1', instance: 'a' }];
    const carbonRelay = new CarbonHashRing(nodes, 'carbon-relay');
    const cRelay = new CarbonHashRing(nodes, 'carbon-c-relay');
    const owners = (ring: CarbonHashRing, ms: number[]) => ms.map((i) => nodes[ring.nodeFor(`statsite.gauges.relay.m${i}`)].instance);
    expect(owners(carbonRelay, [66, 98, 99, 120, 1, 2, 3])).toEqual(['r', 'r', 'r', 'r', 'a', 'a', 'r']);
    expect(owners(cRelay, [66, 98, 99, 120, 1, 2, 3])).toEqual(['a', 'a', 'a', 'a', 'a', 'a', 'r']);
  });
});
