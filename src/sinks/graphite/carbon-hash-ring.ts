// carbon's consistent-hashing ring (`carbon_ch`), exactly as carbon-relay and carbon-c-relay
// build it, so a series lands on the same carbon-cache whichever of them routes it:
// each destination (server, instance) gets 100 positions md5("('server', 'instance'):i")[:4];
// a metric goes to the first position at or after md5(metric)[:4], wrapping around.
//
// The two relays differ in one point: two replicas hashing to the same position. carbon-relay
// moves the later one (in DESTINATIONS order) up until it is free; carbon-c-relay keeps both and
// lets the lower (server, instance) own the position, so its ring does not depend on the order of
// the config (grobian/carbon-c-relay#84). Where no positions collide the rings are the same; where
// they do, the series near a collision are placed differently — hence the two flavours.

import { createHash } from 'node:crypto';

export interface RingNode {
  server: string;
  /** carbon's instance name; null when the destination has none. */
  instance: string | null;
}

const REPLICAS = 100;

/** Whose ring to build: carbon-relay's (collisions moved up) or carbon-c-relay's (kept). */
export type RingFlavour = 'carbon-relay' | 'carbon-c-relay';

function position(key: string): number {
  return parseInt(createHash('md5').update(key, 'utf8').digest('hex').slice(0, 4), 16);
}

/** Python's repr() of the (server, instance) tuple, which is what carbon hashes. */
function pythonRepr(node: RingNode): string {
  const str = (s: string) => (s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
  return `(${str(node.server)}, ${node.instance === null ? 'None' : str(node.instance)})`;
}

/** carbon-c-relay's order among replicas at one position: by server, then instance (none last). */
function byServerThenInstance(a: RingNode, b: RingNode): number {
  if (a.server !== b.server) return a.server < b.server ? -1 : 1;
  if (a.instance === b.instance) return 0;
  if (a.instance === null) return 1;
  if (b.instance === null) return -1;
  return a.instance < b.instance ? -1 : 1;
}

export class CarbonHashRing {
  /** Sorted by position; the first entry at a position owns it. */
  private readonly positions: number[] = [];
  private readonly owners: number[] = [];

  constructor(nodes: readonly RingNode[], flavour: RingFlavour = 'carbon-relay') {
    const entries: Array<{ position: number; node: number }> = [];
    const taken = new Set<number>();
    nodes.forEach((node, index) => {
      const repr = pythonRepr(node);
      for (let i = 0; i < REPLICAS; i++) {
        let p = position(`${repr}:${i}`);
        if (flavour === 'carbon-relay') while (taken.has(p)) p++; // carbon moves a colliding position up by one
        taken.add(p);
        entries.push({ position: p, node: index });
      }
    });
    // Ties only happen in carbon-c-relay's ring.
    entries.sort((a, b) => a.position - b.position || byServerThenInstance(nodes[a.node], nodes[b.node]));
    for (const e of entries) {
      this.positions.push(e.position);
      this.owners.push(e.node);
    }
  }

  /** Index (into the constructor's nodes) of the destination owning `metric`. */
  nodeFor(metric: string): number {
    const p = position(metric);
    let lo = 0;
    let hi = this.positions.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.positions[mid] < p) lo = mid + 1;
      else hi = mid;
    }
    return this.owners[lo % this.positions.length];
  }
}
