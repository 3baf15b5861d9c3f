import { describe, expect, it } from '@jest/globals';
import { toCsv } from './csv.js';

describe('CSV', () => {
  it('writes a header row, numbers as numbers, ISO times, empty nulls and quoted text', () => {
    const rows = [{ name: 'Ravi, "R"', amps: 215.25, at: new Date('2026-01-05T08:00:00Z'), none: null }];
    const sut = toCsv(
      [
        { header: 'name', value: (r: (typeof rows)[number]) => r.name },
        { header: 'amps', value: (r) => r.amps },
        { header: 'at', value: (r) => r.at },
        { header: 'none', value: (r) => r.none },
      ],
      rows,
    );
    expect(sut).toBe('name,amps,at,none\r\n"Ravi, ""R""",215.25,2026-01-05T08:00:00.000Z,\r\n');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    const sut = toCsv([{ header: 'remarks', value: (r: { remarks: string }) => r.remarks }], [{ remarks: '=SUM(A1)' }]);
    expect(sut).toBe("remarks\r\n'=SUM(A1)\r\n");
  });
});
