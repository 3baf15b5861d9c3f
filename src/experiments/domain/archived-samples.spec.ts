import { describe, expect, it } from '@jest/globals';
import { mergeSamples, readArchiveAnswer } from './archived-samples.js';

describe('archiver answers', () => {
  it('give exact millisecond times, numbers as values and strings as texts, skipping waveforms', () => {
    const answer = readArchiveAnswer([
      {
        meta: { name: 'Test:Temp', EGU: 'C' },
        data: [
          { secs: 1642253854, nanos: 793888256, val: 21.5, severity: 0, status: 0 },
          { secs: 1642253850, nanos: 0, val: 'OPEN' },
          { secs: 1642253855, nanos: 1, val: [1, 2, 3] },
        ],
      },
    ]);
    expect(answer).toEqual({
      samples: [
        { ts: new Date('2022-01-15T13:37:30.000Z'), value: null, text: 'OPEN' },
        { ts: new Date('2022-01-15T13:37:34.793Z'), value: 21.5, text: null },
      ],
      skipped: 1,
    });
  });

  it('say an empty array is an unknown PV, and refuse other shapes', () => {
    expect(readArchiveAnswer([])).toEqual({ unknown: true });
    expect(() => readArchiveAnswer({ data: [] })).toThrow('not an array');
    expect(() => readArchiveAnswer([{ meta: {} }])).toThrow('no data array');
    expect(() => readArchiveAnswer([{ data: [{ secs: 1.5, val: 1 }] }])).toThrow('secs/nanos');
  });

  it('merge local and archived samples in time order, keeping the local one at the same millisecond', () => {
    const t = (s: number) => new Date(Date.UTC(2022, 0, 15, 12, 0, s));
    const merged = mergeSamples(
      [
        { ts: t(1), value: 1, text: null },
        { ts: t(3), value: 3, text: null },
      ],
      [
        { ts: t(0), value: 0, text: null },
        { ts: t(1), value: 99, text: null },
        { ts: t(2), value: 2, text: null },
      ],
    );
    expect(merged.map((s) => [s.value, s.origin])).toEqual([
      [0, 'ARCHIVER'],
      [1, 'LOCAL'],
      [2, 'ARCHIVER'],
      [3, 'LOCAL'],
    ]);
  });
});
