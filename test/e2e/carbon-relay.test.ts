// statsite-ts's consistent hashing against a real carbon-c-relay: the same series, once through
// the relay's `carbon_ch` cluster and once through statsite-ts's own graphite sink, must land on
// the same carbon-cache. Each side writes into its own pair of carbon-caches (two Graphite
// stacks): the ring depends only on each destination's (host, instance), not on its port, so
// "cache 0 of the relay's pair" and "cache 0 of statsite-ts's pair" are the same ring node, and
// nothing either side writes can be mistaken for the other's. carbon-c-relay allows one instance
// per HOST:PORT, so each layout has its own relay in front of the same two caches.
//
// Two layouts, both documented in the README:
// - instances a and b with `routing = "carbon_ch"`: no two ring positions collide, so carbon-relay's
//   ring and carbon-c-relay's are the same and statsite-ts matches both;
// - instances r and a, whose positions collide: carbon-c-relay then differs from carbon-relay
//   (carbon-hash-ring.ts says how), and `routing = "c_relay_carbon_ch"` matches carbon-c-relay.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { CarbonHashRing } from '../../src/sinks/graphite/carbon-hash-ring.js';
import { CARBON_C_RELAY, startCarbonRelay, type CarbonRelay } from '../helpers/carbon-relay.js';
import { sendUdp } from '../helpers/clients.js';
import { describeIfInstalled } from '../helpers/external-tools.js';
import { startAll } from '../helpers/child-process.js';
import { GRAPHITE, startGraphite, type Graphite } from '../helpers/graphite.js';
import { startServer, stopAllServers, type ServerProcess } from '../helpers/server.js';

const HOST = '127.0.0.1';

interface Layout {
  /** The graphite sink's prefix, and the relay's match for it. */
  prefix: string;
  instances: [string, string];
  routing: 'carbon_ch' | 'c_relay_carbon_ch';
}

const PLAIN: Layout = { prefix: 'ab.', instances: ['a', 'b'], routing: 'carbon_ch' };
const COLLIDING: Layout = { prefix: 'ra.', instances: ['r', 'a'], routing: 'c_relay_carbon_ch' };

const ringOf = (layout: Layout, flavour: 'carbon-relay' | 'carbon-c-relay') =>
  new CarbonHashRing(layout.instances.map((instance) => ({ server: HOST, instance })), flavour);

/**
 * StatsD gauge names: some whose keys under COLLIDING carbon-relay and carbon-c-relay place
 * differently (so the test shows the difference matters), and plain ones.
 */
function pickNames(): { names: string[]; contested: string[] } {
  const relay = ringOf(COLLIDING, 'carbon-relay');
  const cRelay = ringOf(COLLIDING, 'carbon-c-relay');
  const contested: string[] = [];
  const plain: string[] = [];
  for (let i = 0; contested.length < 8 || plain.length < 24; i++) {
    const name = `relay.m${i}`;
    const key = `${COLLIDING.prefix}gauges.${name}`;
    if (relay.nodeFor(key) !== cRelay.nodeFor(key)) {
      if (contested.length < 8) contested.push(name);
    } else if (plain.length < 24) {
      plain.push(name);
    }
  }
  return { names: [...contested, ...plain], contested };
}

/** Which cache (0 or 1) of `graphite` holds each key; -1 if none, 2 if both. */
function placement(graphite: Graphite, keys: string[]): Record<string, number> {
  const [on0, on1] = graphite.caches.map((c) => new Set(c.series()));
  return Object.fromEntries(keys.map((k) => [k, on0.has(k) ? (on1.has(k) ? 2 : 0) : on1.has(k) ? 1 : -1]));
}

describeIfInstalled([CARBON_C_RELAY, GRAPHITE], 'statsite-ts carbon_ch placement matches a real carbon-c-relay', () => {
  const { names, contested } = pickNames();
  const keysOf = (layout: Layout) => names.map((n) => `${layout.prefix}gauges.${n}`);
  let viaRelay: Graphite;
  let viaStatsite: Graphite;
  let relays: CarbonRelay[] = [];
  let server: ServerProcess;

  beforeAll(async () => {
    [viaRelay, viaStatsite] = await startAll([startGraphite({ caches: 2 }), startGraphite({ caches: 2 })]);
    const members = (g: Graphite, layout: Layout) => g.caches.map((c, i) => `${HOST}:${c.linePort}=${layout.instances[i]}`);
    relays = await startAll([PLAIN, COLLIDING].map((layout) => startCarbonRelay([{
      name: 'caches',
      type: 'carbon_ch',
      members: members(viaRelay, layout),
      match: `^${layout.prefix.replace('.', '\\.')}`,
    }])));
    const sink = (layout: Layout) => {
      const destinations = viaStatsite.caches.map((c, i) => `${HOST}:${c.linePort}:${layout.instances[i]}`);
      return `graphite://${destinations.join(',')}?routing=${layout.routing}&prefix=${layout.prefix}`;
    };
    server = await startServer({ args: ['--flush-interval', '1', '--sink', sink(PLAIN), '--sink', sink(COLLIDING)] });
  }, 120_000);

  afterAll(async () => {
    await stopAllServers();
    await Promise.all(relays.map((r) => r.stop()));
    await Promise.all([viaRelay?.stop(), viaStatsite?.stop()]);
  }, 60_000);

  it('puts every series on the same cache, whichever routes it', async () => {
    const now = Math.floor(Date.now() / 1000);
    await Promise.all([PLAIN, COLLIDING].map((layout, i) => relays[i].send(keysOf(layout).map((k) => `${k} 1 ${now}`))));
    await sendUdp(server.port!, names.map((n) => `${n}:1|g`).join('\n'));

    const keys = [...keysOf(PLAIN), ...keysOf(COLLIDING)];
    const landed = (g: Graphite) => Object.values(placement(g, keys)).every((p) => p !== -1);
    await viaRelay.waitFor(() => landed(viaRelay), 30_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${relays.map((r) => r.output()).join('\n')}`);
    });
    await viaStatsite.waitFor(() => landed(viaStatsite), 30_000);

    const byRelay = placement(viaRelay, keys);
    const byStatsite = placement(viaStatsite, keys);
    expect(byStatsite).toEqual(byRelay);
    expect(Object.values(byRelay).every((p) => p === 0 || p === 1)).toBe(true); // each on exactly one cache
    for (const layout of [PLAIN, COLLIDING]) {
      const used = new Set(keysOf(layout).map((k) => byRelay[k]));
      expect(used, `${layout.prefix} spreads over both caches`).toEqual(new Set([0, 1]));
    }
  }, 60_000);

  it('needs c_relay_carbon_ch where ring positions collide: carbon-relay would place those series elsewhere', () => {
    const byRelay = placement(viaRelay, keysOf(COLLIDING));
    const carbonRelay = ringOf(COLLIDING, 'carbon-relay');
    const cRelay = ringOf(COLLIDING, 'carbon-c-relay');
    for (const name of contested) {
      const key = `${COLLIDING.prefix}gauges.${name}`;
      expect(byRelay[key], key).toBe(cRelay.nodeFor(key));
      expect(byRelay[key], key).not.toBe(carbonRelay.nodeFor(key));
    }
    // Without collisions (PLAIN) both flavours are one ring.
    const plainRelay = ringOf(PLAIN, 'carbon-relay');
    const plainC = ringOf(PLAIN, 'carbon-c-relay');
    expect(keysOf(PLAIN).map((k) => plainRelay.nodeFor(k))).toEqual(keysOf(PLAIN).map((k) => plainC.nodeFor(k)));
  });
});
