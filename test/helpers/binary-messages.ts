// statsite's binary input messages, built from statsite's README ("Binary Protocol") byte by
// byte, independently of the parser under test: magic 0xAA, type, 2-byte little-endian key length
// (NUL included), then an 8-byte little-endian double and the key, or for a set the member length,
// the key and the member.

export const BINARY_TYPES = { kv: 0x1, counter: 0x2, timer: 0x3, set: 0x4, gauge: 0x5, gaugeDelta: 0x6 } as const;

/** A kv, counter, timer, gauge or gauge-delta message. `key` as text (UTF-8) or raw bytes, without its NUL. */
export function binaryMessage(type: Exclude<keyof typeof BINARY_TYPES, 'set'>, key: string | Uint8Array, value: number): Buffer {
  const keyBytes = Buffer.concat([Buffer.from(key), Buffer.of(0)]);
  const header = Buffer.alloc(12);
  header[0] = 0xaa;
  header[1] = BINARY_TYPES[type];
  header.writeUInt16LE(keyBytes.length, 2);
  header.writeDoubleLE(value, 4);
  return Buffer.concat([header, keyBytes]);
}

export function binarySet(key: string | Uint8Array, member: string | Uint8Array): Buffer {
  const keyBytes = Buffer.concat([Buffer.from(key), Buffer.of(0)]);
  const memberBytes = Buffer.concat([Buffer.from(member), Buffer.of(0)]);
  const header = Buffer.alloc(6);
  header[0] = 0xaa;
  header[1] = BINARY_TYPES.set;
  header.writeUInt16LE(keyBytes.length, 2);
  header.writeUInt16LE(memberBytes.length, 4);
  return Buffer.concat([header, keyBytes, memberBytes]);
}
