import { describe, expect, it } from '@jest/globals';
import type { AlarmState, AlarmTransitionKind } from './alarm.js';
import { alarmHealth, type HealthTransition } from './alarm-health.js';

const from = new Date('2026-12-01T00:00:00Z');
const at = (minutes: number) => new Date(from.getTime() + minutes * 60_000);
const t = (alarmId: number, kind: AlarmTransitionKind, minutes: number, stateAfter: AlarmState): HealthTransition => ({
  alarmId,
  kind,
  at: at(minutes),
  stateAfter,
});
const raise = (alarmId: number, minutes: number, kind: AlarmTransitionKind = 'RAISED') =>
  t(alarmId, kind, minutes, 'ACTIVE_UNACKNOWLEDGED');

describe('alarm health figures', () => {
  it('counts annunciations per hour of the window, raises and re-raises alike', () => {
    const health = alarmHealth(
      [raise(1, 5), raise(1, 70, 'RERAISED'), t(1, 'ACKNOWLEDGED', 71, 'ACTIVE_ACKNOWLEDGED'), raise(2, 100)],
      from,
      at(120),
    );
    expect(health.hours).toBe(2);
    expect(health.annunciations).toBe(3);
    expect(health.alarmsPerHour).toBe(1.5);
  });

  it('finds the busiest 10-minute period and counts floods (more than 10 in a period)', () => {
    const flood = Array.from({ length: 11 }, (_, i) => raise(100 + i, 20 + i * 0.5));
    const health = alarmHealth([raise(1, 1), raise(2, 2), ...flood, raise(3, 35)], from, at(60));
    expect(health.peakPer10Minutes).toBe(11);
    expect(health.peakPeriodStart).toEqual(at(20));
    expect(health.floodPeriods).toBe(1);
  });

  it('reports no peak when nothing was annunciated', () => {
    const health = alarmHealth([], from, at(60));
    expect(health).toMatchObject({ annunciations: 0, alarmsPerHour: 0, peakPer10Minutes: 0, peakPeriodStart: null });
  });

  it('ignores transitions outside the window for rates', () => {
    const health = alarmHealth([raise(1, -5), raise(1, 60, 'RERAISED')], from, at(60));
    expect(health.annunciations).toBe(0);
  });

  it('names chattering alarms: 3 annunciations within a minute', () => {
    const health = alarmHealth(
      [
        raise(1, 0),
        raise(1, 0.4, 'RERAISED'),
        raise(1, 0.9, 'RERAISED'),
        // 3 within 61 s: not chattering.
        raise(2, 10),
        raise(2, 10.5, 'RERAISED'),
        raise(2, 11 + 1 / 60, 'RERAISED'),
      ],
      from,
      at(60),
    );
    expect(health.chatteringAlarmIds).toEqual([1]);
  });

  it('names stale alarms: active continuously more than 24 hours at some time in the window', () => {
    const day = 24 * 60;
    const health = alarmHealth(
      [
        // Active since a day and a half before the window, still active: stale.
        raise(1, -1.5 * day),
        // Active 25 h, returned inside the window: stale.
        raise(2, -day),
        t(2, 'RETURNED', 60, 'RETURNED_UNACKNOWLEDGED'),
        // Acknowledged but still active 30 h: stale.
        raise(3, -30 * 60),
        t(3, 'ACKNOWLEDGED', -29 * 60, 'ACTIVE_ACKNOWLEDGED'),
        // Returned (unacknowledged, not active) for days: not stale.
        raise(4, -3 * day),
        t(4, 'RETURNED', -3 * day + 10, 'RETURNED_UNACKNOWLEDGED'),
        // Was stale, but ended before the window: not stale in it.
        raise(5, -3 * day),
        t(5, 'RETURNED', -10, 'RETURNED_UNACKNOWLEDGED'),
        // Active 23 h at the window's end: not yet.
        raise(6, 2 * 60 - 23 * 60),
      ],
      from,
      at(120),
    );
    expect(health.staleAlarmIds).toEqual([1, 2, 3]);
  });
});
