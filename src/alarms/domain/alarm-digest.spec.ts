import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { alarmHealth } from './alarm-health.js';
import { checkDigestWeek, digestEmail, digestKey, digestWebhookDocument, latestDueWeek } from './alarm-digest.js';

const at = (iso: string) => new Date(iso);
const MONDAY_6 = { weekday: 1, hour: 6 };

describe('weekly digest: which week is due', () => {
  // 2026-11-30 is a Monday.
  it('is the week that just ended once its Monday hour has come', () => {
    const due = latestDueWeek(at('2026-11-30T06:00:00Z'), MONDAY_6);
    expect(due.weekStart).toEqual(at('2026-11-23T00:00:00Z'));
    expect(due.weekEnd).toEqual(at('2026-11-30T00:00:00Z'));
    expect(due.dueAt).toEqual(at('2026-11-30T06:00:00Z'));
  });

  it('is still the week before until that hour', () => {
    expect(latestDueWeek(at('2026-11-30T05:59:59.999Z'), MONDAY_6).weekStart).toEqual(at('2026-11-16T00:00:00Z'));
  });

  it('stays the week that ended for a replica started late in the week (the missed digest)', () => {
    expect(latestDueWeek(at('2026-12-06T23:59:59Z'), MONDAY_6).weekStart).toEqual(at('2026-11-23T00:00:00Z'));
    expect(latestDueWeek(at('2026-12-07T06:00:00Z'), MONDAY_6).weekStart).toEqual(at('2026-11-30T00:00:00Z'));
  });

  it('follows another weekday and hour (Sunday 23:00: six days after the week ended)', () => {
    const sunday = { weekday: 7, hour: 23 };
    expect(latestDueWeek(at('2026-12-06T22:59:00Z'), sunday).weekStart).toEqual(at('2026-11-16T00:00:00Z'));
    const due = latestDueWeek(at('2026-12-06T23:00:00Z'), sunday);
    expect(due.weekStart).toEqual(at('2026-11-23T00:00:00Z'));
    expect(due.dueAt).toEqual(at('2026-12-06T23:00:00Z'));
  });

  it('at midnight on Monday with hour 0 is the week that ended that instant', () => {
    expect(latestDueWeek(at('2026-11-30T00:00:00Z'), { weekday: 1, hour: 0 }).weekStart).toEqual(
      at('2026-11-23T00:00:00Z'),
    );
  });
});

describe('weekly digest: a week asked for by hand', () => {
  const now = at('2026-12-02T12:00:00Z');
  const field = (f: () => unknown) => {
    try {
      f();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      return (error as InvalidInputError).details.fields;
    }
    throw new Error('accepted');
  };

  it('accepts a Monday 00:00 UTC of an ended week', () => {
    expect(checkDigestWeek(at('2026-11-23T00:00:00Z'), now, MONDAY_6).weekEnd).toEqual(at('2026-11-30T00:00:00Z'));
  });

  it('refuses another day or time, naming weekStart', () => {
    expect(field(() => checkDigestWeek(at('2026-11-24T00:00:00Z'), now, MONDAY_6))).toEqual({
      weekStart: 'must be a Monday at 00:00:00Z',
    });
    expect(field(() => checkDigestWeek(at('2026-11-23T01:00:00Z'), now, MONDAY_6))).toHaveProperty('weekStart');
  });

  it('refuses the running week', () => {
    expect(field(() => checkDigestWeek(at('2026-11-30T00:00:00Z'), now, MONDAY_6))).toEqual({
      weekStart: 'must be of a week that has ended',
    });
  });
});

describe('weekly digest: messages', () => {
  const week = { weekStart: at('2026-11-23T00:00:00Z'), weekEnd: at('2026-11-30T00:00:00Z') };
  const digest = {
    week,
    access: {
      usage: [{ machine: { code: 'W-1', name: 'Welder' }, hours: 12.5, uses: 3 }],
      overdueMaintenance: [{ machine: { code: 'W-1', name: 'Welder' }, description: 'Tips', overdueHours: 4.256 }],
      unknownCards: [
        {
          cardUid: 'ABCD1234',
          machines: [{ code: 'W-1', name: 'Welder' }],
          attempts: 2,
          lastAttemptAt: week.weekStart,
        },
      ],
    },
    alarms: {
      raised: 5,
      openAtEnd: 2,
      health: alarmHealth(
        [
          {
            alarmId: 7,
            kind: 'RAISED' as const,
            at: at('2026-11-24T10:00:00Z'),
            stateAfter: 'ACTIVE_UNACKNOWLEDGED' as const,
          },
        ],
        week.weekStart,
        week.weekEnd,
      ),
    },
  };

  it('keys one message per rule, channel and week', () => {
    expect(digestKey(3, 9, week.weekStart)).toBe('alarm-digest:3:9:2026-11-23T00:00:00.000Z');
  });

  it('puts the figures in the webhook document and the e-mail', () => {
    const doc = digestWebhookDocument({ id: 3, name: 'Weekly' }, digest);
    expect(doc).toMatchObject({
      event: 'alarm.weeklyDigest',
      rule: { id: 3, name: 'Weekly' },
      week: { from: '2026-11-23T00:00:00.000Z', to: '2026-11-30T00:00:00.000Z' },
      alarms: { raised: 5, openAtEnd: 2, annunciations: 1 },
      access: {
        usage: [{ machine: { code: 'W-1' }, hours: 12.5, uses: 3 }],
        overdueMaintenance: [{ description: 'Tips', overdueHours: 4.26 }],
        unknownCards: [{ cardUid: 'ABCD1234', attempts: 2 }],
      },
    });
    const mail = digestEmail({ name: 'Weekly' }, digest);
    expect(mail.subject).toBe('[Plantgraph] Weekly digest 2026-11-23 to 2026-11-29');
    expect(mail.text).toContain('Raised:              5');
    expect(mail.text).toContain('W-1 Welder: 12.5 h in 3 uses');
    expect(mail.text).toContain('ABCD1234: 2 attempts on W-1 Welder');
  });
});
