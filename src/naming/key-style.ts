// How one output spells a series key: its path (prefix + name + field) and its tags. The stream
// format writes names as received; Graphite needs them sanitised (see graphite-key.ts).

import { tagPairs } from '../model/series-key.js';

export interface KeyStyle {
  /**
   * The path of one value, e.g. `timers.api.latency.p95`. Two rules let renderPoints call it
   * once per series rather than per value: a path it leaves unchanged stays unchanged after a
   * suffix it leaves unchanged after `x` (a field: `x.p95`); and a prefix it leaves unchanged
   * before `x` (`statsite.timers.x`) leaves unchanged any non-empty name it leaves unchanged.
   */
  path(path: string): string;
  /** path() returns every path unchanged: renderPoints then never calls it. */
  readonly verbatim?: boolean;
  /** The canonical tag list as a key suffix ('' for none). */
  tags(canonicalTags: string): string;
}

/** DogStatsD tags in Graphite's tagged-series form: `;k=v` per tag, sorted; a bare tag reads `tag=true`. */
export function tagSuffix(canonicalTags: string, name = (n: string) => n, value = (v: string) => v): string {
  let suffix = '';
  for (const [n, v] of tagPairs(canonicalTags)) {
    const tagName = name(n);
    const tagValue = value(v === '' ? 'true' : v);
    if (tagName !== '' && tagValue !== '') suffix += ';' + tagName + '=' + tagValue;
  }
  return suffix;
}

/** statsite's stream format: names as received, tags Graphite-style. */
export const STREAM_KEYS: KeyStyle = {
  path: (path) => path,
  verbatim: true,
  tags: (canonicalTags) => tagSuffix(canonicalTags),
};
