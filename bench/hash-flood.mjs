// Hash flooding, in-process on the real parser and aggregator (dist/): the same number of lines
// with names crafted to share one FNV-1a hash (from its public offset basis, as an attacker can
// make them offline) against random names of the same length. The ratio is the attack's effect:
// near 1 when collisions cost nothing extra.
//
//   node bench/hash-flood.mjs [PAIRS] [ROUNDS]     (2^PAIRS names, each sent ROUNDS times)
// Prints one JSON object.

import { Aggregator } from '../dist/aggregate/aggregator.js';
import { createDefaultSketch } from '../dist/aggregate/sketch.js';
import { LineParser } from '../dist/protocol/parser.js';
import { RejectCounter } from '../dist/protocol/rejects.js';
import { collidingNames } from './lib/fnv-multicollision.mjs';

const PAIRS = Number(process.argv[2] ?? 15);
const ROUNDS = Number(process.argv[3] ?? 10);
const LINES_PER_DATAGRAM = 20;

function datagrams(names) {
  const out = [];
  for (let i = 0; i < names.length; i += LINES_PER_DATAGRAM) {
    out.push(Buffer.from(names.slice(i, i + LINES_PER_DATAGRAM).map((n) => `${n}:1|c`).join('\n'), 'latin1'));
  }
  return out;
}

/** ns per line to parse and aggregate `names`, ROUNDS times over, into a fresh server pipeline. */
function nsPerLine(names) {
  const aggregator = new Aggregator({ histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0, keepGauges: false });
  const parser = new LineParser(aggregator, new RejectCounter(), {});
  const packets = datagrams(names);
  const start = process.hrtime.bigint();
  for (let r = 0; r < ROUNDS; r++) for (const p of packets) parser.parse(p);
  const ns = Number(process.hrtime.bigint() - start);
  const counted = [...aggregator.current().counters.values()].reduce((n, c) => n + c.sum, 0);
  if (counted !== names.length * ROUNDS) throw new Error(`counted ${counted} of ${names.length * ROUNDS}`);
  return ns / (names.length * ROUNDS);
}

const crafted = collidingNames(PAIRS);
const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
let seed = 7;
const random = crafted.map((name) =>
  name.replace(/[^.]/g, () => {
    seed = (Math.imul(seed, 48271) % 2147483647) >>> 0;
    return alphabet[seed % alphabet.length];
  }),
);
// Warm up both paths once, then measure.
nsPerLine(random.slice(0, 4096));
nsPerLine(crafted.slice(0, 4096));
const randomNs = nsPerLine(random);
const craftedNs = nsPerLine(crafted);
const ratio = +(craftedNs / randomNs).toFixed(2);
const [randomNsPerLine, craftedNsPerLine] = [Math.round(randomNs), Math.round(craftedNs)];
console.log(JSON.stringify({ names: crafted.length, rounds: ROUNDS, randomNsPerLine, craftedNsPerLine, ratio }));
