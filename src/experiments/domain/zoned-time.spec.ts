import { describe, expect, it } from '@jest/globals';
import { formatInZone, isTimeZone, offsetAt, parseZonedTime } from './zoned-time.js';

const BERLIN = 'Europe/Berlin';

describe('zoned times (archiver)', () => {
  it('read a time with an offset as that instant, whatever the zone', () => {
    expect(parseZonedTime('2022-01-15T06:37:34+01:00', BERLIN)).toEqual(new Date('2022-01-15T05:37:34Z'));
    expect(parseZonedTime('2022-01-15T06:37:34.5Z', 'America/New_York')).toEqual(new Date('2022-01-15T06:37:34.500Z'));
  });

  it('read a naive time as wall-clock time of the zone, in winter and in summer', () => {
    expect(parseZonedTime('2022-01-15 06:37:34', BERLIN)).toEqual(new Date('2022-01-15T05:37:34Z'));
    expect(parseZonedTime('2022-07-15T06:37', BERLIN)).toEqual(new Date('2022-07-15T04:37:00Z'));
    expect(parseZonedTime('2022-07-15 06:37:34', 'UTC')).toEqual(new Date('2022-07-15T06:37:34Z'));
    expect(parseZonedTime('2022-07-15 06:37:34', 'America/New_York')).toEqual(new Date('2022-07-15T10:37:34Z'));
  });

  it('move a wall-clock time that spring-forward skips ahead by the gap, and take the earlier of a repeated one', () => {
    // 02:30 does not exist in Berlin on 27 March 2022: 03:30 CEST.
    expect(parseZonedTime('2022-03-27 02:30:00', BERLIN)).toEqual(new Date('2022-03-27T01:30:00Z'));
    // 02:30 happens twice on 30 October 2022: the first time, CEST.
    expect(parseZonedTime('2022-10-30 02:30:00', BERLIN)).toEqual(new Date('2022-10-30T00:30:00Z'));
  });

  it('refuse what is not a time, or names no real date', () => {
    for (const bad of ['yesterday', '2022-02-30 10:00:00', '2022-01-15 24:00:00', '2022-01-15T06:37:34+1', ''])
      expect({ bad, parsed: parseZonedTime(bad, BERLIN) }).toEqual({ bad, parsed: undefined });
  });

  it('write an instant as wall-clock time of the zone with its offset', () => {
    expect(formatInZone(new Date('2022-01-15T12:37:34.793Z'), BERLIN)).toBe('2022-01-15T13:37:34.793+01:00');
    expect(formatInZone(new Date('2022-07-15T12:00:00Z'), BERLIN)).toBe('2022-07-15T14:00:00.000+02:00');
    expect(formatInZone(new Date('2022-07-15T12:00:00Z'), 'America/New_York')).toBe('2022-07-15T08:00:00.000-04:00');
    expect(formatInZone(new Date('2022-07-15T12:00:00Z'), 'Asia/Kolkata')).toBe('2022-07-15T17:30:00.000+05:30');
    expect(offsetAt('UTC', Date.now())).toBe(0);
  });

  it('know IANA zones', () => {
    expect(isTimeZone(BERLIN)).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
