import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { clipSegment, resolveWindow, utcDay } from './machine-state-window.js';

const NOW = new Date('2026-01-05T12:00:00Z');
const fieldsOf = (work: () => unknown) => {
  try {
    work();
  } catch (e) {
    return (e as InvalidInputError).details.fields;
  }
  throw new Error('expected an error');
};

describe('windows', () => {
  it('takes the last N minutes up to now', () => {
    expect(resolveWindow({ lastMinutes: 15 }, NOW)).toEqual({ from: new Date('2026-01-05T11:45:00Z'), to: NOW });
  });

  it('takes from/to, to defaulting to now, and the last hour without arguments', () => {
    const from = new Date('2026-01-05T10:00:00Z');
    expect(resolveWindow({ from }, NOW)).toEqual({ from, to: NOW });
    expect(resolveWindow({}, NOW)).toEqual({ from: new Date('2026-01-05T11:00:00Z'), to: NOW });
  });

  it('names the argument that makes a window invalid', () => {
    expect(fieldsOf(() => resolveWindow({ lastMinutes: 5, from: NOW }, NOW))).toHaveProperty('lastMinutes');
    expect(fieldsOf(() => resolveWindow({ lastMinutes: 0 }, NOW))).toHaveProperty('lastMinutes');
    expect(fieldsOf(() => resolveWindow({ to: NOW }, NOW))).toHaveProperty('from');
    expect(fieldsOf(() => resolveWindow({ from: NOW, to: NOW }, NOW))).toHaveProperty('to');
  });

  it('turns a calendar date into its UTC day and refuses impossible dates', () => {
    expect(utcDay('2026-02-28')).toEqual({
      from: new Date('2026-02-28T00:00:00Z'),
      to: new Date('2026-03-01T00:00:00Z'),
    });
    expect(() => utcDay('2026-02-30')).toThrow(InvalidInputError);
    expect(fieldsOf(() => utcDay('05/01/2026'))).toEqual({ date: 'must be a calendar date YYYY-MM-DD' });
  });
});

describe('timeline segments', () => {
  const window = { from: new Date('2026-01-05T10:00:00Z'), to: new Date('2026-01-05T11:00:00Z') };

  it('clips a segment to the window', () => {
    const sut = clipSegment(
      {
        machineId: 1,
        state: 'IDLE',
        startedAt: new Date('2026-01-05T09:30:00Z'),
        endedAt: new Date('2026-01-05T10:10:00Z'),
        lastSampleAt: new Date('2026-01-05T10:09:59Z'),
      },
      window,
    );
    expect(sut).toEqual({
      machineId: 1,
      state: 'IDLE',
      start: window.from,
      end: new Date('2026-01-05T10:10:00Z'),
      durationSeconds: 600,
      open: false,
    });
  });

  it('ends an open segment at its last reading', () => {
    const sut = clipSegment(
      {
        machineId: 1,
        state: 'PRODUCTION',
        startedAt: new Date('2026-01-05T10:50:00Z'),
        endedAt: null,
        lastSampleAt: new Date('2026-01-05T10:55:30Z'),
      },
      window,
    );
    expect(sut).toMatchObject({ end: new Date('2026-01-05T10:55:30Z'), durationSeconds: 330, open: true });
  });
});
