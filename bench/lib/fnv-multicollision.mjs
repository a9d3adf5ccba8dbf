// Names that all have one FNV-1a hash, as an attacker would make them for a server that hashes
// names with FNV-1a from its public offset basis: find a colliding pair of 8-byte blocks from the
// current hash state (a birthday search, ~2^16 tries), k times over; any choice of one block from
// each pair then gives the same hash, so k pairs make 2^k names (Joux's multicollisions).
//
// Shared by the hash-flooding unit test and `npm run bench` (section `flood`).

export const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** FNV-1a has no collisions among inputs of 4 bytes or fewer; 8 give plenty. */
const BLOCK_BYTES = 8;

function step(h, bytes) {
  for (const b of bytes) h = Math.imul(h ^ b, FNV_PRIME);
  return h;
}

/** `2 ** pairs` distinct names, `prefix` then 8 bytes per pair, of one FNV-1a hash from `basis`. */
export function collidingNames(pairs, prefix = 'flood.', basis = FNV_OFFSET_BASIS) {
  const head = Buffer.from(prefix);
  let state = step(basis, head);
  // mulberry32: seeded, so every run finds the same names.
  let seed = 12345;
  const next = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ALPHABET.charCodeAt(((t ^ (t >>> 14)) >>> 0) % ALPHABET.length);
  };
  const blocks = [];
  for (let p = 0; p < pairs; p++) {
    const seen = new Map();
    for (;;) {
      const block = Array.from({ length: BLOCK_BYTES }, next);
      const h = step(state, block);
      const other = seen.get(h);
      if (other !== undefined && other.some((b, i) => b !== block[i])) {
        blocks.push([other, block]);
        state = h;
        break;
      }
      seen.set(h, block);
    }
  }
  const names = [];
  for (let choice = 0; choice < 2 ** pairs; choice++) {
    const bytes = [...head];
    for (let p = 0; p < pairs; p++) bytes.push(...blocks[p][(choice >> p) & 1]);
    names.push(Buffer.from(bytes).toString('latin1'));
  }
  return names;
}

/** FNV-1a of a string's bytes from `basis`. */
export function fnv1a(text, basis = FNV_OFFSET_BASIS) {
  return step(basis, Buffer.from(text, 'latin1')) >>> 0;
}
