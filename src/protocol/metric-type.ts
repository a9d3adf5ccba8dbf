/**
 * Where parsed samples go. The aggregator's bucket implements it; so can a test.
 *
 * The parser also passes the key's id in its KeyInterner and the interner's generation: within
 * one generation an id always stands for the same key, so a handler may find the series by id
 * without hashing the key string again. Callers without an interner leave both out; a handler
 * may ignore them.
 */
export interface SampleHandler {
  /** `value` is already divided by the sample rate; `sampleRate` is kept for count bookkeeping. */
  counter(key: string, value: number, sampleRate: number, keyId?: number, keyGeneration?: number): void;
  timer(key: string, value: number, sampleRate: number, keyId?: number, keyGeneration?: number): void;
  gauge(key: string, value: number, isDelta: boolean, keyId?: number, keyGeneration?: number): void;
  /** `member` as the bytes that arrived (statsite hashes those, valid UTF-8 or not), or as text. */
  set(key: string, member: Uint8Array | string, keyId?: number, keyGeneration?: number): void;
  kv(key: string, value: number, keyId?: number, keyGeneration?: number): void;
}

/**
 * A series key is the metric name, plus its canonical tag list after a newline when it has tags.
 * A newline can never occur inside a name (it ends the line), so the split is unambiguous.
 */
export const TAG_SEPARATOR = '\n';

export function seriesKey(name: string, tags: string): string {
  return tags === '' ? name : name + TAG_SEPARATOR + tags;
}

export function splitSeriesKey(key: string): { name: string; tags: string } {
  const at = key.indexOf(TAG_SEPARATOR);
  return at < 0 ? { name: key, tags: '' } : { name: key.slice(0, at), tags: key.slice(at + 1) };
}
