// statsite's binary messages (statsite's README, "Binary Protocol"), parsed straight from a Buffer:
//
//   0xAA TYPE KEY_LENGTH VALUE KEY                  TYPE 1 kv, 2 counter, 3 timer, 5 gauge, 6 gauge delta
//   0xAA 0x04 KEY_LENGTH MEMBER_LENGTH KEY MEMBER   a set
//
// Lengths are 2-byte little-endian and count the NUL that ends the key (and the member); VALUE is an
// 8-byte little-endian double. A message is one sample at rate 1, without tags or options. Like
// statsite, which reads them as C strings, a key and a member are their bytes before the first NUL;
// a key may hold ':' and '|', which a text line cannot.
//
// A framing fault — a byte other than 0xAA where a message should start, an unknown type, a key or
// member whose last byte is not NUL — leaves no way to find where the next message starts: parse()
// stops there, counts the fault and reports it (statsite closes such a TCP connection; the rest of a
// datagram is dropped). A message that is well framed but unusable is rejected alone, the messages
// after it are still read: an empty key, a key with a newline (series keys keep their tags after a
// newline, and every text output is made of lines), a key over max_key_bytes, a value that is not a
// finite number.

import { FNV_PRIME } from './key-interner.js';
import type { LineParser } from './parser.js';
import type { RejectCounter, RejectReason } from './rejects.js';
import type { SampleHandler } from '../model/sample-handler.js';

/** The first byte of every binary message; statsite tells binary from text input by it. */
export const BINARY_MAGIC = 0xaa;

const NL = 0x0a;
/** Magic, type, key length, value. */
const VALUE_HEADER_BYTES = 12;
/** Magic, type, key length, member length: also the least statsite reads before it looks at a message. */
const SET_HEADER_BYTES = 6;

const TYPE_KV = 0x1;
const TYPE_COUNTER = 0x2;
const TYPE_TIMER = 0x3;
const TYPE_SET = 0x4;
const TYPE_GAUGE = 0x5;
const TYPE_GAUGE_DELTA = 0x6;

export type BinaryFault = 'binary_missing_magic' | 'binary_unknown_type' | 'binary_unterminated_key' | 'binary_unterminated_member';

export class BinaryParser {
  /** Set by parse(): the messages it accepted. */
  accepted = 0;
  /** Set by parse(): the framing fault it stopped at (already counted), or null. */
  fault: BinaryFault | null = null;
  /**
   * Set by parse(): bytes past `end` that belong to the last message, rejected from its header alone
   * (its key is over max_key_bytes), for a stream to pass over without holding them. Else 0.
   */
  skip = 0;

  /** Keys, the input counter and reloaded options are the text parser's: one name is one series, whichever protocol brought it. */
  constructor(
    private readonly handler: SampleHandler,
    readonly rejects: RejectCounter,
    readonly lines: LineParser,
  ) {}

  /**
   * Parses the whole messages in buf[start, end). Returns where it stopped: `end`; the start of a
   * message not complete yet (or of fewer bytes than a header, which statsite waits on too); or the
   * start of a message with a framing fault (see `fault`).
   */
  parse(buf: Buffer, start: number, end: number): number {
    this.accepted = 0;
    this.fault = null;
    this.skip = 0;
    const maxKeyBytes = this.lines.options.maxKeyBytes ?? Infinity;
    let at = start;
    while (at < end) {
      // statsite passes over one newline before a message: its UDP reader puts one after each datagram.
      if (buf[at] === NL) at++;
      if (end - at < SET_HEADER_BYTES) return at;
      if (buf[at] !== BINARY_MAGIC) return this.stop('binary_missing_magic', buf, at, end);
      const type = buf[at + 1];
      const keyLength = buf[at + 2] | (buf[at + 3] << 8);
      let keyStart = at + VALUE_HEADER_BYTES;
      let memberLength = 0;
      if (type === TYPE_SET) {
        keyStart = at + SET_HEADER_BYTES;
        memberLength = buf[at + 4] | (buf[at + 5] << 8);
        if (memberLength === 0) return this.stop('binary_unterminated_member', buf, at, end);
      } else if (type < TYPE_KV || type > TYPE_GAUGE_DELTA) {
        return this.stop('binary_unknown_type', buf, at, end);
      }
      if (keyLength === 0) return this.stop('binary_unterminated_key', buf, at, end);
      const messageEnd = keyStart + keyLength + memberLength;
      if (keyLength - 1 > maxKeyBytes) {
        this.rejects.reject('key_too_long', buf, at, Math.min(messageEnd, end));
        if (messageEnd > end) {
          this.skip = messageEnd - end;
          return end;
        }
        at = messageEnd;
        continue;
      }
      if (messageEnd > end) return at;
      const keyEnd = keyStart + keyLength - 1;
      if (buf[keyEnd] !== 0) return this.stop('binary_unterminated_key', buf, at, messageEnd);
      if (type === TYPE_SET && buf[messageEnd - 1] !== 0) return this.stop('binary_unterminated_member', buf, at, messageEnd);
      const reason = this.emit(buf, type, at, keyStart, keyEnd);
      if (reason === null) this.accepted++;
      else this.rejects.reject(reason, buf, at, messageEnd);
      at = messageEnd;
    }
    return at;
  }

  /** One datagram of messages: a fault, or a message the datagram ends inside, drops its rest (counted). */
  parseDatagram(buf: Buffer, start: number, end: number): number {
    const stop = this.parse(buf, start, end);
    if (this.fault === null && this.skip === 0 && stop < end) {
      this.rejects.reject(buf[stop] === BINARY_MAGIC ? 'binary_truncated' : 'binary_missing_magic', buf, stop, end);
    }
    return this.accepted;
  }

  private stop(fault: BinaryFault, buf: Buffer, at: number, end: number): number {
    this.fault = fault;
    this.rejects.reject(fault, buf, at, end);
    return at;
  }

  /** Hands one framed message to the handler; returns why it was rejected, if it was. */
  private emit(buf: Buffer, type: number, at: number, keyStart: number, keyEnd: number): RejectReason | null {
    const lines = this.lines;
    const keys = lines.keys;
    let nameEnd = keyStart;
    let nameHash = keys.hashStart;
    for (; nameEnd < keyEnd && buf[nameEnd] !== 0; nameEnd++) {
      if (buf[nameEnd] === NL) return 'newline_in_key';
      nameHash = Math.imul(nameHash ^ buf[nameEnd], FNV_PRIME);
    }
    if (nameEnd === keyStart) return 'empty_key';
    const value = type === TYPE_SET ? 0 : buf.readDoubleLE(at + 4);
    if (!Number.isFinite(value)) return 'bad_value';

    const id = keys.intern(buf, keyStart, nameEnd, 0, 0, lines.makeKey, nameHash);
    const key = keys.key(id);
    const generation = keys.generation;
    const handler = this.handler;
    switch (type) {
      case TYPE_COUNTER:
        handler.counter(key, value, 1, id, generation);
        break;
      case TYPE_TIMER:
        handler.timer(key, value, 1, id, generation);
        break;
      case TYPE_GAUGE:
      case TYPE_GAUGE_DELTA:
        handler.gauge(key, value, type === TYPE_GAUGE_DELTA, id, generation);
        break;
      case TYPE_KV:
        handler.kv(key, value, id, generation);
        break;
      default: {
        const memberStart = keyEnd + 1;
        let memberEnd = memberStart;
        while (buf[memberEnd] !== 0) memberEnd++;
        handler.set(key, buf.subarray(memberStart, memberEnd), id, generation);
      }
    }
    const inputCounter = lines.options.inputCounter;
    if (inputCounter !== undefined) handler.counter(inputCounter, 1, 1);
    return null;
  }
}
