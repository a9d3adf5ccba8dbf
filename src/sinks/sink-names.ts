// A sink's name: what metric paths (`sinks.<name>.sent_lines`), /stats, /ready, the logs and the
// status page call it. It is given as `name` (`?name=` in a spec; `stream?name=NAME:COMMAND` for
// a stream command, whose spec is all command after its colon) or defaults to the sink's type,
// numbered per type in config order (`graphite`, `graphite_2`, …), so a dashboard keeps working
// when a destination moves.

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** `stream:` or `stream+binary:`, the kind of a stream spec (all command text after it). */
const STREAM = /^stream(\+binary)?:/;
/** `stream?name=…:` or `stream+binary?name=…:`: a named stream spec. */
const STREAM_NAMED = /^(stream(?:\+binary)?)\?/;

/** Why `name` cannot name a sink, or null when it can: it must be one metric path segment. */
export function badSinkName(name: string): string | null {
  return NAME.test(name) ? null : `sink name "${name}" must be 1 to 64 letters, digits, "_" or "-"`;
}

/** `spec` with `name` as its name option. */
export function withSinkName(spec: string, name: string): string {
  const stream = STREAM.exec(spec);
  if (stream !== null) return `${stream[0].slice(0, -1)}?name=${encodeURIComponent(name)}:${spec.slice(stream[0].length)}`;
  return `${spec}${spec.includes('?') ? '&' : '?'}name=${encodeURIComponent(name)}`;
}

/** Takes the name option off a spec: the spec as its sink's parser reads it, and the name given (null: none). */
export function splitSinkName(spec: string): { spec: string; name: string | null } {
  let name: string | null = null;
  let rest = spec;
  const named = STREAM_NAMED.exec(spec);
  if (named !== null) {
    const colon = spec.indexOf(':');
    if (colon < 0) throw new Error(`sink "${spec}": a named stream sink reads ${named[1]}?name=NAME:COMMAND`);
    name = new URLSearchParams(spec.slice(named[0].length, colon)).get('name');
    rest = `${named[1]}:${spec.slice(colon + 1)}`;
  } else if (!STREAM.test(spec)) {
    const q = spec.indexOf('?');
    if (q < 0) return { spec, name: null };
    const query = new URLSearchParams(spec.slice(q + 1));
    name = query.get('name');
    if (name === null) return { spec, name: null };
    query.delete('name');
    rest = `${spec.slice(0, q)}${query.size > 0 ? `?${query}` : ''}`;
  }
  if (name === null) return { spec: rest, name: null };
  const bad = badSinkName(name);
  if (bad !== null) throw new Error(`sink "${rest.split('?')[0]}": ${bad}`);
  return { spec: rest, name };
}

/**
 * Every sink's name, in order: the given ones, and for the rest their type numbered per type.
 * Throws when two sinks would have the same name.
 */
export function assignSinkNames(sinks: ReadonlyArray<{ type: string; name: string | null }>): string[] {
  const perType = new Map<string, number>();
  const names = sinks.map(({ type, name }) => {
    const n = (perType.get(type) ?? 0) + 1;
    perType.set(type, n);
    return name ?? (n === 1 ? type : `${type}_${n}`);
  });
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Error(`two sinks are named "${name}": give each a name of its own (name = "…", or ?name= in its spec)`);
    seen.add(name);
  }
  return names;
}
