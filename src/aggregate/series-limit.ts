// The cap on distinct series per flush interval (cardinality limit). Past it, samples for new
// series are dropped — counted, and summarised by name prefix so the warning points at the client
// that exploded (e.g. a request id in a metric name).

/** How many dots of a name make up the prefix a warning groups by. */
const PREFIX_SEGMENTS = 2;
const MAX_PREFIXES_TRACKED = 1000;

/** The first PREFIX_SEGMENTS dot-separated parts of a series key's name (the whole name when it has fewer). */
function namePrefix(key: string): string {
  let end = -1;
  for (let i = 0; i < PREFIX_SEGMENTS; i++) {
    const dot = key.indexOf('.', end + 1);
    if (dot < 0) {
      end = -1;
      break;
    }
    end = dot;
  }
  if (end >= 0) return key.slice(0, end);
  const tags = key.indexOf('\n');
  return tags < 0 ? key : key.slice(0, tags);
}

/** Counts by prefix, bounded: past MAX_PREFIXES_TRACKED distinct prefixes only those already seen grow. */
function countPrefix(counts: Map<string, number>, key: string): void {
  const prefix = namePrefix(key);
  const n = counts.get(prefix);
  if (n !== undefined || counts.size < MAX_PREFIXES_TRACKED) counts.set(prefix, (n ?? 0) + 1);
}

function top(counts: ReadonlyMap<string, number>, count: number): Array<[string, number]> {
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, count);
}

export class SeriesLimit {
  droppedSamples = 0;
  private readonly dropsByPrefix = new Map<string, number>();
  /**
   * Series created, by prefix: which clients hold the cardinality (the status page's view). Counted
   * once per series per interval, when it is created, never per sample.
   */
  private readonly seriesByPrefix = new Map<string, number>();

  constructor(readonly maxSeries: number) {}

  /** True when a bucket holding `size` series may take one more. */
  allows(size: number): boolean {
    return this.maxSeries <= 0 || size < this.maxSeries;
  }

  recordSeries(key: string): void {
    countPrefix(this.seriesByPrefix, key);
  }

  recordDrop(key: string): void {
    this.droppedSamples++;
    countPrefix(this.dropsByPrefix, key);
  }

  /** The prefixes with the most dropped samples, most first. */
  topPrefixes(count = 5): Array<[string, number]> {
    return top(this.dropsByPrefix, count);
  }

  /** The prefixes with the most series in this interval, most first (series dropped at the limit are not in it). */
  topSeriesPrefixes(count = 10): Array<[string, number]> {
    return top(this.seriesByPrefix, count);
  }
}

/** The logger's one method this needs; aggregate/ sits below log/ and names no logger. */
export interface WarningLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

/**
 * Logs the samples a finished interval dropped at the series limit, if any; returns how many.
 * `limitName` says which limit it was when it is not `[limits] max_series`.
 */
export function warnSeriesLimit(limit: SeriesLimit, log: WarningLog, limitName?: string): number {
  const { droppedSamples, maxSeries } = limit;
  if (droppedSamples > 0) {
    log.warn(
      {
        droppedSamples,
        maxSeries,
        ...(limitName === undefined ? {} : { limit: limitName }),
        topPrefixes: Object.fromEntries(limit.topPrefixes()),
        topSeriesPrefixes: Object.fromEntries(limit.topSeriesPrefixes(5)),
      },
      'series limit reached: samples of new series were dropped this interval',
    );
  }
  return droppedSamples;
}
