// Series keys straight from bytes: the same metric name arrives thousands of times per second,
// and decoding it into a fresh string every time (then hashing that string for the series map)
// is most of the parser's cost. The interner hashes the bytes where they lie, finds the string
// made the first time, and allocates nothing on a hit.
//
// Open addressing over typed arrays; the key bytes live in one arena. When the arena or the
// table fills up, everything is forgotten and refilled — a flood of distinct names costs a
// decode each, as it would without the interner, and memory stays bounded.
//
// Each entry has a small dense id, so the aggregator can find a series by index instead of
// hashing the key string a second time. Ids are reused after a reset, so they are only
// meaningful with the generation they were issued in (see SampleHandler).
//
// Anyone who can send a datagram chooses the names, so the table must not degrade when they are
// crafted to collide: the hash starts from a random per-interner state (FNV-1a collisions found
// offline — they chain into thousands of names of one hash — do not hold for it) and is mixed
// again before it picks a slot, and a probe never runs longer than MAX_PROBES. A key that finds
// no slot within that many is made and used, just not remembered: it costs what it would cost
// without the interner, and nothing else gets slower.

import { randomSeed } from '../util/random-seed.js';
import { NO_GENERATION } from '../model/sample-handler.js';

/** FNV-1a's multiplier; the parser folds the hash into its scan for ':', starting at hashStart. */
export const FNV_PRIME = 0x01000193;
/** Separates the name bytes from the tag bytes in the hash, so `ab`+`c` differs from `a`+`bc`. */
const RANGE_SEPARATOR = 0xff;
/** The longest probe sequence; past it a key is not remembered (see above). */
export const MAX_PROBES = 32;
/** Slots the table starts with; it doubles as keys come. */
const INITIAL_CAPACITY = 1 << 12;

/** Murmur3's finaliser: every bit of `h` reaches the low bits that pick a slot. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Generations are numbered across all interners of the process, so a (generation, id) pair names
 * one key even where two interners feed the same handler.
 */
let lastGeneration = NO_GENERATION;

export type KeyMaker = (buf: Uint8Array, nameStart: number, nameEnd: number, tagStart: number, tagEnd: number) => string;


export class KeyInterner {
  private capacity: number;
  private hashes: Int32Array;
  /** Entry id (index into `strings`, `starts`, …) + 1; 0 = empty slot. */
  private slots: Int32Array;
  private strings: string[] = [];
  private starts: number[] = [];
  private nameLengths: number[] = [];
  private tagLengths: number[] = [];
  private arena: Uint8Array;
  private arenaUsed = 0;
  private _generation = ++lastGeneration;
  /** The longest probe any lookup has run, for tests and the bench. */
  longestProbe = 0;

  /** `hashStart`: where the name's hash starts, FNV-1a from a random state instead of its public offset basis. */
  constructor(
    private readonly maxEntries = 1 << 20,
    arenaBytes = 32 * 1024 * 1024,
    readonly hashStart = randomSeed(),
  ) {
    this.capacity = INITIAL_CAPACITY;
    this.hashes = new Int32Array(this.capacity);
    this.slots = new Int32Array(this.capacity);
    this.arena = new Uint8Array(arenaBytes);
  }

  /** Slots in the table, for tests: it only grows, until shrink(). */
  get tableSize(): number {
    return this.capacity;
  }

  /** Changes whenever the ids handed out so far stop being valid. */
  get generation(): number {
    return this._generation;
  }

  /**
   * The id of bytes [nameStart, nameEnd) plus [tagStart, tagEnd), whose string `make` builds on a
   * miss. `make` receives the same ranges; its result must depend on nothing else. Read
   * `generation` after this call: a miss may have reset the table.
   */
  intern(
    buf: Uint8Array,
    nameStart: number,
    nameEnd: number,
    tagStart: number,
    tagEnd: number,
    make: KeyMaker,
    nameHash = this.hashName(buf, nameStart, nameEnd),
  ): number {
    let h = nameHash;
    if (tagEnd > tagStart) {
      h = Math.imul(h ^ RANGE_SEPARATOR, FNV_PRIME);
      for (let i = tagStart; i < tagEnd; i++) h = Math.imul(h ^ buf[i], FNV_PRIME);
    }
    h = mix(h);
    const nameLength = nameEnd - nameStart;
    const tagLength = tagEnd - tagStart;
    const mask = this.capacity - 1;
    let slot = h & mask;
    for (let probe = 1; ; probe++) {
      const entry = this.slots[slot];
      if (entry === 0) break;
      if (probe > MAX_PROBES) {
        this.longestProbe = MAX_PROBES;
        return this.insert(-1, h, make(buf, nameStart, nameEnd, tagStart, tagEnd), buf, nameStart, nameEnd, tagStart, tagEnd);
      }
      if (probe > this.longestProbe) this.longestProbe = probe;
      const e = entry - 1;
      if (
        this.hashes[slot] === h &&
        this.nameLengths[e] === nameLength &&
        this.tagLengths[e] === tagLength &&
        this.sameBytes(e, buf, nameStart, nameEnd, tagStart, tagEnd)
      ) {
        return e;
      }
      slot = (slot + 1) & mask;
    }
    const made = make(buf, nameStart, nameEnd, tagStart, tagEnd);
    return this.insert(slot, h, made, buf, nameStart, nameEnd, tagStart, tagEnd);
  }

  /** The name's hash as the parser computes it during its scan. */
  hashName(buf: Uint8Array, start: number, end: number): number {
    let h = this.hashStart;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], FNV_PRIME);
    return h;
  }

  /** The string of an id from `intern` in the current generation. */
  key(id: number): string {
    return this.strings[id];
  }

  /**
   * clear(), and back to the memory of a new interner: after an interval of names that will not
   * come again, its tables and the arena's touched pages would otherwise stay until the next flood.
   */
  shrink(): void {
    this.clear();
    this.capacity = INITIAL_CAPACITY;
    this.hashes = new Int32Array(this.capacity);
    this.slots = new Int32Array(this.capacity);
    this.arena = new Uint8Array(this.arena.length);
  }

  clear(): void {
    this._generation = ++lastGeneration;
    this.slots.fill(0);
    this.strings = [];
    this.starts = [];
    this.nameLengths = [];
    this.tagLengths = [];
    this.arenaUsed = 0;
  }

  private sameBytes(e: number, buf: Uint8Array, nameStart: number, nameEnd: number, tagStart: number, tagEnd: number): boolean {
    const arena = this.arena;
    let at = this.starts[e];
    for (let i = nameStart; i < nameEnd; i++) if (arena[at++] !== buf[i]) return false;
    for (let i = tagStart; i < tagEnd; i++) if (arena[at++] !== buf[i]) return false;
    return true;
  }

  /** Adds an entry and returns its id; at `slot` -1 (no free slot near its hash) it is not remembered. */
  private insert(
    slot: number,
    h: number,
    made: string,
    buf: Uint8Array,
    nameStart: number,
    nameEnd: number,
    tagStart: number,
    tagEnd: number,
  ): number {
    const length = nameEnd - nameStart + (tagEnd - tagStart);
    if (this.arenaUsed + length > this.arena.length || this.strings.length >= this.maxEntries) {
      this.clear();
      slot = h & (this.capacity - 1);
      while (this.slots[slot] !== 0) slot = (slot + 1) & (this.capacity - 1);
    }
    const id = this.strings.length;
    this.strings.push(made);
    this.starts.push(this.arenaUsed);
    this.nameLengths.push(nameEnd - nameStart);
    this.tagLengths.push(tagEnd - tagStart);
    // Too big or too crowded to remember: the entry still names its key for this generation, it just cannot be found again.
    if (slot < 0 || length > this.arena.length) return id;
    this.arena.set(buf.subarray(nameStart, nameEnd), this.arenaUsed);
    this.arena.set(buf.subarray(tagStart, tagEnd), this.arenaUsed + nameEnd - nameStart);
    this.arenaUsed += length;
    this.hashes[slot] = h;
    this.slots[slot] = id + 1;
    // Keep the table at most half full so probes stay short.
    if (this.strings.length * 2 > this.capacity) this.grow();
    return id;
  }

  private grow(): void {
    const oldHashes = this.hashes;
    const oldSlots = this.slots;
    this.capacity *= 2;
    this.hashes = new Int32Array(this.capacity);
    this.slots = new Int32Array(this.capacity);
    const mask = this.capacity - 1;
    for (let i = 0; i < oldSlots.length; i++) {
      if (oldSlots[i] === 0) continue;
      let slot = oldHashes[i] & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = oldSlots[i];
      this.hashes[slot] = oldHashes[i];
    }
  }
}
