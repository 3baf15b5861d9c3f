import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../errors/domain-errors.js';
import { bucketCount, planHistory, pointsPerSeries, type HistoryRequest } from './history-window.js';

const now = new Date('2026-11-21T10:15:00.000Z');
const at = (iso: string) => new Date(iso);

function problemsOf(request: HistoryRequest): Record<string, string> {
  try {
    planHistory(request, now);
  } catch (e) {
    if (e instanceof InvalidInputError) return e.details.fields as Record<string, string>;
    throw e;
  }
  throw new Error('expected the request to be refused');
}

describe('planHistory', () => {
  it('takes "the last 15 minutes" as one argument, raw with the default limit', () => {
    expect(planHistory({ lastMinutes: 15 }, now)).toEqual({
      from: at('2026-11-21T10:00:00.000Z'),
      to: now,
      mode: 'raw',
      limit: 1000,
    });
  });

  it('takes from and to, to defaulting to now', () => {
    const sut = planHistory({ from: at('2026-11-21T09:00:00Z'), limit: 10 }, now);
    expect(sut).toEqual({ from: at('2026-11-21T09:00:00Z'), to: now, mode: 'raw', limit: 10 });
  });

  it('buckets by bucketSeconds, aligned to the epoch, sub-second allowed', () => {
    const sut = planHistory(
      { from: at('2026-11-21T10:00:00.250Z'), to: at('2026-11-21T10:00:01Z'), bucketSeconds: 0.5 },
      now,
    );
    expect(sut).toMatchObject({ mode: 'bucketed', bucketMs: 500, buckets: 2 });
  });

  it('derives the bucket from maxPoints so that the window never spans more buckets', () => {
    for (const start of [0, 1, 1500, 3010, 123_456_789]) {
      const from = new Date(Date.UTC(2026, 10, 21, 8) + start);
      const sut = planHistory({ from, to: new Date(from.getTime() + 15 * 60_000), maxPoints: 300 }, now);
      expect(pointsPerSeries(sut)).toBeLessThanOrEqual(300);
      expect(pointsPerSeries(sut)).toBeGreaterThan(150);
    }
  });

  it('chooses whole seconds (minutes from four minutes up) so that rollups serve the buckets', () => {
    const minute = new Date(Date.UTC(2026, 10, 21, 8, 15));
    const aligned = planHistory({ from: new Date(minute.getTime() - 15 * 60_000), to: minute, maxPoints: 300 }, now);
    expect(aligned).toMatchObject({ mode: 'bucketed', bucketMs: 3000, buckets: 300 });
    const sliding = planHistory({ lastMinutes: 15, maxPoints: 300 }, new Date(minute.getTime() + 1500));
    expect(sliding).toMatchObject({ bucketMs: 4000 });
    const day = planHistory({ from: new Date(minute.getTime() - 86_400_000), to: minute, maxPoints: 300 }, now);
    expect(day).toMatchObject({ bucketMs: 5 * 60_000, buckets: 288 });
    const short = planHistory({ from: minute, to: new Date(minute.getTime() + 10_000), maxPoints: 300 }, now);
    expect(short).toMatchObject({ bucketMs: 34 });
  });

  it('counts the buckets a window touches', () => {
    expect(bucketCount(at('2026-11-21T10:00:00Z'), at('2026-11-21T10:01:00Z'), 10_000)).toBe(6);
    expect(bucketCount(at('2026-11-21T10:00:05Z'), at('2026-11-21T10:01:00Z'), 10_000)).toBe(6);
    expect(bucketCount(at('2026-11-21T10:00:05Z'), at('2026-11-21T10:01:05Z'), 10_000)).toBe(7);
  });

  it('refuses a request without a window, or with two', () => {
    expect(problemsOf({})).toEqual({ from: 'give from (and optionally to) or lastMinutes' });
    expect(problemsOf({ to: now })).toEqual({ from: 'is required with to' });
    expect(problemsOf({ lastMinutes: 15, from: at('2026-11-21T09:00:00Z') })).toHaveProperty('lastMinutes');
  });

  it('refuses windows that are empty, reversed, too long or not dates', () => {
    expect(problemsOf({ from: at('2026-11-21T10:00:00Z'), to: at('2026-11-21T10:00:00Z') })).toEqual({
      to: 'must be after from',
    });
    expect(problemsOf({ from: at('2026-11-22T00:00:00Z') })).toHaveProperty('from');
    expect(problemsOf({ from: at('2026-10-01T00:00:00Z'), to: at('2026-11-02T00:00:00Z') })).toHaveProperty('from');
    expect(problemsOf({ from: new Date('yesterday') })).toEqual({ from: 'must be an ISO-8601 date-time' });
    expect(problemsOf({ lastMinutes: 0 })).toHaveProperty('lastMinutes');
    expect(problemsOf({ lastMinutes: 31 * 24 * 60 + 1 })).toHaveProperty('lastMinutes');
  });

  it('refuses conflicting or out-of-range resolutions, naming each field', () => {
    expect(problemsOf({ lastMinutes: 15, bucketSeconds: 1, maxPoints: 10 })).toHaveProperty('maxPoints');
    expect(problemsOf({ lastMinutes: 15, maxPoints: 1 })).toHaveProperty('maxPoints');
    expect(problemsOf({ lastMinutes: 15, bucketSeconds: 0.0001 })).toHaveProperty('bucketSeconds');
    expect(problemsOf({ lastMinutes: 15, bucketSeconds: 0.05 })).toHaveProperty('bucketSeconds');
    expect(problemsOf({ lastMinutes: 15, limit: 10_001 })).toHaveProperty('limit');
    expect(problemsOf({ lastMinutes: 15, maxPoints: 100, limit: 10 })).toEqual({
      limit: 'applies to raw samples only (without bucketSeconds or maxPoints)',
    });
    expect(problemsOf({ lastMinutes: 15, bucketSeconds: -1, limit: 0 })).toEqual({
      bucketSeconds: expect.any(String),
      limit: expect.any(String),
    });
  });
});
