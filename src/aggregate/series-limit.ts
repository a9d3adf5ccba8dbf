// The cap on distinct series per flush interval (cardinality limit). Past it, samples for new
// series are dropped — counted, and summarised by name prefix so the warning points at the client
// that exploded (e.g. a request id in a metric name).

/** How many dots of a name make up the prefix a warning groups by. */
const PREFIX_SEGMENTS = 2;
const MAX_PREFIXES_TRACKED = 1000;

export class SeriesLimit {
  droppedSamples = 0;
  private readonly byPrefix = new Map<string, number>();

  constructor(readonly maxSeries: number) {}

  /** True when a bucket holding `size` series may take one more. */
  allows(size: number): boolean {
    return this.maxSeries <= 0 || size < this.maxSeries;
  }

  recordDrop(key: string): void {
    this.droppedSamples++;
    let end = -1;
    for (let i = 0; i < PREFIX_SEGMENTS; i++) {
      const dot = key.indexOf('.', end + 1);
      if (dot < 0) {
        end = -1;
        break;
      }
      end = dot;
    }
    const prefix = end < 0 ? key.split('\n')[0] : key.slice(0, end);
    const n = this.byPrefix.get(prefix);
    if (n !== undefined || this.byPrefix.size < MAX_PREFIXES_TRACKED) this.byPrefix.set(prefix, (n ?? 0) + 1);
  }

  /** The prefixes with the most dropped samples, most first. */
  topPrefixes(count = 5): Array<[string, number]> {
    return [...this.byPrefix].sort((a, b) => b[1] - a[1]).slice(0, count);
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
      },
      'series limit reached: samples of new series were dropped this interval',
    );
  }
  return droppedSamples;
}
