// The HTTP sink's JSON document (README "HTTP sink"), byte for byte, and how a flush is cut into
// documents. The golden interval is test/helpers/golden-bucket.ts. The literal below is the
// document's text: JSON.stringify of a literal keeps its key order and spells its numbers the way
// the sink does, so comparing strings checks field order and number spelling as well as values.

import { describe, expect, it } from 'vitest';
import { quantileField, renderDocuments, SERIES_PER_DOCUMENT, type JsonDocument } from '../../../../src/sinks/http/json-document.js';
import { goldenBucket, GOLDEN_INTERVAL, GOLDEN_TIMESTAMP } from '../../../helpers/golden-bucket.js';

/** Each document renderDocuments emits, as text, with its series count. */
function documents(lines?: readonly string[], quantiles: readonly number[] = [0.5, 0.95, 0.99]): Array<[string, number]> {
  const docs: Array<[string, number]> = [];
  for (const _ of renderDocuments(goldenBucket(lines), GOLDEN_TIMESTAMP, GOLDEN_INTERVAL, quantiles, (json, n) => docs.push([json, n])));
  return docs;
}

describe('JSON documents', () => {
  it('carry the golden interval as this document: names as received, tags as an object, kv values in arrival order', () => {
    const golden = {
      timestamp: 1700000000,
      interval: 10,
      series: [
        { name: 'api.hits', tags: {}, type: 'counter', fields: { sum: 5.333333333333334, count: 4, rate: 0.5333333333333334 } },
        { name: 'api.errors', tags: { canary: '', env: 'prod' }, type: 'counter', fields: { sum: 1, count: 1, rate: 0.1 } },
        {
          name: 'api.latency', tags: {}, type: 'timer',
          fields: {
            count: 5, sum: 247, sum_sq: 19369, mean: 49.4, lower: 12, upper: 120, stdev: 42.32965863316169,
            p50: 30, p95: 120, p99: 120, rate: 24.7, sample_rate: 0.5,
            histogram: { min: 0, max: 100, width: 25, bins: [0, 1, 2, 1, 0, 1] },
          },
        },
        {
          name: 'db.query', tags: {}, type: 'timer',
          fields: {
            count: 4, sum: 12, sum_sq: 80, mean: 6, lower: 4, upper: 8, stdev: 2.8284271247461903,
            p50: 4, p95: 8, p99: 8, rate: 1.2, sample_rate: 0.4,
          },
        },
        { name: 'queue.depth', tags: {}, type: 'gauge', fields: { value: 5 } },
        { name: 'workers.busy', tags: {}, type: 'gauge', fields: { value: 3 } },
        { name: 'users', tags: {}, type: 'set', fields: { size: 2 } },
        { name: 'deploy.version', tags: {}, type: 'kv', fields: { values: [42, 43] } },
      ],
    } satisfies JsonDocument;
    expect(documents()).toEqual([[JSON.stringify(golden), 8]]);
  });

  it('split a big flush into documents of at most SERIES_PER_DOCUMENT series; an empty one sends nothing', () => {
    const lines = Array.from({ length: SERIES_PER_DOCUMENT * 2 + 5 }, (_, i) => `c${i}:1|c`);
    const docs = documents(lines, []);
    expect(docs.map(([json, n]) => [n, (JSON.parse(json) as JsonDocument).series.length])).toEqual([
      [SERIES_PER_DOCUMENT, SERIES_PER_DOCUMENT], [SERIES_PER_DOCUMENT, SERIES_PER_DOCUMENT], [5, 5],
    ]);
    expect(new Set(docs.map(([json]) => (JSON.parse(json) as JsonDocument).timestamp))).toEqual(new Set([GOLDEN_TIMESTAMP]));
    expect(documents([])).toEqual([]);
  });

  it('leave out fields that are not finite numbers instead of writing null, and say which', () => {
    const omitted: string[] = [];
    const docs: string[] = [];
    const lines = ['huge:1e300|ms', 'huge:1e300|ms', 'big:1e308|c', 'big:1e308|c', 'fine:2|c'];
    const omit = (name: string, field: string) => omitted.push(`${name} ${field}`);
    for (const _ of renderDocuments(goldenBucket(lines), 1, 10, [0.5], (json) => docs.push(json), omit));
    expect(docs.join('')).not.toMatch(/null/);
    const series = (JSON.parse(docs[0]) as JsonDocument).series;
    expect(series.find((s) => s.name === 'big')!.fields).toEqual({ count: 2 });
    expect(series.find((s) => s.name === 'fine')!.fields).toEqual({ sum: 2, count: 1, rate: 0.2 });
    expect(series.find((s) => s.name === 'huge')!.fields).toMatchObject({ count: 2, sum: 2e300, lower: 1e300, upper: 1e300 });
    expect(omitted).toEqual(['big sum', 'big rate', 'huge sum_sq']);
  });

  it('name quantile fields pNN', () => {
    expect([0.5, 0.9, 0.95, 0.99, 0.999, 0.25].map(quantileField)).toEqual(['p50', 'p90', 'p95', 'p99', 'p99_9', 'p25']);
  });
});
