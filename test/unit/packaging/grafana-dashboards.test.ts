// The shipped Grafana dashboards are importable as they are: each declares the basics of the
// dashboard schema it names (uid, title, schemaVersion, panels with ids and grid positions,
// templating), asks for its data source as an import input, and uses no variable it does not
// declare. That their queries return data is the e2e test's (test/e2e/grafana-dashboards.test.ts).

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allPanels, DASHBOARD_DIR, loadDashboard, queriesOf, variablesIn } from '../../helpers/grafana-dashboard.js';

const FILES = readdirSync(DASHBOARD_DIR).filter((f) => f.endsWith('.json'));
/** Variables Grafana itself provides. */
const BUILTIN = new Set(['__rate_interval', '__interval', '__range', '__all']);

describe('packaging/grafana dashboards', () => {
  it('are the three the docs promise', () => {
    expect(FILES.sort()).toEqual(['statsd-overview-graphite.json', 'statsite-ts-graphite.json', 'statsite-ts-prometheus.json']);
  });

  it('have distinct uids', () => {
    const uids = FILES.map((f) => loadDashboard(f).uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  for (const file of FILES) {
    describe(file, () => {
      const d = loadDashboard(file);

      it('declares the schema basics: uid, title, schemaVersion, panels, templating', () => {
        expect(d.uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
        expect(d.title.length).toBeGreaterThan(0);
        expect(Number.isInteger(d.schemaVersion) && d.schemaVersion >= 36).toBe(true);
        expect(Array.isArray(d.panels) && d.panels.length > 0).toBe(true);
        expect(Array.isArray(d.templating.list)).toBe(true);
        const panels = allPanels(d);
        expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
        for (const p of panels) {
          expect(['row', 'timeseries', 'stat']).toContain(p.type);
          const { x, y, w, h } = p.gridPos;
          expect([x, y, w, h].every(Number.isInteger) && x >= 0 && w > 0 && x + w <= 24 && h > 0 && y >= 0, p.title).toBe(true);
          if (p.type !== 'row') expect(p.targets?.length, p.title).toBeGreaterThan(0);
        }
      });

      it('asks for its data source at import and uses it everywhere', () => {
        expect(d.__inputs).toHaveLength(1);
        const [input] = d.__inputs;
        expect(input.type).toBe('datasource');
        const wanted = { type: input.pluginId, uid: `\${${input.name}}` };
        for (const p of allPanels(d).filter((panel) => panel.type !== 'row')) {
          expect(p.datasource, p.title).toEqual(wanted);
          for (const t of p.targets ?? []) expect(t.datasource, `${p.title} ${t.refId}`).toEqual(wanted);
        }
        for (const v of d.templating.list.filter((variable) => variable.type === 'query')) expect(v.datasource, v.name).toEqual(wanted);
      });

      it('uses only the variables it declares', () => {
        const declared = new Set(d.templating.list.map((v) => v.name));
        const used = [...queriesOf(d).map((q) => q.query), ...d.templating.list.map((v) => v.query)].flatMap(variablesIn);
        for (const name of used) expect(declared.has(name) || BUILTIN.has(name), `$${name}`).toBe(true);
        for (const p of allPanels(d).filter((panel) => panel.repeat !== undefined)) expect(declared.has(p.repeat!)).toBe(true);
      });
    });
  }
});
