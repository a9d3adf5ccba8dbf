// Reads statsd_exporter's mapping YAML as the exporter does (yaml.v2 in strict mode, so YAML 1.1
// scalars such as `yes`, and unknown keys refused), applies its defaults and validates every
// mapping with its rules: label names, metric names with `$n` references, glob syntax, regexes,
// histogram and summary options not mixed. The first problem stops with file, line, key and reason.
//
// Besides the current keys, the deprecated ones 0.23 still reads are taken: `timer_type` for
// `observer_type`, top-level `buckets` and `quantiles` for the histogram and summary options.

import { readFileSync } from 'node:fs';
import type * as Yaml from 'yaml';
import type { LineCounter, Node, Pair } from 'yaml';
import { goDurationMs } from './go-duration.js';
import { toJsRegExp } from './go-regexp.js';
import { lazyPackage } from '../../../util/lazy-package.js';
import {
  NO_MAPPING_DEFAULTS,
  type Mapping,
  type MappingConfig,
  type MappingDefaults,
  type MatchMetricType,
  type Objective,
  type ObserverType,
  type SummaryOptions,
} from './mapping-config.js';

export class MappingError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly key: string,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${key ? `${key}: ` : ''}${reason}`);
    this.name = 'MappingError';
  }
}

// The exporter's own checks (pkg/mapper/mapper.go).
const GLOB = /^(\*|[a-zA-Z_][a-zA-Z0-9_-]*)(\.\*|\.[a-zA-Z0-9_][a-zA-Z0-9_-]*)*$/;
const TEMPLATE = String.raw`\$\{?\d+\}?`;
const METRIC_NAME = new RegExp(`^([a-zA-Z_]|${TEMPLATE})([a-zA-Z0-9_]|${TEMPLATE})*$`);
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]+$/;

const DEFAULTS_KEYS = [
  'observer_type', 'timer_type', 'buckets', 'quantiles', 'match_type', 'glob_disable_ordering', 'ttl',
  'summary_options', 'histogram_options',
];
const MAPPING_KEYS = [
  'match', 'name', 'labels', 'honor_labels', 'observer_type', 'timer_type', 'buckets', 'quantiles', 'match_type',
  'help', 'action', 'match_metric_type', 'ttl', 'summary_options', 'histogram_options', 'scale',
];
const SUMMARY_KEYS = ['quantiles', 'max_age', 'age_buckets', 'buf_cap'];
const HISTOGRAM_KEYS = ['buckets', 'native_histogram_bucket_factor', 'native_histogram_max_buckets'];

export function loadMappingFile(file: string): MappingConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new MappingError(file, 0, '', `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseMappingYaml(text, file);
}

/** Loaded with the first mapping file: most servers have none. */
const yaml = lazyPackage<typeof Yaml>('yaml');

export function parseMappingYaml(text: string, file: string): MappingConfig {
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, version: '1.1', uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new MappingError(file, e.linePos?.[0].line ?? 0, '', e.message.split('\n')[0]);
  }
  return new Reader(file, lines).config(doc.contents);
}

/**
 * One YAML map's entries by key, each with where it is, checked against the keys allowed there.
 * A key without a value (`ttl:`) is left out, as yaml.v2 leaves such a field at its zero value.
 */
type Entries = Map<string, { node: Node; line: number }>;

class Reader {
  private readonly yaml = yaml();

  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  config(root: Node | null): MappingConfig {
    if (root === null || (this.yaml.isScalar(root) && root.value === null)) {
      return { file: this.file, defaults: NO_MAPPING_DEFAULTS, mappings: [] };
    }
    const top = this.entries(root, '', ['defaults', 'mappings']);
    const defaults = this.defaults(top.get('defaults'));
    const mappingsAt = top.get('mappings');
    const mappings: Mapping[] = [];
    if (mappingsAt !== undefined) {
      if (!this.yaml.isSeq(mappingsAt.node)) this.fail(mappingsAt.line, 'mappings', 'expected a list of mappings');
      mappingsAt.node.items.forEach((item, i) => mappings.push(this.mapping(item as Node, `mappings[${i}]`, defaults)));
    }
    return { file: this.file, defaults, mappings };
  }

  private defaults(at: { node: Node; line: number } | undefined): MappingDefaults {
    if (at === undefined) return NO_MAPPING_DEFAULTS;
    const e = this.entries(at.node, 'defaults', DEFAULTS_KEYS);
    const base = NO_MAPPING_DEFAULTS;
    const summary = this.summaryOptions(e, 'defaults', base.summary);
    const buckets = this.histogramBuckets(e, 'defaults') ?? base.buckets;
    return {
      observerType: this.observerType(e, 'defaults') ?? base.observerType,
      matchType: this.matchType(e, 'defaults') ?? base.matchType,
      globDisableOrdering: this.bool(e, 'defaults', 'glob_disable_ordering') ?? false,
      ttlMs: this.duration(e, 'defaults', 'ttl') ?? 0,
      buckets,
      summary,
    };
  }

  private mapping(node: Node, path: string, defaults: MappingDefaults): Mapping {
    const e = this.entries(node, path, MAPPING_KEYS);
    const line = this.lineOf(node);
    const match = this.string(e, path, 'match');
    if (match === null) this.fail(line, `${path}.match`, 'missing: every mapping needs a match');
    const name = this.string(e, path, 'name');
    if (name === null || name === '') this.fail(line, `${path}.name`, "missing: the metric mapping didn't set a metric name");
    if (!METRIC_NAME.test(name)) {
      this.failAt(e, path, 'name', `"${name}" is not a metric name: letters, digits, _ and $1 or \${1} references, no leading digit`);
    }
    const matchType = this.matchType(e, path) ?? defaults.matchType;
    if (matchType === 'glob' && !GLOB.test(match)) {
      this.failAt(e, path, 'match', `invalid glob "${match}": dot-separated parts that are names (letters, digits, _ and -) or *`);
    }
    if (matchType === 'regex') {
      try {
        toJsRegExp(match);
      } catch (err) {
        this.failAt(e, path, 'match', `invalid regex "${match}": ${(err as Error).message}`);
      }
    }
    const labels: Array<[string, string]> = [];
    const labelsAt = e.get('labels');
    if (labelsAt !== undefined) {
      // A label without a value is an empty one, as yaml.v2 reads it into a string.
      const le = this.entries(labelsAt.node, `${path}.labels`, null, true);
      for (const [label, { node: value, line: valueLine }] of le) {
        if (!LABEL_NAME.test(label)) {
          this.fail(valueLine, `${path}.labels.${label}`, 'invalid label name: two or more letters, digits and _, no leading digit');
        }
        labels.push([label, this.scalarText(value, valueLine, `${path}.labels.${label}`)]);
      }
    }
    const observerType = this.observerType(e, path) ?? defaults.observerType;
    const hasSummaryOptions = e.has('summary_options');
    const hasHistogramOptions = e.has('histogram_options');
    if (observerType === 'histogram' && hasSummaryOptions) {
      this.failAt(e, path, 'summary_options', 'cannot use the histogram observer and summary options at the same time');
    }
    if (observerType === 'summary' && hasHistogramOptions) {
      this.failAt(e, path, 'histogram_options', 'cannot use the summary observer and histogram options at the same time');
    }
    const action = this.choice(e, path, 'action', ['map', 'drop']) ?? 'map';
    const scaleAt = e.get('scale');
    let scale: number | null = null;
    if (scaleAt !== undefined) {
      scale = this.number(scaleAt.node, scaleAt.line, `${path}.scale`);
      // A factor ≤ 0 would turn counters negative and histogram buckets inside out.
      if (!(scale > 0)) this.fail(scaleAt.line, `${path}.scale`, 'must be greater than 0');
    }
    return {
      line,
      match,
      matchType,
      name,
      labels,
      honorLabels: this.bool(e, path, 'honor_labels') ?? false,
      help: this.string(e, path, 'help'),
      matchMetricType: this.choice(e, path, 'match_metric_type', ['counter', 'gauge', 'observer']) as MatchMetricType | null,
      action: action as 'map' | 'drop',
      observerType,
      buckets: this.histogramBuckets(e, path) ?? defaults.buckets,
      summary: this.summaryOptions(e, path, defaults.summary),
      ttlMs: this.duration(e, path, 'ttl') || defaults.ttlMs,
      scale,
    };
  }

  /** `summary_options` (or the deprecated top-level `quantiles`) over `base`. */
  private summaryOptions(e: Entries, path: string, base: SummaryOptions): SummaryOptions {
    let quantiles = this.objectives(e, path, 'quantiles');
    let maxAgeMs = 0;
    let ageBuckets = 0;
    const at = e.get('summary_options');
    if (at !== undefined) {
      const s = this.entries(at.node, `${path}.summary_options`, SUMMARY_KEYS);
      const inner = this.objectives(s, `${path}.summary_options`, 'quantiles');
      if (inner !== null && quantiles !== null) {
        this.fail(at.line, `${path}.summary_options.quantiles`, 'cannot use quantiles both at the top level and in summary_options');
      }
      quantiles = inner ?? quantiles;
      maxAgeMs = this.duration(s, `${path}.summary_options`, 'max_age') ?? 0;
      if (maxAgeMs < 0) this.fail(s.get('max_age')!.line, `${path}.summary_options.max_age`, 'must not be negative');
      ageBuckets = this.integer(s, `${path}.summary_options`, 'age_buckets') ?? 0;
      this.integer(s, `${path}.summary_options`, 'buf_cap'); // the exporter's buffer size: nothing to size here
    }
    return {
      quantiles: quantiles !== null && quantiles.length > 0 ? quantiles : base.quantiles,
      maxAgeMs: maxAgeMs || base.maxAgeMs,
      ageBuckets: ageBuckets || base.ageBuckets,
    };
  }

  /** `histogram_options.buckets` or the deprecated top-level `buckets`; null when neither is set. */
  private histogramBuckets(e: Entries, path: string): number[] | null {
    let buckets = this.numberList(e, path, 'buckets');
    const at = e.get('histogram_options');
    if (at !== undefined) {
      const h = this.entries(at.node, `${path}.histogram_options`, HISTOGRAM_KEYS);
      const inner = this.numberList(h, `${path}.histogram_options`, 'buckets');
      if (inner !== null && buckets !== null) {
        this.fail(at.line, `${path}.histogram_options.buckets`, 'cannot use buckets both at the top level and in histogram_options');
      }
      buckets = inner ?? buckets;
      // Native histograms exist only in the protobuf exposition, which this endpoint does not serve.
      for (const key of ['native_histogram_bucket_factor', 'native_histogram_max_buckets']) {
        const n = h.get(key);
        if (n !== undefined) this.number(n.node, n.line, `${path}.histogram_options.${key}`);
      }
    }
    if (buckets === null || buckets.length === 0) return null;
    // client_golang sorts nothing: it refuses bounds out of order.
    if (buckets.some((b, i) => i > 0 && b <= buckets[i - 1])) {
      this.fail(e.get('buckets')?.line ?? at?.line ?? 0, `${path}.buckets`, 'histogram buckets must be in increasing order');
    }
    return buckets;
  }

  private objectives(e: Entries, path: string, key: string): Objective[] | null {
    const at = e.get(key);
    if (at === undefined) return null;
    if (!this.yaml.isSeq(at.node)) this.fail(at.line, `${path}.${key}`, 'expected a list of { quantile, error }');
    return at.node.items.map((item, i) => {
      const o = this.entries(item as Node, `${path}.${key}[${i}]`, ['quantile', 'error']);
      const q = o.get('quantile');
      const quantile = q === undefined ? 0 : this.number(q.node, q.line, `${path}.${key}[${i}].quantile`);
      if (!(quantile > 0 && quantile < 1)) {
        this.fail(q?.line ?? at.line, `${path}.${key}[${i}].quantile`, 'must be between 0 and 1 (exclusive)');
      }
      const err = o.get('error');
      const error = err === undefined ? 0 : this.number(err.node, err.line, `${path}.${key}[${i}].error`);
      return { quantile, error };
    });
  }

  private observerType(e: Entries, path: string): ObserverType | null {
    const observer = this.choice(e, path, 'observer_type', ['summary', 'histogram', '']);
    const timer = this.choice(e, path, 'timer_type', ['summary', 'histogram', '']);
    const type = observer !== null && observer !== '' ? observer : timer;
    return type === null || type === '' ? null : (type as ObserverType);
  }

  private matchType(e: Entries, path: string): 'glob' | 'regex' | null {
    const type = this.choice(e, path, 'match_type', ['glob', 'regex', '']);
    return type === null ? null : type === 'regex' ? 'regex' : 'glob';
  }

  // Scalars.

  private choice(e: Entries, path: string, key: string, allowed: readonly string[]): string | null {
    const value = this.string(e, path, key);
    if (value !== null && !allowed.includes(value)) {
      this.failAt(e, path, key, `"${value}" is not one of ${allowed.filter((a) => a !== '').join(', ')}`);
    }
    return value;
  }

  private string(e: Entries, path: string, key: string): string | null {
    const at = e.get(key);
    if (at === undefined) return null;
    return this.scalarText(at.node, at.line, `${path}.${key}`);
  }

  /** A scalar as text, as yaml.v2 decodes any scalar into a string field (`200` is "200"). */
  private scalarText(node: Node, line: number, key: string): string {
    if (this.isNull(node)) return '';
    if (!this.yaml.isScalar(node)) this.fail(line, key, 'expected a single value');
    return typeof node.value === 'string' ? node.value : (node.source ?? String(node.value));
  }

  private bool(e: Entries, path: string, key: string): boolean | null {
    const at = e.get(key);
    if (at === undefined) return null;
    if (!this.yaml.isScalar(at.node) || typeof at.node.value !== 'boolean') this.fail(at.line, `${path}.${key}`, 'expected true or false');
    return at.node.value;
  }

  private number(node: Node, line: number, key: string): number {
    if (!this.yaml.isScalar(node) || typeof node.value !== 'number' || !Number.isFinite(node.value)) {
      this.fail(line, key, 'expected a number');
    }
    return node.value;
  }

  private integer(e: Entries, path: string, key: string): number | null {
    const at = e.get(key);
    if (at === undefined) return null;
    const n = this.number(at.node, at.line, `${path}.${key}`);
    if (!Number.isInteger(n) || n < 0) this.fail(at.line, `${path}.${key}`, 'expected a whole number ≥ 0');
    return n;
  }

  private numberList(e: Entries, path: string, key: string): number[] | null {
    const at = e.get(key);
    if (at === undefined) return null;
    if (!this.yaml.isSeq(at.node)) this.fail(at.line, `${path}.${key}`, 'expected a list of numbers');
    return at.node.items.map((item, i) => this.number(item as Node, this.lineOf(item as Node) || at.line, `${path}.${key}[${i}]`));
  }

  private duration(e: Entries, path: string, key: string): number | null {
    const at = e.get(key);
    if (at === undefined) return null;
    const ms = this.yaml.isScalar(at.node) ? goDurationMs(at.node.value) : null;
    if (ms === null) this.fail(at.line, `${path}.${key}`, 'expected a duration such as 30s, 5m or 1h');
    return ms;
  }

  // Structure.

  /** A map's entries; `known` null takes any key (labels); `keepEmpty` keeps keys without a value. */
  private entries(node: Node, path: string, known: readonly string[] | null, keepEmpty = false): Entries {
    if (!this.yaml.isMap(node)) this.fail(this.lineOf(node), path, 'expected a map of keys');
    const out: Entries = new Map();
    for (const pair of node.items as Array<Pair<Node, Node | null>>) {
      const line = this.lineOf(pair.key);
      const key = this.yaml.isScalar(pair.key) ? String(pair.key.value) : '';
      if (known !== null && !known.includes(key)) {
        this.fail(line, path === '' ? key : `${path}.${key}`, `unknown key (known: ${known.join(', ')})`);
      }
      const value = pair.value ?? new this.yaml.Scalar(null);
      if (keepEmpty || !this.isNull(value)) out.set(key, { node: value, line });
    }
    return out;
  }

  private isNull(node: Node): boolean {
    return this.yaml.isScalar(node) && node.value === null;
  }

  private lineOf(node: Node | null): number {
    const offset = node?.range?.[0];
    return offset === undefined ? 0 : this.lines.linePos(offset).line;
  }

  /** Fails at the entry `key` of `e`, a map at `path`. */
  private failAt(e: Entries, path: string, key: string, reason: string): never {
    this.fail(e.get(key)?.line ?? 0, `${path}.${key}`, reason);
  }

  private fail(line: number, key: string, reason: string): never {
    throw new MappingError(this.file, line, key, reason);
  }
}
