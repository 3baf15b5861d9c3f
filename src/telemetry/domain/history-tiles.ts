/**
 * Which source serves which part of a bucketed history window. Summaries per period
 * (rollups of 1 minute, 1 second…) hold count/min/max/sum of whole periods aligned to the
 * epoch, as buckets are; a period lies inside one bucket when the bucket width is a
 * multiple of it. The window [from, to) is then cut into at most 2 × levels + 1 ranges:
 * the aligned middle from the coarsest usable level, the edges that cut through its periods
 * from the next finer level, and what no level covers whole from the raw samples. Every
 * sample is counted exactly once, so the buckets equal those computed from raw samples.
 */
export interface Tile {
  /** Index into the levels given, or 'raw'. */
  source: number | 'raw';
  from: Date;
  to: Date;
}

/** `periodsMs`: the rollup levels' period widths, coarsest first. */
export function historyTiles(from: Date, to: Date, bucketMs: number, periodsMs: readonly number[]): Tile[] {
  const tiles: Tile[] = [];
  let pending: Array<[number, number]> = [[from.getTime(), to.getTime()]];
  periodsMs.forEach((period, source) => {
    if (bucketMs % period !== 0) return;
    const rest: Array<[number, number]> = [];
    for (const [start, end] of pending) {
      const alignedStart = Math.ceil(start / period) * period;
      const alignedEnd = Math.floor(end / period) * period;
      if (alignedStart >= alignedEnd) {
        rest.push([start, end]);
        continue;
      }
      tiles.push({ source, from: new Date(alignedStart), to: new Date(alignedEnd) });
      if (start < alignedStart) rest.push([start, alignedStart]);
      if (alignedEnd < end) rest.push([alignedEnd, end]);
    }
    pending = rest;
  });
  for (const [start, end] of pending) tiles.push({ source: 'raw', from: new Date(start), to: new Date(end) });
  return tiles;
}
