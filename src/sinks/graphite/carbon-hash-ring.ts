// carbon's consistent-hashing ring (`carbon_ch`), exactly as carbon-relay and carbon-c-relay
// build it, so a series lands on the same carbon-cache whichever of them routes it:
// each destination (server, instance) gets 100 positions md5("('server', 'instance'):i")[:4];
// a metric goes to the first position at or after md5(metric)[:4], wrapping around.

import { createHash } from 'node:crypto';

export interface RingNode {
  server: string;
  /** carbon's instance name; null when the destination has none. */
  instance: string | null;
}

const REPLICAS = 100;

function position(key: string): number {
  return parseInt(createHash('md5').update(key, 'utf8').digest('hex').slice(0, 4), 16);
}

/** Python's repr() of the (server, instance) tuple, which is what carbon hashes. */
function pythonRepr(node: RingNode): string {
  const str = (s: string) => (s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
  return `(${str(node.server)}, ${node.instance === null ? 'None' : str(node.instance)})`;
}

export class CarbonHashRing {
  /** Sorted by position, then by node repr (Python compares the tuples that way). */
  private readonly positions: number[] = [];
  private readonly owners: number[] = [];

  constructor(nodes: readonly RingNode[]) {
    const entries: Array<{ position: number; repr: string; node: number }> = [];
    const taken = new Set<number>();
    nodes.forEach((node, index) => {
      const repr = pythonRepr(node);
      for (let i = 0; i < REPLICAS; i++) {
        let p = position(`${repr}:${i}`);
        while (taken.has(p)) p++; // carbon moves a colliding position up by one
        taken.add(p);
        entries.push({ position: p, repr, node: index });
      }
    });
    entries.sort((a, b) => a.position - b.position || (a.repr < b.repr ? -1 : a.repr > b.repr ? 1 : 0));
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
