// Tags carried inside the metric name by other client conventions, each opt-in because the same
// characters are legal in plain statsite names:
//   influxdb  `name,k=v,k2=v2`      librato  `name#k=v,k2=v2`      signalfx  `name[k=v,k2=v2]`
// They come out in DogStatsD's `k:v,k2:v2` form, to merge with any `|#` tags of the line.

export const NAME_TAG_FORMATS = ['influxdb', 'librato', 'signalfx'] as const;
export type NameTagFormat = (typeof NAME_TAG_FORMATS)[number];

const PRECEDENCE: readonly NameTagFormat[] = ['signalfx', 'librato', 'influxdb'];

function pairs(list: string): string {
  return list.split(',').filter((p) => p !== '').map((p) => p.replace('=', ':')).join(',');
}

/** The name without its embedded tags, and those tags; null when the name carries none. */
export function splitNameTags(name: string, formats: readonly NameTagFormat[]): { name: string; tags: string } | null {
  // Most specific first: a SignalFx block may itself contain ',' and '#' is rarer than ','.
  for (const format of PRECEDENCE) {
    if (!formats.includes(format)) continue;
    if (format === 'signalfx') {
      const open = name.indexOf('[');
      const close = open < 0 ? -1 : name.indexOf(']', open);
      if (close > open) return { name: name.slice(0, open) + name.slice(close + 1), tags: pairs(name.slice(open + 1, close)) };
    } else {
      const at = name.indexOf(format === 'influxdb' ? ',' : '#');
      if (at > 0) return { name: name.slice(0, at), tags: pairs(name.slice(at + 1)) };
    }
  }
  return null;
}
