// A series key is the metric name, plus its canonical tag list after a newline when it has tags.
// A newline can never occur inside a name (it ends the line), so the split is unambiguous. The
// parser builds keys; the aggregator, naming and the sinks split them.

export const TAG_SEPARATOR = '\n';

export function seriesKey(name: string, tags: string): string {
  return tags === '' ? name : name + TAG_SEPARATOR + tags;
}

export function splitSeriesKey(key: string): { name: string; tags: string } {
  const at = key.indexOf(TAG_SEPARATOR);
  return at < 0 ? { name: key, tags: '' } : { name: key.slice(0, at), tags: key.slice(at + 1) };
}

/** Splits a canonical tag list (`a:1,b`, see protocol/tags.ts) into [name, value] pairs; a bare tag has an empty value. */
export function tagPairs(canonical: string): Array<[string, string]> {
  if (canonical === '') return [];
  return canonical.split(',').map((tag) => {
    const at = tag.indexOf(':');
    return at < 0 ? [tag, ''] : [tag.slice(0, at), tag.slice(at + 1)];
  });
}
