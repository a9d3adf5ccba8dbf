// The cases captured from a real statsd_exporter 0.23 (test/exporter/, README there), replayed
// against bin/statsite-ts with the Prometheus sink at its defaults: after the last round the
// endpoint must expose the same families with the same types, the same series (names and label
// sets) and the same values — counters, gauges, _sum and _count up to float rounding, quantiles
// within 2 % — and besides them only statsite-ts's own operational series.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendThenFlush, stats, waitForMoreFlushes } from '../helpers/admin.js';
import { sendUdp } from '../helpers/clients.js';
import { parseExposition, type ExposedFamily } from '../helpers/exposition.js';
import { freePort } from '../helpers/ports.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

interface ExporterCase {
  id: string;
  shows: string;
  lines: Record<string, string[]>;
  families: string[];
}

const dir = new URL('../exporter/', import.meta.url);
const captured = JSON.parse(readFileSync(new URL('cases.json', dir), 'utf8')) as { rounds: number; cases: ExporterCase[] };
const expected = parseExposition(readFileSync(new URL('expected.prom', dir), 'utf8'));

/** Relative difference, with 0 against 0 as none. */
const relative = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));

describe('statsd_exporter 0.23 captured cases, replayed', () => {
  let ours: Map<string, ExposedFamily>;

  beforeAll(async () => {
    const metrics = await freePort();
    const admin = await freePort();
    const server = await startServer({ args: ['--flush-interval', '1', '--admin', `127.0.0.1:${admin}`, '--sink', `prometheus://127.0.0.1:${metrics}`] });
    for (let round = 1; round <= captured.rounds; round++) {
      const lines = captured.cases.flatMap((c) => c.lines[String(round)] ?? []);
      // Every line its own datagram, as the capture sent them; then one flush takes them all.
      await sendThenFlush(admin, lines.length, async () => {
        for (const line of lines) await sendUdp(server.port, line);
      });
    }
    // The sink applies a flush after it is swapped out: one more flush and the last round is in.
    await waitForMoreFlushes(admin, 2);
    expect((await stats(admin))['parse_errors.total']).toBe(0);
    const text = await waitFor(async () => {
      const body = await (await fetch(`http://127.0.0.1:${metrics}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
      return body.includes('web_logins 6') && body;
    }, { what: 'the last round in the exposition' });
    ours = parseExposition(text);
  }, 60_000);

  afterAll(() => stopAllServers());

  it('exposes exactly the families the exporter exposed, besides its own operational series', () => {
    const own = [...ours.keys()].filter((name) => !name.startsWith('statsite_ts_')).sort();
    expect(own).toEqual([...expected.keys()].sort());
    expect(own).toEqual(captured.cases.flatMap((c) => c.families).sort());
  });

  it.each(captured.cases.map((c) => [c.id, c] as const))('%s: the same types, series and values', (_, c) => {
    for (const name of c.families) {
      const theirs = expected.get(name)!;
      const mine = ours.get(name);
      expect(mine?.type, `${c.id} ${name}: ${c.shows}`).toBe(theirs.type);
      expect([...mine!.samples.keys()].sort()).toEqual([...theirs.samples.keys()].sort());
      for (const [series, value] of theirs.samples) {
        const tolerance = series.includes('quantile=') ? 0.02 : 1e-9;
        expect(relative(mine!.samples.get(series)!, value), `${series}: ours ${mine!.samples.get(series)}, theirs ${value}`)
          .toBeLessThanOrEqual(tolerance);
      }
    }
  });

  it("also exposes the exporter's operational series under statsite_ts_ names", () => {
    const lines = captured.cases.reduce((n, c) => n + Object.values(c.lines).flat().length, 0);
    expect(ours.get('statsite_ts_lines_total')?.samples.get('statsite_ts_lines_total')).toBe(lines);
    expect(ours.get('statsite_ts_udp_packets_total')?.samples.get('statsite_ts_udp_packets_total')).toBe(lines);
    expect(ours.get('statsite_ts_events_total')?.type).toBe('counter');
    expect(ours.get('statsite_ts_events_conflict_total')?.samples.get('statsite_ts_events_conflict_total{type="counter"}')).toBe(0);
  });
});
