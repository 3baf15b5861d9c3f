import { describe, expect, it } from '@jest/globals';
import { addDays, dayStart, partitionPlan, utcDay } from './partition-plan.js';

describe('partitionPlan', () => {
  const policy = { daysAhead: 2, retentionDays: 5 };

  it('creates yesterday to the horizon when nothing exists', () => {
    const sut = partitionPlan('2026-11-21', policy, [], []);
    expect(sut.create).toEqual(['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23']);
    expect(sut.drop).toEqual([]);
    expect(sut.purgeDefaultBefore).toBe('2026-11-16');
  });

  it('creates only what is missing and drops what is older than the retention', () => {
    const existing = ['2026-11-15', '2026-11-16', '2026-11-20', '2026-11-21', '2026-11-22'];
    const sut = partitionPlan('2026-11-21', policy, existing, []);
    expect(sut.create).toEqual(['2026-11-23']);
    expect(sut.drop).toEqual(['2026-11-15']);
  });

  it('creates the days that wait in the DEFAULT partition, within the retention and the horizon', () => {
    const inDefault = ['2026-11-10', '2026-11-17', '2026-11-23', '2026-12-25'];
    const sut = partitionPlan('2026-11-21', policy, ['2026-11-20', '2026-11-21', '2026-11-22'], inDefault);
    expect(sut.create).toEqual(['2026-11-17', '2026-11-23']);
  });

  it('keeps everything with a retention of 0', () => {
    const sut = partitionPlan('2026-11-21', { daysAhead: 0, retentionDays: 0 }, ['2020-01-01'], ['2019-05-05']);
    expect(sut.create).toEqual(['2019-05-05', '2026-11-20', '2026-11-21']);
    expect(sut.drop).toEqual([]);
    expect(sut.purgeDefaultBefore).toBeUndefined();
  });

  it('counts days in UTC across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(utcDay(new Date('2026-11-21T23:59:59.999-05:00'))).toBe('2026-11-22');
    expect(dayStart('2026-11-21').toISOString()).toBe('2026-11-21T00:00:00.000Z');
    expect(() => dayStart('21.11.2026')).toThrow(RangeError);
  });
});
