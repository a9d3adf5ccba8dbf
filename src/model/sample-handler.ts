// The one call every producer of samples makes: the parser for text and binary lines, the
// server for its own self-metrics. The aggregator's bucket implements it; so can a test.

/**
 * Where parsed samples go.
 *
 * The parser also passes the key's id in its KeyInterner and the interner's generation: within
 * one generation an id always stands for the same key, so a handler may find the series by id
 * without hashing the key string again. Callers without an interner leave both out; a handler
 * may ignore them.
 */
export interface SampleHandler {
  /** `value` is already divided by the sample rate; `sampleRate` is kept for count bookkeeping. */
  counter(key: string, value: number, sampleRate: number, keyId?: number, keyGeneration?: number): void;
  /** `unitless`: the sample came as `h` or `d` rather than `ms` (the Prometheus sink scales only `ms`). */
  timer(key: string, value: number, sampleRate: number, keyId?: number, keyGeneration?: number, unitless?: boolean): void;
  gauge(key: string, value: number, isDelta: boolean, keyId?: number, keyGeneration?: number): void;
  /** `member` as the bytes that arrived (statsite hashes those, valid UTF-8 or not), or as text. */
  set(key: string, member: Uint8Array | string, keyId?: number, keyGeneration?: number): void;
  kv(key: string, value: number, keyId?: number, keyGeneration?: number): void;
}

/** Never issued by an interner: the generation of a key that came without an id. */
export const NO_GENERATION = 0;
