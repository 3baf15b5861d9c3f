import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { parseReadingsCsv, parseTime, type ReadingsCsvRules } from './readings-csv.js';

const RULES: ReadingsCsvRules = {
  ppmvLimit: 10_000,
  earliestMs: Date.UTC(2000, 0, 1),
  latestMs: Date.UTC(2026, 11, 4),
  retentionStartMs: -Infinity,
};

describe('parseReadingsCsv (the original index,Time,Values files)', () => {
  it('keeps plausible readings in time order, UTC unless a zone is given', () => {
    const sut = parseReadingsCsv(
      [
        'index,Time,Values',
        '0,2021-04-05 14:10:00,92.5',
        '1,2021-04-05 14:00:00,91.56',
        '2,2021-04-05T15:20:00+01:00,93',
        '',
      ].join('\r\n'),
      RULES,
    );
    expect([...sut.times]).toEqual([
      Date.UTC(2021, 3, 5, 14, 0),
      Date.UTC(2021, 3, 5, 14, 10),
      Date.UTC(2021, 3, 5, 14, 20),
    ]);
    expect([...sut.ppmv]).toEqual([91.56, 92.5, 93]);
    expect(sut.rows).toBe(3);
    expect(Object.values(sut.refused).every((n) => n === 0)).toBe(true);
  });

  it('refuses sentinel, negative, malformed and unreadable rows with a count per reason, and keeps the rest', () => {
    const sut = parseReadingsCsv(
      [
        ',Time,Values',
        '0,2021-04-05 14:00:00,1e14',
        '1,2021-04-05 14:10:00,10000',
        '2,2021-04-05 14:20:00,9999.5',
        '3,2021-04-05 14:30:00,-1',
        '4,2021-04-05 14:40:00',
        '5,yesterday,3',
        '6,1999-12-31 23:50:00,3',
        '7,2021-02-30 00:00:00,3',
        '8,2021-04-05 14:50:00,NaN',
        '9,2021-04-05 15:00:00,abc',
        '10,2021-04-05 14:20:00,12',
      ].join('\n'),
      RULES,
    );
    expect([...sut.ppmv]).toEqual([9999.5]);
    expect(sut.rows).toBe(11);
    expect(sut.refused).toEqual({
      sentinel: 2,
      negative: 1,
      malformed: 1,
      badTime: 3,
      badValue: 2,
      olderThanRetention: 0,
    });
    expect(sut.duplicatesInFile).toBe(1);
    expect(sut.examples[0]).toEqual({ line: 2, reason: 'sentinel', problem: expect.stringContaining('sentinel') });
  });

  it('refuses readings older than the retention, as they would be dropped at once', () => {
    const sut = parseReadingsCsv('index,Time,Values\n0,2021-04-05 14:00:00,1\n1,2026-01-01 00:00:00,2\n', {
      ...RULES,
      retentionStartMs: Date.UTC(2025, 0, 1),
    });
    expect([...sut.ppmv]).toEqual([2]);
    expect(sut.refused.olderThanRetention).toBe(1);
  });

  it('refuses a file without the header as a whole, naming it', () => {
    for (const text of ['', 'Time,Values\n2021-04-05 14:00:00,1', 'index;Time;Values\n0;2021-04-05 14:00:00;1']) {
      expect(() => parseReadingsCsv(text, RULES)).toThrow(InvalidInputError);
    }
    let error: unknown;
    try {
      parseReadingsCsv('a,b,c\n', RULES);
    } catch (e) {
      error = e;
    }
    expect((error as InvalidInputError).details).toEqual({
      fields: { csv: expect.stringContaining('index,Time,Values') },
    });
  });

  it('reports progress up to 1 in steps of at least 1 %', () => {
    const lines = ['index,Time,Values'];
    for (let i = 0; i < 5000; i++)
      lines.push(`${i},${new Date(Date.UTC(2021, 0, 1) + i * 600_000).toISOString()},${i % 50}`);
    const progress: number[] = [];
    const sut = parseReadingsCsv(lines.join('\n'), RULES, (f) => progress.push(f));
    expect(sut.times.length).toBe(5000);
    expect(progress.at(-1)).toBe(1);
    expect(progress.length).toBeLessThanOrEqual(101);
    expect(progress.every((f, i) => i === 0 || f > progress[i - 1])).toBe(true);
  });
});

describe('parseTime', () => {
  it('reads calendar times with optional seconds, fractions and zones, and nothing else', () => {
    expect(parseTime('2021-04-05 14:00')).toBe(Date.UTC(2021, 3, 5, 14));
    expect(parseTime('2021-04-05T14:00:00.250Z')).toBe(Date.UTC(2021, 3, 5, 14, 0, 0, 250));
    expect(parseTime('2021-04-05 14:00:00-0230')).toBe(Date.UTC(2021, 3, 5, 16, 30));
    expect(parseTime('2021-13-05 14:00:00')).toBeNaN();
    expect(parseTime('2021-04-05 24:00:00')).toBeNaN();
    expect(parseTime('1617631200000')).toBeNaN();
  });
});
