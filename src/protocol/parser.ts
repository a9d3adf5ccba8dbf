// The StatsD line grammar, parsed byte by byte over a Buffer:
//
//   line  := NAME ':' entry (':' entry)*            -- etsy's multi-metric form `a:1|c:2|ms`
//   entry := VALUE (':' VALUE)* '|' TYPE option*     -- DogStatsD packed values `a:1:2:3|ms`
//   option:= '|@' RATE | '|#' TAGS | '|c:' CONTAINER | '|T' TIMESTAMP
//   TYPE  := c | ms | h | d | g | s | kv
//
// A set's VALUE is its member string and may itself contain ':'. Lines end at '\n' (a '\r'
// before it is dropped). A line is validated whole before any of its samples is emitted, so a
// bad line never half-counts; other lines of the same datagram are unaffected.

import { FNV_PRIME, KeyInterner } from './key-interner.js';
import { splitNameTags, type NameTagFormat } from './name-tags.js';
import { canonicalTags } from './tags.js';
import { parseNumber } from './number.js';
import { RejectCounter, type RejectReason } from './rejects.js';
import { NO_GENERATION, type SampleHandler } from '../model/sample-handler.js';
import { seriesKey } from '../model/series-key.js';

const NL = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const UNDERSCORE = 0x5f;
const BRACE = 0x7b;
const CH_E = 0x65;
const BAR = 0x7c;
const AT = 0x40;
const HASH = 0x23;
const PLUS = 0x2b;
const MINUS = 0x2d;
const CH_C = 0x63;
const CH_D = 0x64;
const CH_G = 0x67;
const CH_H = 0x68;
const CH_K = 0x6b;
const CH_M = 0x6d;
const CH_S = 0x73;
const CH_T = 0x54;
const CH_V = 0x76;

const COUNTER = 0;
const TIMER = 1;
/** `h` and `d`: aggregated as timers, but their values have no unit (`ms` ones are milliseconds). */
const UNITLESS_TIMER = 5;
const GAUGE = 2;
const SET = 3;
const KV = 4;
const UNKNOWN = -1;

function typeAt(buf: Buffer, start: number, end: number): number {
  const len = end - start;
  const a = buf[start];
  if (len === 1) {
    if (a === CH_C) return COUNTER;
    if (a === CH_G) return GAUGE;
    if (a === CH_S) return SET;
    if (a === CH_H || a === CH_D) return UNITLESS_TIMER;
  } else if (len === 2) {
    const b = buf[start + 1];
    if (a === CH_M && b === CH_S) return TIMER;
    if (a === CH_K && b === CH_V) return KV;
  }
  return UNKNOWN;
}

/** First index in [from, end) holding `a` or `b`, else `end`. */
function indexOf2(buf: Buffer, a: number, b: number, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const c = buf[i];
    if (c === a || c === b) return i;
  }
  return end;
}

function indexOf1(buf: Buffer, a: number, from: number, end: number): number {
  for (let i = from; i < end; i++) if (buf[i] === a) return i;
  return end;
}

export interface ParserOptions {
  /** statsite's input_counter: a counter bumped once per accepted sample. */
  inputCounter?: string;
  /** Tag syntaxes embedded in names to recognise, besides DogStatsD's `|#`. */
  nameTagFormats?: readonly NameTagFormat[];
  /** Longer names, or names and tags together, are rejected as key_too_long. */
  maxKeyBytes?: number;
  /**
   * A `|@rate` on a gauge, set or kv line: `ignore` keeps the line and counts it in
   * `ignoredSampleRates` (python statsd and statsd-instrument send one on every type); `reject`
   * drops the line as statsite does. Default ignore.
   */
  unusedSampleRate?: UnusedSampleRate;
}

export type UnusedSampleRate = 'ignore' | 'reject';

export class LineParser {
  // Scratch space for one line's entries, reused across lines so parsing allocates nothing.
  private entryKind = new Int8Array(16);
  private entryRate = new Float64Array(16);
  private entryValueStart = new Int32Array(16); // byte range of VALUE(s), for sets
  private entryValueEnd = new Int32Array(16);
  private entryFirstValue = new Int32Array(16); // index into `values`
  private entryValueCount = new Int32Array(16);
  private entryTagStart = new Int32Array(16);
  private entryTagEnd = new Int32Array(16);
  private values = new Float64Array(64);
  private valueIsDelta = new Uint8Array(64);

  /** Shared with the binary parser (with makeKey), so a name is one series and one id in either protocol. */
  readonly keys = new KeyInterner();
  private _options: ParserOptions;

  constructor(
    private readonly handler: SampleHandler,
    readonly rejects: RejectCounter,
    options: ParserOptions = {},
  ) {
    this._options = options;
  }

  get options(): ParserOptions {
    return this._options;
  }

  /** Replaceable on a config reload; keys made under the old options are forgotten. */
  set options(options: ParserOptions) {
    this._options = options;
    this.keys.clear();
  }

  /** DogStatsD events (`_e{…}`) and service checks (`_sc|…`): recognised, counted, not metrics. */
  events = 0;
  serviceChecks = 0;
  /** Accepted lines whose `|@rate` was ignored (gauges, sets, kv under unusedSampleRate ignore). */
  ignoredSampleRates = 0;

  /** Parses every line in buf[start, end); returns how many lines were accepted. */
  parse(buf: Buffer, start = 0, end = buf.length): number {
    let accepted = 0;
    let lineStart = start;
    while (lineStart < end) {
      const nl = indexOf1(buf, NL, lineStart, end);
      accepted += this.parseLine(buf, lineStart, nl);
      lineStart = nl + 1;
    }
    return accepted;
  }

  /** Parses one line without its '\n'; returns 1 if accepted, 0 if empty or rejected. */
  parseLine(buf: Buffer, start: number, end: number): number {
    if (end > start && buf[end - 1] === CR) end--;
    if (end === start) return 0;
    if (buf[start] === UNDERSCORE && this.isEventOrServiceCheck(buf, start, end)) return 0;
    const reason = this.scan(buf, start, end);
    if (reason !== null) {
      this.rejects.reject(reason, buf, start, end);
      return 0;
    }
    return 1;
  }

  private isEventOrServiceCheck(buf: Buffer, start: number, end: number): boolean {
    if (end - start > 3 && buf[start + 1] === CH_E && buf[start + 2] === BRACE) {
      this.events++;
      return true;
    }
    if (end - start > 4 && buf[start + 1] === CH_S && buf[start + 2] === CH_C && buf[start + 3] === BAR) {
      this.serviceChecks++;
      return true;
    }
    return false;
  }

  /** Validates the whole line into scratch, then emits its samples. Returns why it was rejected, if it was. */
  private scan(buf: Buffer, start: number, end: number): RejectReason | null {
    // Find the ':' ending the name and hash the name on the way (see KeyInterner).
    let colon = start;
    let nameHash = this.keys.hashStart;
    while (colon < end && buf[colon] !== COLON) nameHash = Math.imul(nameHash ^ buf[colon++], FNV_PRIME);
    if (colon === end) return 'missing_value';
    if (colon === start) return 'empty_key';
    if (colon - start > (this._options.maxKeyBytes ?? Infinity)) return 'key_too_long';

    let entries = 0;
    let valueCount = 0;
    let unusedRate = false;
    let pos = colon + 1;
    for (;;) {
      const bar = indexOf1(buf, BAR, pos, end);
      if (bar === end) return 'missing_type';
      if (bar === pos) return 'empty_value';
      const typeEnd = indexOf2(buf, BAR, COLON, bar + 1, end);
      const kind = typeAt(buf, bar + 1, typeEnd);
      if (kind === UNKNOWN) return 'unknown_type';

      let rate = 1;
      let tagStart = 0;
      let tagEnd = 0;
      let p = typeEnd;
      while (p < end && buf[p] === BAR) {
        const o = p + 1;
        if (o === end) return 'bad_option';
        if (buf[o] === AT) {
          p = indexOf2(buf, BAR, COLON, o + 1, end);
          const parsed = parseNumber(buf, o + 1, p);
          if (Number.isNaN(parsed)) return 'bad_sample_rate';
          if (kind !== COUNTER && kind !== TIMER && kind !== UNITLESS_TIMER) {
            if (this._options.unusedSampleRate === 'reject') return 'sample_rate_not_allowed';
            unusedRate = true;
          }
          // statsite: a rate outside (0, 1] is ignored, the sample counts once.
          rate = parsed > 0 && parsed <= 1 ? parsed : 1;
        } else if (buf[o] === HASH) {
          // Tag values may contain ':', so only '|' ends a tag list.
          tagStart = o + 1;
          p = tagEnd = indexOf1(buf, BAR, tagStart, end);
          // The whole series key is bounded, not only its name (why: KEY_BYTES_LIMIT in config/load-config.ts).
          if (colon - start + 1 + (tagEnd - tagStart) > (this._options.maxKeyBytes ?? Infinity)) return 'key_too_long';
        } else if (buf[o] === CH_C && buf[o + 1] === COLON) {
          p = indexOf1(buf, BAR, o, end); // DogStatsD container id: accepted, not used
        } else if (buf[o] === CH_T) {
          p = indexOf2(buf, BAR, COLON, o, end); // DogStatsD client timestamp: aggregated on arrival instead
        } else {
          return 'bad_option';
        }
      }

      if (entries === this.entryKind.length) this.growEntries();
      this.entryKind[entries] = kind;
      this.entryRate[entries] = rate;
      this.entryValueStart[entries] = pos;
      this.entryValueEnd[entries] = bar;
      this.entryTagStart[entries] = tagStart;
      this.entryTagEnd[entries] = tagEnd;
      this.entryFirstValue[entries] = valueCount;
      if (kind !== SET) {
        let v = pos;
        while (v <= bar) {
          const vEnd = indexOf1(buf, COLON, v, bar);
          const value = parseNumber(buf, v, vEnd);
          if (Number.isNaN(value)) return 'bad_value';
          if (valueCount === this.values.length) this.growValues();
          this.values[valueCount] = value;
          this.valueIsDelta[valueCount] = buf[v] === PLUS || buf[v] === MINUS ? 1 : 0;
          valueCount++;
          v = vEnd + 1;
        }
      }
      this.entryValueCount[entries] = valueCount - this.entryFirstValue[entries];
      entries++;

      if (p < end && buf[p] === COLON) {
        pos = p + 1;
        continue;
      }
      break;
    }

    if (unusedRate) this.ignoredSampleRates++;
    this.emit(buf, start, colon, nameHash, entries);
    return null;
  }

  private emit(buf: Buffer, nameStart: number, nameEnd: number, nameHash: number, entries: number): void {
    const handler = this.handler;
    const keys = this.keys;
    let key = '';
    let id = 0;
    let generation = NO_GENERATION;
    let keyTagStart = -1;
    let keyTagEnd = -1;
    for (let e = 0; e < entries; e++) {
      const tagStart = this.entryTagStart[e];
      const tagEnd = this.entryTagEnd[e];
      if (tagStart !== keyTagStart || tagEnd !== keyTagEnd) {
        id = keys.intern(buf, nameStart, nameEnd, tagStart, tagEnd, this.makeKey, nameHash);
        key = keys.key(id);
        generation = keys.generation;
        keyTagStart = tagStart;
        keyTagEnd = tagEnd;
      }
      const kind = this.entryKind[e];
      if (kind === SET) {
        handler.set(key, buf.subarray(this.entryValueStart[e], this.entryValueEnd[e]), id, generation);
        this.countInput();
        continue;
      }
      const rate = this.entryRate[e];
      const first = this.entryFirstValue[e];
      const last = first + this.entryValueCount[e];
      for (let i = first; i < last; i++) {
        const value = this.values[i];
        if (kind === COUNTER) handler.counter(key, value * (1 / rate), rate, id, generation); // statsite's rounding
        else if (kind === TIMER) handler.timer(key, value, rate, id, generation);
        else if (kind === UNITLESS_TIMER) handler.timer(key, value, rate, id, generation, true);
        else if (kind === GAUGE) handler.gauge(key, value, this.valueIsDelta[i] === 1, id, generation);
        else handler.kv(key, value, id, generation);
        this.countInput();
      }
    }
  }

  /** Builds a series key from its bytes; only called when the interner has not seen them. */
  readonly makeKey = (buf: Uint8Array, nameStart: number, nameEnd: number, tagStart: number, tagEnd: number): string => {
    const bytes = buf as Buffer;
    let name = bytes.toString('utf8', nameStart, nameEnd);
    let nameTags = '';
    const formats = this._options.nameTagFormats;
    if (formats !== undefined && formats.length > 0) {
      const split = splitNameTags(name, formats);
      if (split !== null) ({ name, tags: nameTags } = split);
    }
    const lineTags = tagEnd > tagStart ? bytes.toString('utf8', tagStart, tagEnd) : '';
    const tags = nameTags === '' ? lineTags : lineTags === '' ? nameTags : nameTags + ',' + lineTags;
    return tags === '' ? name : seriesKey(name, canonicalTags(tags));
  };

  private countInput(): void {
    if (this._options.inputCounter !== undefined) this.handler.counter(this._options.inputCounter, 1, 1);
  }

  private growEntries(): void {
    const size = this.entryKind.length * 2;
    const grow = <T extends Int8Array | Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(a);
      return next;
    };
    this.entryKind = grow(this.entryKind, (n) => new Int8Array(n));
    this.entryRate = grow(this.entryRate, (n) => new Float64Array(n));
    this.entryValueStart = grow(this.entryValueStart, (n) => new Int32Array(n));
    this.entryValueEnd = grow(this.entryValueEnd, (n) => new Int32Array(n));
    this.entryFirstValue = grow(this.entryFirstValue, (n) => new Int32Array(n));
    this.entryValueCount = grow(this.entryValueCount, (n) => new Int32Array(n));
    this.entryTagStart = grow(this.entryTagStart, (n) => new Int32Array(n));
    this.entryTagEnd = grow(this.entryTagEnd, (n) => new Int32Array(n));
  }

  private growValues(): void {
    const values = new Float64Array(this.values.length * 2);
    values.set(this.values);
    this.values = values;
    const deltas = new Uint8Array(this.valueIsDelta.length * 2);
    deltas.set(this.valueIsDelta);
    this.valueIsDelta = deltas;
  }
}
