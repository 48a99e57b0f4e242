/** Summaries of timing samples: the median with the spread, as every bench figure reports them. */

export interface Summary {
  median: number;
  min: number;
  max: number;
  /** How many samples it summarizes. */
  n: number;
}

/** The median, min and max of `samples` (the median of an even count is the mean of the middle two). */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('summarize: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, n: sorted.length };
}

/**
 * Turns a summary of times into a summary of rates `work / time`: the fastest sample gives the
 * highest rate, so min and max swap.
 */
export function toRate(times: Summary, work: number): Summary {
  return { median: work / times.median, min: work / times.max, max: work / times.min, n: times.n };
}
