import { describe, expect, it } from '@jest/globals';
import { completeTimeInState, plausibilityLimits, toCsv } from './production-report.js';

describe('plausibility limits', () => {
  it('are the highest standard of all active element types plus the margin', () => {
    const sut = plausibilityLimits([
      { currentMin: 180, currentMax: 270, voltageMin: 15, voltageMax: 35 },
      { currentMin: 90, currentMax: 310, voltageMin: 10, voltageMax: 28 },
    ]);
    expect(sut).toEqual({ current: 360, voltage: 55 });
  });

  it('are absent without any standard: nothing is called a spike', () => {
    expect(plausibilityLimits([])).toEqual({ current: null, voltage: null });
  });
});

describe('production figures', () => {
  it('list every state, zero for the absent ones', () => {
    expect(completeTimeInState({ PRODUCTION: 12.5 })).toEqual([
      { state: 'OFF', seconds: 0 },
      { state: 'IDLE', seconds: 0 },
      { state: 'PRODUCTION', seconds: 12.5 },
    ]);
  });
});

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
