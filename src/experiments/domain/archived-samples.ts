/**
 * What the EPICS Archiver Appliance answers on `retrieval/data/getData.json` (reference/
 * realtimeplot.md §6.4): an array with one element per PV, `{ meta, data: [{ secs, nanos,
 * val, severity, status }] }`; an unknown PV gets an empty array (or HTTP 404).
 */
export interface ArchivedSample {
  ts: Date;
  value: number | null;
  text: string | null;
}

export type ArchiveAnswer = { samples: ArchivedSample[]; skipped: number } | { unknown: true };

/**
 * Reads an answer. Times are exact milliseconds (secs × 1000 + nanos ÷ 10⁶, in integers: the
 * original's float sum had rounding noise); numbers become values, strings texts; other
 * values (waveforms) are skipped and counted. Throws on an answer of another shape.
 */
export function readArchiveAnswer(json: unknown): ArchiveAnswer {
  if (!Array.isArray(json)) throw new Error('the answer is not an array');
  if (!json.length) return { unknown: true };
  const [first] = json as unknown[];
  const data = (first as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new Error('the answer has no data array');
  const samples: ArchivedSample[] = [];
  let skipped = 0;
  for (const point of data as Array<Record<string, unknown>>) {
    const { secs, nanos = 0, val } = point ?? {};
    if (!Number.isSafeInteger(secs) || !Number.isSafeInteger(nanos) || (nanos as number) < 0)
      throw new Error('a sample has no whole secs/nanos');
    const ts = new Date((secs as number) * 1000 + Math.floor((nanos as number) / 1_000_000));
    if (typeof val === 'number' && Number.isFinite(val)) samples.push({ ts, value: val, text: null });
    else if (typeof val === 'string') samples.push({ ts, value: null, text: val });
    else skipped++;
  }
  samples.sort((a, b) => a.ts.getTime() - b.ts.getTime());
  return { samples, skipped };
}

export interface MergedSample extends ArchivedSample {
  origin: 'LOCAL' | 'ARCHIVER';
}

/** Both series in time order; at the same millisecond the local sample is kept (it came from the device itself). */
export function mergeSamples(local: readonly ArchivedSample[], archived: readonly ArchivedSample[]): MergedSample[] {
  const localTimes = new Set(local.map((s) => s.ts.getTime()));
  return [
    ...local.map((s): MergedSample => ({ ...s, origin: 'LOCAL' })),
    ...archived.filter((s) => !localTimes.has(s.ts.getTime())).map((s): MergedSample => ({ ...s, origin: 'ARCHIVER' })),
  ].sort((a, b) => a.ts.getTime() - b.ts.getTime() || (a.origin === 'LOCAL' ? -1 : 1));
}
