// C's printf as the outside reference for our `%f`: statsite prints every value with it, so the
// formatter (fast path and exact path) must give C's bytes. A tiny C program, compiled here, and
// python3's `'%f' % v` (correctly rounded like glibc) print the same doubles; values go to both as
// their 64 bits in hex, so neither side parses decimal text. The values: random ones of every
// magnitude and sign, random bit patterns (huge, subnormal), exact ties (odd multiples of 2^-7,
// the only doubles that end in a 5 at the seventh decimal) and their neighbours, the doubles
// nearest to decimal ties, integers, the fast path's edges, and nan/inf/-0.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatFixed, MAX_FIXED_BYTES, writeFixed } from '../../../src/naming/c-format.js';
import { describeIfInstalled, installed, warnSkipped, type ExternalTool } from '../../helpers/external-tools.js';
import { seeded } from '../../helpers/random.js';

const CC: ExternalTool = { name: 'a C compiler (cc)', files: ['/usr/bin/cc'], install: 'apt-get install gcc' };
const PYTHON3: ExternalTool = { name: 'python3', files: ['/usr/bin/python3'], install: 'apt-get install python3' };

/** The formats statsite uses: values, histogram bin names, quantile names (`.p%0.0f`). */
const C_PROGRAM = `
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
  char line[64];
  while (fgets(line, sizeof line, stdin)) {
    uint64_t bits = strtoull(line, NULL, 16);
    double v;
    memcpy(&v, &bits, sizeof v);
    printf("%f|%.2f|%.0f\\n", v, v, v);
  }
  return 0;
}
`;

const PYTHON_PROGRAM = `
import struct, sys
for line in sys.stdin:
    v = struct.unpack('>d', bytes.fromhex(line.strip()))[0]
    sys.stdout.write('%f|%.2f|%.0f\\n' % (v, v, v))
`;

const bits = new DataView(new ArrayBuffer(8));

function hexOf(v: number): string {
  bits.setFloat64(0, v);
  return bits.getBigUint64(0).toString(16).padStart(16, '0');
}

/** The next double up (+1) or down (-1) in bit order: the neighbours of a tie. */
function neighbour(v: number, step: 1 | -1): number {
  bits.setFloat64(0, v);
  bits.setBigUint64(0, bits.getBigUint64(0) + BigInt(step));
  return bits.getFloat64(0);
}

function values(): number[] {
  const random = seeded(0x5eed);
  const out: number[] = [
    0, -0, 1, -1, 0.5, 5e-7, -5e-7, 4.999999999999999e-7, 5.000000000000001e-7, 1e-7, 1.5e-6, 2.5e-6, 0.9999995,
    0.0000005, 1e15 + 0.5, -(1e15 + 0.5), 1e15 + 0.25, 999999999.9999995, 999999999.9999999, 1e9, 1e9 + 0.0000005,
    2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 63, 1e21, neighbour(1e21, -1), 1e22, 1.7976931348623157e308, -Number.MAX_VALUE,
    Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308, 0.125, 0.0078125, 0.0234375, 12.5, 13.5, 99.5, 0.995,
    0.005, 0.015, 0.025, 1.005, 2.675, NaN, Infinity, -Infinity,
  ];
  for (let i = 0; i <= 1000; i++) out.push(i, -i, i / 10, i / 100, i / 1000);
  for (let i = 0; i < 60_000; i++) {
    // Every magnitude from 1e-12 to 1e22, both signs.
    const magnitude = 10 ** Math.floor(random() * 35 - 12);
    out.push((random() - 0.5) * 2 * magnitude);
  }
  for (let i = 0; i < 20_000; i++) {
    // Exact ties: odd multiples of 2^-7 (C rounds them to even), and the doubles on either side.
    const tie = (2 * Math.floor(random() * 2 ** 40) + 1) / 128;
    const small = (2 * Math.floor(random() * 1000) + 1) / 128;
    out.push(tie, neighbour(tie, 1), neighbour(tie, -1), -tie, small, -small);
  }
  for (let i = 0; i < 20_000; i++) {
    // The doubles nearest to decimal ties at the sixth decimal (not exact: only C's exact expansion decides).
    const nearTie = (Math.floor(random() * 1e12) + 0.5) / 1e6;
    out.push(nearTie, neighbour(nearTie, 1), neighbour(nearTie, -1), -nearTie);
  }
  for (let i = 0; i < 10_000; i++) {
    // Integers, up to past 2^53, where a double is no longer every integer.
    out.push(Math.floor(random() * 2 ** Math.floor(random() * 70)));
  }
  for (let i = 0; i < 5_000; i++) {
    // Any finite double: random bit patterns (huge ones print 300 digits, subnormals print zero).
    bits.setUint32(0, Math.floor(random() * 2 ** 32));
    bits.setUint32(4, Math.floor(random() * 2 ** 32));
    const v = bits.getFloat64(0);
    if (Number.isFinite(v)) out.push(v);
  }
  return out;
}

/** What our formatter prints, in the reference's `%f|%.2f|%.0f` lines. */
function ours(vs: readonly number[]): string[] {
  return vs.map((v) => `${formatFixed(v)}|${formatFixed(v, 2)}|${formatFixed(v, 0)}`);
}

/** The line writers' bytes (writeFixed), as `%f` text. */
function ourBytes(vs: readonly number[]): string[] {
  const out = new Uint8Array(MAX_FIXED_BYTES);
  return vs.map((v) => Buffer.from(out.subarray(0, writeFixed(out, 0, v))).toString('latin1'));
}

/** Line i of both outputs where they differ, with the value, at most 20. */
function differences(vs: readonly number[], expected: readonly string[], actual: readonly string[]): string[] {
  const diffs: string[] = [];
  for (let i = 0; i < vs.length && diffs.length < 20; i++) {
    if (expected[i] !== actual[i]) diffs.push(`0x${hexOf(vs[i])} (${vs[i]}): reference ${expected[i]}, ours ${actual[i]}`);
  }
  return diffs;
}

const VALUES = values();
const INPUT = VALUES.map(hexOf).join('\n') + '\n';

/** Runs a reference printer over INPUT; its output lines. */
function reference(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const output = execFileSync(command, args, { input: INPUT, maxBuffer: 1 << 30, encoding: 'latin1', env });
  const lines = output.split('\n');
  expect(lines.pop()).toBe('');
  expect(lines).toHaveLength(VALUES.length);
  return lines;
}

describeIfInstalled([CC], "formatFixed against C's printf", () => {
  const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-printf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`prints %f, %.2f and %.0f byte for byte as C does, over ${VALUES.length} values`, () => {
    writeFileSync(join(dir, 'printf.c'), C_PROGRAM);
    execFileSync(CC.files[0], ['-O2', '-o', join(dir, 'printf'), join(dir, 'printf.c')]);
    const c = reference(join(dir, 'printf'), []);
    expect(differences(VALUES, c, ours(VALUES))).toEqual([]);
    expect(differences(VALUES, c.map((line) => line.split('|')[0]), ourBytes(VALUES))).toEqual([]);
  }, 60_000);
});

describe("formatFixed against python3's '%f'", () => {
  it('prints what python3 prints', (ctx) => {
    if (!installed(PYTHON3)) {
      warnSkipped("the comparison with python3's '%f'", PYTHON3);
      ctx.skip();
    }
    // A python3 earlier on PATH (pyenv) may differ from the system's; the system's is the reference.
    const env = { ...process.env };
    delete env.PYTHONPATH;
    delete env.PYTHONHOME;
    const python = reference(PYTHON3.files[0], ['-c', PYTHON_PROGRAM], env);
    expect(differences(VALUES, python, ours(VALUES))).toEqual([]);
  }, 60_000);
});
