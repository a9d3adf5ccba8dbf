// statsite's binary messages against text lines, in-process on the real parsers and aggregator
// (dist/): the same samples — 1000 keys, counters and timers alternating, 20 to a datagram — as
// text datagrams and as binary ones, through the datagram path the UDP listener takes. The ratio
// says whether a binary client costs the server more than a text one.
//
//   node bench/binary-protocol.mjs [ROUNDS]     (each of the 1000 datagrams parsed ROUNDS times)
// Prints one JSON object.

import { Aggregator } from '../dist/aggregate/aggregator.js';
import { createDefaultSketch } from '../dist/aggregate/sketch.js';
import { BinaryParser } from '../dist/protocol/binary-parser.js';
import { LineParser } from '../dist/protocol/parser.js';
import { parseDatagram } from '../dist/protocol/parsers.js';
import { RejectCounter } from '../dist/protocol/rejects.js';

const ROUNDS = Number(process.argv[2] ?? 200);
const KEYS = 1000;
const PER_DATAGRAM = 20;
const DATAGRAMS = 1000;
/** Rounds between swaps: a bucket holds about as many samples as a busy interval. */
const ROUNDS_PER_BUCKET = 50;

/** statsite's binary message: 0xAA, type, key length with its NUL, the value, the key and NUL. */
function binaryMessage(type, key, value) {
  const keyBytes = Buffer.from(key + '\0');
  const header = Buffer.alloc(12);
  header[0] = 0xaa;
  header[1] = type;
  header.writeUInt16LE(keyBytes.length, 2);
  header.writeDoubleLE(value, 4);
  return Buffer.concat([header, keyBytes]);
}

const text = [];
const binary = [];
for (let d = 0; d < DATAGRAMS; d++) {
  let lines = '';
  const messages = [];
  for (let l = 0; l < PER_DATAGRAM; l++) {
    const n = (d * PER_DATAGRAM + l) % KEYS;
    const counter = l % 2 === 1;
    lines += counter ? `k${n}:1|c\n` : `k${n}:${n}|ms\n`;
    messages.push(binaryMessage(counter ? 0x2 : 0x3, `k${n}`, counter ? 1 : n));
  }
  text.push(Buffer.from(lines));
  binary.push(Buffer.concat(messages));
}

/** ns per sample to parse and aggregate `datagrams`, `rounds` times over, into a fresh pipeline. */
function nsPerSample(datagrams, rounds) {
  const aggregator = new Aggregator({ histograms: [], setPrecision: 12, newSketch: createDefaultSketch, maxSeries: 0, keepGauges: false });
  const rejects = new RejectCounter();
  const lines = new LineParser(aggregator, rejects, { maxKeyBytes: 4096 });
  const parsers = { lines, binary: new BinaryParser(aggregator, rejects, lines) };
  let samples = 0;
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    for (const datagram of datagrams) samples += parseDatagram(parsers, datagram);
    if (r % ROUNDS_PER_BUCKET === ROUNDS_PER_BUCKET - 1) aggregator.swap();
  }
  const ns = Number(process.hrtime.bigint() - start);
  if (samples !== datagrams.length * PER_DATAGRAM * rounds || rejects.total > 0) {
    throw new Error(`accepted ${samples}, rejected ${rejects.total}`);
  }
  return ns / samples;
}

// Warm up both paths, then measure them in turn, twice, and keep each one's best.
nsPerSample(text, 20);
nsPerSample(binary, 20);
const textNs = Math.min(nsPerSample(text, ROUNDS), nsPerSample(text, ROUNDS));
const binaryNs = Math.min(nsPerSample(binary, ROUNDS), nsPerSample(binary, ROUNDS));
console.log(JSON.stringify({
  samples: DATAGRAMS * PER_DATAGRAM * ROUNDS,
  textNsPerSample: Math.round(textNs),
  binaryNsPerSample: Math.round(binaryNs),
  ratio: +(binaryNs / textNs).toFixed(2),
}));
