// The exporter's regex mappings are Go (RE2) regular expressions, matched unanchored, and their
// `name` and label templates are expanded as Go's Regexp.Expand does. JavaScript's RegExp reads
// the same syntax for what mapping files use, except for a few spellings translated here:
// `(?P<name>…)` named groups, leading `(?i)`/`(?s)`/`(?m)` flags, and `\A`/`\z` anchors. What it
// cannot read (other inline flags, POSIX classes) is refused when the file is loaded.

const LEADING_FLAGS = /^\(\?([ims]+)\)/;

export function toJsRegExp(pattern: string): RegExp {
  let source = pattern;
  let flags = '';
  const lead = LEADING_FLAGS.exec(source);
  if (lead !== null) {
    flags = [...new Set(lead[1])].join('');
    source = source.slice(lead[0].length);
  }
  if (/\(\?[a-zA-Z-]+[:)]/.test(source)) throw new Error('inline flags are supported only at the start, as (?i), (?s) or (?m)');
  if (/\[\[:[a-z]+:\]\]/.test(source)) throw new Error('POSIX character classes such as [[:alpha:]] are not supported; use e.g. [a-zA-Z]');
  source = source.replace(/\(\?P</g, '(?<').replace(/\\A/g, '^').replace(/\\z/g, '$(?![\\s\\S])');
  return new RegExp(source, flags);
}

/**
 * `template` with `$1`, `${1}`, `$name` and `${name}` replaced by the match's groups, as Go's
 * Regexp.Expand: a name is the longest run of letters, digits and `_`; an unknown or unmatched
 * group gives ''; `$$` is a `$`; a `$` not followed by a name is kept as it is.
 */
export function expandGoTemplate(template: string, match: RegExpExecArray): string {
  if (!template.includes('$')) return template;
  let out = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    const rest = template.slice(dollar + 1);
    if (rest.startsWith('$')) {
      out += '$';
      i = dollar + 2;
      continue;
    }
    const ref = /^\{([A-Za-z0-9_]+)\}|^([A-Za-z0-9_]+)/.exec(rest);
    if (ref === null) {
      out += '$';
      i = dollar + 1;
      continue;
    }
    const name = ref[1] ?? ref[2];
    const value = /^\d+$/.test(name) ? match[Number(name)] : match.groups?.[name];
    out += value ?? '';
    i = dollar + 1 + ref[0].length;
  }
  return out;
}
