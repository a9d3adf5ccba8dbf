// Reading statsite's stream format, `KEY|VALUE|TS\n`, as the stdout sink
// writes it. One flush = all lines sharing a timestamp.

export interface StreamLine {
  key: string;
  /** The value text exactly as printed (`10.000000`, `3`). */
  value: string;
  ts: number;
}

export interface Flush {
  ts: number;
  lines: StreamLine[];
}

export interface ParsedOutput {
  /** Flushes grouped by timestamp, in order of first appearance. */
  flushes: Flush[];
  /** Complete lines that are not `KEY|VALUE|TS` with an integer TS. */
  malformed: string[];
  /** Text after the last newline (a line still being written, or a missing final `\n`). */
  trailing: string;
}

/** Splits one line at its last two `|`, so a key may itself contain `|`. */
export function parseStreamLine(line: string): StreamLine | undefined {
  const tsBar = line.lastIndexOf('|');
  if (tsBar <= 0) return undefined;
  const valueBar = line.lastIndexOf('|', tsBar - 1);
  if (valueBar <= 0) return undefined;
  const tsText = line.slice(tsBar + 1);
  if (!/^\d+$/.test(tsText)) return undefined;
  return { key: line.slice(0, valueBar), value: line.slice(valueBar + 1, tsBar), ts: Number(tsText) };
}

export function parseStreamOutput(text: string): ParsedOutput {
  const parts = text.split('\n');
  const trailing = parts.pop() ?? '';
  const flushes: Flush[] = [];
  const byTs = new Map<number, Flush>();
  const malformed: string[] = [];
  for (const raw of parts) {
    const line = parseStreamLine(raw);
    if (line === undefined) {
      malformed.push(raw);
      continue;
    }
    let flush = byTs.get(line.ts);
    if (flush === undefined) {
      flush = { ts: line.ts, lines: [] };
      byTs.set(line.ts, flush);
      flushes.push(flush);
    }
    flush.lines.push(line);
  }
  return { flushes, malformed, trailing };
}

/** Every line with this key, across all flushes, in output order. */
export function linesWithKey(flushes: Flush[], key: string): StreamLine[] {
  return flushes.flatMap((f) => f.lines.filter((l) => l.key === key));
}

/** The printed values of a key across all flushes. */
export function valuesOf(flushes: Flush[], key: string): string[] {
  return linesWithKey(flushes, key).map((l) => l.value);
}

/**
 * The sum of a key's values over all flushes: for counters (and timer sums,
 * counts) whose samples may land on either side of a flush boundary.
 */
export function sumOf(flushes: Flush[], key: string): number {
  return valuesOf(flushes, key).reduce((acc, v) => acc + Number(v), 0);
}

/** `KEY|VALUE` pairs of a flush, for readable assertions and diffs. */
export function keyValues(flush: Flush): string[] {
  return flush.lines.map((l) => `${l.key}|${l.value}`);
}
