// StatsD names and tags spelled the way Prometheus accepts them:
// - metric names: every character outside [a-zA-Z0-9_] becomes '_' (dots included, so
//   `mhv.account.existed` → `mhv_account_existed`; ':' too, as Prometheus reserves it for
//   recording rules), and a leading digit gets a '_' in front;
// - label names: the same, and names Prometheus reserves (`__…`) or this sink writes itself
//   (`quantile`, `le`) get an `exported_` prefix, as Prometheus does for clashing target labels;
// - label values: any text, escaped per the format (`\`, `"` and newline).

const VALID_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const INVALID_CHAR = /[^a-zA-Z0-9_]/gu;
const OWN_LABELS = new Set(['quantile', 'le']);

export function metricName(name: string): string {
  if (VALID_NAME.test(name)) return name;
  const clean = name.replace(INVALID_CHAR, '_');
  return clean.charCodeAt(0) >= 48 && clean.charCodeAt(0) <= 57 ? '_' + clean : clean;
}

export function labelName(tag: string): string {
  return guardLabel(metricName(tag));
}

/**
 * A valid label name clear of the ones Prometheus reserves (`__…`) and this sink writes itself
 * (`quantile`, `le`): statsd_exporter passes those through, which crashes it or fails its scrape.
 */
export function guardLabel(name: string): string {
  return name.startsWith('__') || OWN_LABELS.has(name) ? 'exported_' + name : name;
}

/**
 * statsd_exporter's EscapeMetricName, for metric and label names alike: each character (code
 * point) outside [a-zA-Z0-9_] becomes one '_', except that the second '-' of '--' is dropped
 * (`a--b` → `a_b`), and a leading digit gets a '_' in front.
 */
export function exporterName(name: string): string {
  if (name === '') return '';
  let out = name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57 ? '_' : '';
  let previous = '';
  for (const c of name) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_') out += c;
    else if (!(c === '-' && previous === '-')) out += '_';
    previous = c;
  }
  return out;
}

/** `name` plus `suffix`, unless it already ends with it (`latency_seconds` stays as it is). */
export function withSuffix(name: string, suffix: string): string {
  return name.endsWith(suffix) ? name : name + suffix;
}

/** `name` without `suffix` at its end (a counter family `requests` for `requests_total`). */
export function withoutSuffix(name: string, suffix: string): string {
  return name.endsWith(suffix) && name.length > suffix.length ? name.slice(0, -suffix.length) : name;
}

export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : '\\' + c));
}

/** HELP text: 0.0.4 knows only the `\\` and `\n` escapes; OpenMetrics escapes `"` too. */
export function escapeHelp(text: string, openMetrics: boolean): string {
  return openMetrics ? escapeLabelValue(text) : text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}
