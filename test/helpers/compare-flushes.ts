// Comparing the flushes a server printed with the flushes it should have
// printed: flush by flush, the same multiset of `KEY|VALUE` lines, except
// that quantile lines only need the same key and a value inside the band.

import { inBand, type QuantileKey } from './quantile-band.js';

export interface KeyValue {
  key: string;
  value: string;
}

/** Returns the quantile meaning of a key, or undefined for an exact line. */
export type QuantileMatcher = (key: string) => QuantileKey | undefined;

function count(items: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

/** Items of `a` not matched by an item of `b`, repeats included. */
function minus(a: readonly string[], b: readonly string[]): string[] {
  const left = count(b);
  const out: string[] = [];
  for (const item of a) {
    const n = left.get(item) ?? 0;
    if (n > 0) left.set(item, n - 1);
    else out.push(item);
  }
  return out.sort();
}

function compareOne(label: string, expected: readonly KeyValue[], actual: readonly KeyValue[], isQuantile: QuantileMatcher): string[] {
  const exact = (lines: readonly KeyValue[]) => lines.filter((l) => !isQuantile(l.key)).map((l) => `${l.key}|${l.value}`);
  const quantileKeys = (lines: readonly KeyValue[]) => lines.filter((l) => isQuantile(l.key)).map((l) => l.key);

  const problems: string[] = [];
  for (const line of minus(exact(expected), exact(actual))) problems.push(`${label} missing     ${line}`);
  for (const line of minus(exact(actual), exact(expected))) problems.push(`${label} unexpected  ${line}`);

  const expectedQ = quantileKeys(expected);
  for (const key of minus(expectedQ, quantileKeys(actual))) problems.push(`${label} missing     ${key}|<quantile>`);
  const extraQ = minus(quantileKeys(actual), expectedQ);
  for (const key of extraQ) problems.push(`${label} unexpected  ${key}|<quantile>`);

  const extra = count(extraQ);
  for (const line of actual) {
    const quantile = isQuantile(line.key);
    if (quantile === undefined) continue;
    const n = extra.get(line.key) ?? 0;
    if (n > 0) {
      extra.set(line.key, n - 1); // already reported as unexpected
      continue;
    }
    const value = Number(line.value);
    if (!/^-?\d+\.\d{6}$/.test(line.value) || !inBand(value, quantile.band)) {
      const { lo, hi, n: samples } = quantile.band;
      problems.push(
        `${label} out of band ${line.key}|${line.value}: want %f within [${lo}, ${hi}] ` +
          `(q=${quantile.q} of ${samples} samples of ${quantile.timer})`,
      );
    }
  }
  return problems;
}

/**
 * Problems found, one per line, prefixed by the flush label (`F0`, `F1`, …);
 * empty when the output matches. A flush missing on either side shows as
 * all its lines missing or unexpected.
 */
export function compareFlushes(
  expected: readonly (readonly KeyValue[])[],
  actual: readonly (readonly KeyValue[])[],
  isQuantile: QuantileMatcher,
): string[] {
  const problems: string[] = [];
  const flushes = Math.max(expected.length, actual.length);
  for (let i = 0; i < flushes; i++) {
    problems.push(...compareOne(`F${i}`, expected[i] ?? [], actual[i] ?? [], isQuantile));
  }
  return problems;
}

/** Flushes as readable text: `F0 KEY|VALUE` per line. */
export function formatFlushes(flushes: readonly (readonly KeyValue[])[]): string {
  const lines = flushes.flatMap((f, i) => [...f].map((l) => `F${i} ${l.key}|${l.value}`).sort());
  return lines.length > 0 ? lines.join('\n') : '(no lines)';
}
