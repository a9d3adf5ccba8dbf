// The Grafana dashboards in packaging/grafana/ as the tests read them: their panels' queries
// (Graphite `target`s, Prometheus `expr`s), their template variables, and the queries with the
// variables filled in — as Grafana would before sending them to the data source.
//
//   loadDashboard(file): Dashboard        parsed JSON
//   queriesOf(d): PanelQuery[]            every query of every panel (rows' nested panels too)
//   variablesIn(query): string[]          the variables a query uses ($name, ${name}, [[name]])
//   fill(query, values): string           the query with each variable replaced

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './server.js';

export const DASHBOARD_DIR = join(REPO_ROOT, 'packaging', 'grafana');

export interface DashboardTarget {
  refId: string;
  target?: string;
  expr?: string;
  datasource?: { type: string; uid: string };
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: DashboardTarget[];
  panels?: DashboardPanel[];
  repeat?: string;
}

export interface DashboardVariable {
  name: string;
  type: string;
  query: string;
  /** For a query variable: what of each answer becomes a value (`/…(group)…/`). */
  regex?: string;
  datasource?: { type: string; uid: string };
}

export interface Dashboard {
  __inputs: Array<{ name: string; type: string; pluginId: string }>;
  uid: string;
  title: string;
  schemaVersion: number;
  panels: DashboardPanel[];
  templating: { list: DashboardVariable[] };
}

export interface PanelQuery {
  panel: string;
  refId: string;
  query: string;
}

export function loadDashboard(file: string): Dashboard {
  return JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) as Dashboard;
}

export function allPanels(d: Dashboard): DashboardPanel[] {
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

export function queriesOf(d: Dashboard): PanelQuery[] {
  return allPanels(d).flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, refId: t.refId, query: t.target ?? t.expr ?? '' })));
}

const VARIABLE = /\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g;

export function variablesIn(query: string): string[] {
  return [...query.matchAll(VARIABLE)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** `query` with its variables replaced; throws on one `values` lacks. */
export function fill(query: string, values: Record<string, string>): string {
  return query.replace(VARIABLE, (_, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c)!;
    if (!(name in values)) throw new Error(`no value for $${name} in ${query}`);
    return values[name];
  });
}
