// statsite's [histogram_NAME] sections: timers whose name starts with `prefix` (the longest
// matching prefix wins; an empty prefix is the default) also count their samples into bins
// `<min`, [min, min+width), …, `>=max`.

export interface HistogramConfig {
  prefix: string;
  min: number;
  max: number;
  width: number;
}

/** Bins below min and at/above max, plus one per width step — a partial top step included. */
export function binCount(h: HistogramConfig): number {
  return Math.ceil((h.max - h.min) / h.width) + 2;
}

export function findHistogram(histograms: readonly HistogramConfig[], name: string): HistogramConfig | null {
  let best: HistogramConfig | null = null;
  for (const h of histograms) {
    if (name.startsWith(h.prefix) && (best === null || h.prefix.length > best.prefix.length)) best = h;
  }
  return best;
}

export function binIndex(h: HistogramConfig, bins: number, value: number): number {
  if (value < h.min) return 0;
  if (value >= h.max) return bins - 1;
  // min() guards float rounding just below max from landing in the overflow bin.
  return Math.min(bins - 2, Math.floor((value - h.min) / h.width) + 1);
}
