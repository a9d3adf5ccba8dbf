// DogStatsD tags (`#k:v,k2:v2`, bare `#tag`) are part of a series' identity, never of its name.
// They are kept in one canonical form — deduplicated, sorted, comma-joined — so `#b:2,a:1` and
// `#a:1,b:2` land on the same series.

const canonicalCache = new Map<string, string>();
const CACHE_LIMIT = 10_000;

export function canonicalTags(raw: string): string {
  const cached = canonicalCache.get(raw);
  if (cached !== undefined) return cached;
  const tags = [...new Set(raw.split(',').map((t) => t.trim()).filter((t) => t !== ''))].sort();
  const canonical = tags.join(',');
  // The cache only saves work for repeated tag sets; a flood of distinct ones must not grow it forever.
  if (canonicalCache.size >= CACHE_LIMIT) canonicalCache.clear();
  canonicalCache.set(raw, canonical);
  return canonical;
}
