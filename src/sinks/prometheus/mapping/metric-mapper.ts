// Applies a mapping config to one StatsD name, with the exporter's order (pkg/mapper):
// - every glob mapping is tried before any regex mapping, wherever they are in the file;
// - among globs the first in file order wins, or with `glob_disable_ordering` the most specific
//   (a literal part beats `*`, from the left), as the exporter's state machine finds it;
// - among regexes the first in file order whose `match_metric_type` fits.
// A glob's `*` is one whole dot-separated part. The registry maps a name once per new series and
// keeps the answer, so nothing here runs per line.

import { expandGoTemplate, toJsRegExp } from './go-regexp.js';
import type { Mapping, MappingConfig, MatchMetricType } from './mapping-config.js';

export interface MappedName {
  mapping: Mapping;
  /** The mapping's name template filled in (not yet sanitised; may be empty). */
  name: string;
  /** The mapping's labels, values filled in. */
  labels: Array<[string, string]>;
}

/** A trie over dot-separated glob parts; a mapping sits at the node its last part ends on. */
interface GlobNode {
  literal: Map<string, GlobNode>;
  star: GlobNode | null;
  /** Mapping indices ending here, in file order. */
  ends: number[];
}

const newNode = (): GlobNode => ({ literal: new Map(), star: null, ends: [] });

export class MetricMapper {
  private readonly globs = newNode();
  private readonly regexes: Array<{ index: number; regex: RegExp }> = [];
  private readonly mappings: readonly Mapping[];
  private readonly orderingDisabled: boolean;

  constructor(config: MappingConfig) {
    this.mappings = config.mappings;
    this.orderingDisabled = config.defaults.globDisableOrdering;
    config.mappings.forEach((m, index) => {
      if (m.matchType === 'regex') {
        this.regexes.push({ index, regex: toJsRegExp(m.match) });
        return;
      }
      let node = this.globs;
      for (const part of m.match.split('.')) {
        if (part === '*') node = node.star ??= newNode();
        else {
          let next = node.literal.get(part);
          if (next === undefined) node.literal.set(part, (next = newNode()));
          node = next;
        }
      }
      node.ends.push(index);
    });
  }

  get size(): number {
    return this.mappings.length;
  }

  /** The mapping for a StatsD name of `type`, or null when none matches. */
  map(name: string, type: MatchMetricType): MappedName | null {
    return this.matchGlob(name, type) ?? this.matchRegex(name, type);
  }

  private matchGlob(name: string, type: MatchMetricType): MappedName | null {
    const parts = name.split('.');
    const captures: string[] = [];
    let best: { index: number; captures: string[] } | null = null;
    // Depth first, a literal part before `*`: the first match found is the most specific one.
    const walk = (node: GlobNode, at: number): boolean => {
      if (at === parts.length) {
        for (const index of node.ends) {
          const t = this.mappings[index].matchMetricType;
          if (t !== null && t !== type) continue;
          if (best === null || index < best.index) best = { index, captures: [...captures] };
          return this.orderingDisabled;
        }
        return false;
      }
      const literal = node.literal.get(parts[at]);
      if (literal !== undefined && walk(literal, at + 1)) return true;
      if (node.star !== null) {
        captures.push(parts[at]);
        const done = walk(node.star, at + 1);
        captures.pop();
        if (done) return true;
      }
      return false;
    };
    walk(this.globs, 0);
    if (best === null) return null;
    const { index, captures: found } = best as { index: number; captures: string[] };
    const mapping = this.mappings[index];
    return {
      mapping,
      name: fillGlobTemplate(mapping.name, found),
      labels: mapping.labels.map(([label, value]) => [label, fillGlobTemplate(value, found)]),
    };
  }

  private matchRegex(name: string, type: MatchMetricType): MappedName | null {
    for (const { index, regex } of this.regexes) {
      const mapping = this.mappings[index];
      if (mapping.matchMetricType !== null && mapping.matchMetricType !== type) continue;
      regex.lastIndex = 0;
      const match = regex.exec(name);
      if (match === null) continue;
      return {
        mapping,
        name: expandGoTemplate(mapping.name, match),
        labels: mapping.labels.map(([label, value]) => [label, expandGoTemplate(value, match)]),
      };
    }
    return null;
  }
}

/**
 * A glob mapping's template with `$n`/`${n}` replaced by the n-th `*` part, as the exporter's
 * TemplateFormatter: a reference that is not a number from 1 to the number of `*` gives ''.
 */
export function fillGlobTemplate(template: string, captures: readonly string[]): string {
  if (!template.includes('$')) return template;
  return template.replace(/\$\{?([a-zA-Z0-9_$]+)\}?/g, (_, ref: string) => {
    const n = /^\d+$/.test(ref) ? Number(ref) : 0;
    return n >= 1 && n <= captures.length ? captures[n - 1] : '';
  });
}
