import { describe, expect, it } from '@jest/globals';
import { clippedSeconds, hoursOf, summaryWeek } from './usage-report.js';
import { checkUseTimes, countedSecondsOf, hoursCorrectionSeconds } from './use-correction.js';

const at = (iso: string) => new Date(iso);

describe('summary week', () => {
  it('is the last full Monday-to-Monday week by default', () => {
    // Wednesday 2026-03-11 → the week of Monday 2026-03-02.
    expect(summaryWeek(at('2026-03-11T15:00:00Z'))).toEqual({
      from: at('2026-03-02T00:00:00Z'),
      to: at('2026-03-09T00:00:00Z'),
    });
    // On a Monday, the week that just ended.
    expect(summaryWeek(at('2026-03-09T00:30:00Z')).from).toEqual(at('2026-03-02T00:00:00Z'));
  });

  it("starts on the given day's Monday", () => {
    expect(summaryWeek(at('2026-03-11T00:00:00Z'), at('2026-03-15T10:00:00Z'))).toEqual({
      from: at('2026-03-09T00:00:00Z'),
      to: at('2026-03-16T00:00:00Z'),
    });
  });
});

describe('clipping a use to a window', () => {
  const window = { from: at('2026-03-02T00:00:00Z'), to: at('2026-03-03T00:00:00Z') };

  it('counts only the part inside the window', () => {
    expect(clippedSeconds(at('2026-03-01T23:00:00Z'), at('2026-03-02T01:00:00Z'), window)).toBe(3600);
    expect(clippedSeconds(at('2026-03-02T23:30:00Z'), at('2026-03-03T02:00:00Z'), window)).toBe(1800);
    expect(clippedSeconds(at('2026-03-03T01:00:00Z'), at('2026-03-03T02:00:00Z'), window)).toBe(0);
  });

  it('rounds hours to the thousandth', () => {
    expect(hoursOf(5400)).toBe(1.5);
    expect(hoursOf(1)).toBe(0);
  });
});

describe('uses corrected by hand', () => {
  const now = at('2026-03-02T12:00:00Z');

  it('refuses an end before the start and a start in the future, naming the fields', () => {
    expect(() =>
      checkUseTimes({ startedAt: at('2026-03-02T10:00:00Z'), endedAt: at('2026-03-02T09:00:00Z') }, now),
    ).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', details: { fields: { endedAt: 'must be after startedAt' } } }),
    );
    expect(() => checkUseTimes({ startedAt: at('2026-03-02T13:00:00Z'), endedAt: null }, now)).toThrow(
      expect.objectContaining({ details: { fields: { startedAt: 'must not be in the future' } } }),
    );
  });

  it('counts a closed use from start to end, an open one not yet', () => {
    expect(countedSecondsOf({ startedAt: at('2026-03-02T10:00:00Z'), endedAt: at('2026-03-02T10:30:00Z') })).toBe(1800);
    expect(countedSecondsOf({ startedAt: at('2026-03-02T10:00:00Z'), endedAt: null })).toBeNull();
  });

  it('corrects hours by the difference of counted seconds', () => {
    expect(hoursCorrectionSeconds(1800, 3600)).toBe(1800);
    expect(hoursCorrectionSeconds(1800, null)).toBe(-1800);
    expect(hoursCorrectionSeconds(null, 60)).toBe(60);
  });
});
