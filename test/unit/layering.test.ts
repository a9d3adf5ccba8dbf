// The import order of src/ (../../docs/architecture.md, "Layers"): a folder imports only folders
// of lower layers, and no two folders import each other, directly or through a cycle. Read from
// the source text, so a new import that breaks the order fails here, not in a reviewer's head.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '../../src');

/** What each lower layer may import; folders not listed (ingest, config, admin, …) sit around them. */
const ALLOWED: Record<string, readonly string[]> = {
  model: [],
  util: ['model'],
  log: ['model', 'util'],
  protocol: ['model', 'util'],
  aggregate: ['model', 'util'],
  naming: ['model', 'util', 'aggregate'],
  sinks: ['model', 'util', 'aggregate', 'naming', 'log'],
  // The restart hand-over writes the forward snapshot format, which merges every metric type.
  flush: ['model', 'util', 'aggregate', 'log', 'sinks/sink.ts', 'sinks/forward/snapshot.ts'],
};
/** Only type declarations for packages live here. */
const IGNORED = new Set(['types']);

interface Edge {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every relative import of src/, as paths relative to src/ (`sinks/sink.ts`). */
function imports(): Edge[] {
  const spec = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  return sourceFiles(SRC).flatMap((file) => {
    const from = relative(SRC, file);
    return [...readFileSync(file, 'utf8').matchAll(spec)].map((m) => ({
      from,
      to: normalize(join(dirname(from), m[1])).replace(/\.js$/, '.ts'),
    }));
  });
}

/** The folder a src/ path belongs to; `.` for files at the top (server.ts). */
const folderOf = (path: string): string => (path.includes('/') ? path.slice(0, path.indexOf('/')) : '.');

function allowed(from: string, to: string): boolean {
  const rules = ALLOWED[folderOf(from)];
  if (rules === undefined) return true;
  return rules.some((rule) => (rule.endsWith('.ts') ? to === rule : folderOf(to) === rule));
}

/** Folders that reach themselves through other folders: each cycle once, as a path. */
function folderCycles(edges: readonly Edge[]): string[] {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const [a, b] = [folderOf(from), folderOf(to)];
    if (a === b || IGNORED.has(b)) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)!.add(b);
  }
  const cycles = new Set<string>();
  const walk = (node: string, path: string[]): void => {
    const at = path.indexOf(node);
    if (at >= 0) {
      const cycle = path.slice(at);
      const start = cycle.indexOf([...cycle].sort()[0]);
      cycles.add([...cycle.slice(start), ...cycle.slice(0, start), cycle[start]].join(' -> '));
      return;
    }
    for (const next of graph.get(node) ?? []) walk(next, [...path, node]);
  };
  for (const node of graph.keys()) walk(node, []);
  return [...cycles];
}

describe('src/ layering', () => {
  const edges = imports();

  it('finds the imports it checks', () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(edges.some((e) => e.from === 'flush/flusher.ts' && e.to === 'sinks/sink.ts')).toBe(true);
  });

  it('imports only from lower layers', () => {
    const wrong = edges.filter((e) => folderOf(e.from) !== folderOf(e.to) && !allowed(e.from, e.to));
    expect(wrong.map((e) => `${e.from} imports ${e.to}`)).toEqual([]);
  });

  it('has no two folders importing each other', () => {
    expect(folderCycles(edges)).toEqual([]);
  });

  it('would catch a wrong-way import and a cycle', () => {
    expect(allowed('aggregate/bucket.ts', 'protocol/parser.ts')).toBe(false);
    expect(allowed('flush/flusher.ts', 'sinks/registry.ts')).toBe(false);
    expect(allowed('sinks/graphite/graphite-sink.ts', 'config/load-config.ts')).toBe(false);
    const cycle = [
      { from: 'admin/a.ts', to: 'ingest/b.ts' },
      { from: 'ingest/b.ts', to: 'config/c.ts' },
      { from: 'config/c.ts', to: 'admin/d.ts' },
    ];
    expect(folderCycles(cycle)).toEqual(['admin -> ingest -> config -> admin']);
  });
});
