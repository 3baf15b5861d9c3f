import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { MAX_REPORTED_PROBLEMS, parseSeaCurrentsCsv } from './sea-currents.js';

const START = new Date('2026-01-05T00:00:00Z');

function refusal(run: () => unknown): Record<string, string> {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    return (e as InvalidInputError).details.fields as Record<string, string>;
  }
  throw new Error('expected a refusal');
}

describe('parseSeaCurrentsCsv', () => {
  it("reads the reference's u,v files, rows 10 minutes apart from startsAt", () => {
    const rows = parseSeaCurrentsCsv('u,v\n0.006709203,-0.069677734\n0.006978709,-0.076683099\n', { startsAt: START });
    expect(rows).toEqual([
      { at: START, u: 0.006709203, v: -0.069677734 },
      { at: new Date('2026-01-05T00:10:00Z'), u: 0.006978709, v: -0.076683099 },
    ]);
  });

  it('spaces rows by intervalSeconds, ignores other columns (a pandas index), blank lines and CRLF', () => {
    const rows = parseSeaCurrentsCsv(',V,U\r\n0,0.2,0.1\r\n\r\n1,0.4,0.3\r\n', {
      startsAt: START,
      intervalSeconds: 60,
    });
    expect(rows).toEqual([
      { at: START, u: 0.1, v: 0.2 },
      { at: new Date('2026-01-05T00:01:00Z'), u: 0.3, v: 0.4 },
    ]);
  });

  it('takes a timestamp column: zoned ISO-8601, zone-less as UTC, or epoch milliseconds', () => {
    const csv = [
      'timestamp,u,v',
      '2026-01-05T00:00:00+01:00,0.1,0.2',
      '2026-01-05 00:00:00,0.1,0.2',
      `${Date.parse('2026-01-05T00:10:00Z')},0.1,0.2`,
    ].join('\n');
    expect(parseSeaCurrentsCsv(csv).map((r) => r.at.toISOString())).toEqual([
      '2026-01-04T23:00:00.000Z',
      '2026-01-05T00:00:00.000Z',
      '2026-01-05T00:10:00.000Z',
    ]);
  });

  it('refuses the whole file naming every bad row, numbered as a spreadsheet shows them (header = row 1)', () => {
    const csv = ['u,v', '0.1,0.2', 'x,0.2', '0.1', '0.1,0.2', '0.1,25', '"0.3","0.4"'].join('\n');
    const fields = refusal(() => parseSeaCurrentsCsv(csv, { startsAt: START }));
    expect(fields.csv).toBe(
      'row 3: u: "x" is not a number | row 4: 1 cells for 2 columns; v: is missing | row 6: v: 25 m/s is beyond ±10 m/s',
    );
  });

  it('refuses times that do not increase, and times it cannot read', () => {
    const csv = ['ts,u,v', '2026-01-05T00:10:00Z,0,0', '2026-01-05T00:10:00Z,0,0', 'yesterday,0,0'].join('\n');
    expect(refusal(() => parseSeaCurrentsCsv(csv)).csv).toBe(
      'row 3: ts: must be later than the row before | row 4: ts: "yesterday" is not an ISO-8601 time or epoch milliseconds',
    );
  });

  it(`reports at most ${MAX_REPORTED_PROBLEMS} bad rows and counts the rest`, () => {
    const csv = ['u,v', ...Array.from({ length: 30 }, () => 'a,b')].join('\n');
    const fields = refusal(() => parseSeaCurrentsCsv(csv, { startsAt: START }));
    expect(fields.csv.split(' | ')).toHaveLength(MAX_REPORTED_PROBLEMS + 1);
    expect(fields.csv).toMatch(/and 10 more$/);
  });

  it('needs a header with u and v, rows, and a start time when there is no time column', () => {
    expect(refusal(() => parseSeaCurrentsCsv(''))).toEqual({ csv: 'holds no header and no rows' });
    expect(refusal(() => parseSeaCurrentsCsv('speed,direction\n1,2')).csv).toMatch(/must name the columns u and v/);
    expect(refusal(() => parseSeaCurrentsCsv('u,v\n', { startsAt: START }))).toEqual({
      csv: 'holds a header but no rows',
    });
    expect(refusal(() => parseSeaCurrentsCsv('u,v\n0,0', { intervalSeconds: 0 }))).toEqual({
      startsAt: 'is required when the file has no timestamp column',
      intervalSeconds: 'must be an integer from 1 to 86400',
    });
  });
});
