// Prometheus text exposition (0.0.4) as data, for comparing two endpoints series by series:
//
//   parseExposition(text): Map<family, { type, samples: Map<sampleKey, value> }>
//   sampleKey(name, labels): `name{a="1",b="2"}`, labels sorted, empty ones left out (Prometheus
//   stores a label with an empty value as no label), so `x{a=""}` and `x` are one series.
//
// A sample belongs to the family of the latest `# TYPE` line, as the format says.

export interface ExposedFamily {
  type: string;
  samples: Map<string, number>;
}

export function sampleKey(name: string, labels: Record<string, string>): string {
  const parts = Object.entries(labels)
    .filter(([, v]) => v !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return parts.length === 0 ? name : `${name}{${parts.join(',')}}`;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** `a="x",b="y\"z"` → { a: 'x', b: 'y"z' }. */
function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const pair = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/gy;
  let m: RegExpExecArray | null;
  while ((m = pair.exec(text)) !== null) {
    labels[m[1]] = m[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

export function parseExposition(text: string): Map<string, ExposedFamily> {
  const families = new Map<string, ExposedFamily>();
  let current: ExposedFamily | null = null;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP')) continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type !== null) {
      current = { type: type[2], samples: new Map() };
      families.set(type[1], current);
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (sample === null || current === null) throw new Error(`not an exposition line: ${line}`);
    current.samples.set(sampleKey(sample[1], parseLabels(sample[2] ?? '')), parseValue(sample[3]));
  }
  return families;
}
