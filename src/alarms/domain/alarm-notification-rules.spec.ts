import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import {
  checkRule,
  decide,
  notificationEmail,
  notificationKey,
  webhookDocument,
  type NotificationRule,
  type NotifiedAlarm,
  type NotifiedTransition,
} from './alarm-notification-rules.js';

const rule = (changes: Partial<NotificationRule> = {}): NotificationRule => ({
  id: 3,
  name: 'Welding shift lead',
  enabled: true,
  sourceKinds: [],
  types: [],
  minSeverity: 'INDETERMINATE',
  sourceKeys: [],
  experiment: null,
  transitions: ['RAISED'],
  channelIds: [1],
  rateLimit: null,
  weeklyDigest: false,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...changes,
});

const alarm = (changes: Partial<NotifiedAlarm> = {}): NotifiedAlarm => ({
  id: 41,
  source: { kind: 'MACHINE', key: '7', name: 'WELD-07', experiment: null },
  type: 'OUT_OF_STANDARD',
  severity: 'MAJOR',
  message: 'Machine WELD-07 welds outside its standard band (212 A)',
  state: 'ACTIVE_UNACKNOWLEDGED',
  suppression: null,
  shelvedUntil: null,
  assigneeId: null,
  firstRaisedAt: new Date('2026-12-04T08:00:00Z'),
  lastChangedAt: new Date('2026-12-04T08:00:00Z'),
  count: 1,
  peakValue: 212,
  ...changes,
});

const transition = (kind: NotifiedTransition['kind'] = 'RAISED', changes: Partial<NotifiedTransition> = {}) => ({
  id: 99,
  kind,
  at: new Date('2026-12-04T08:00:00Z'),
  byUserId: null,
  note: null,
  ...changes,
});

describe('notification rules: which transitions a rule sends', () => {
  it('sends a matching raise, and not a transition it does not list', () => {
    expect(decide(rule(), alarm(), transition('RAISED'))).toBe('SEND');
    expect(decide(rule(), alarm(), transition('ACKNOWLEDGED'))).toBe('NOT_MATCHED');
    expect(decide(rule({ enabled: false }), alarm(), transition())).toBe('NOT_MATCHED');
  });

  it.each<[string, Partial<NotificationRule>, boolean]>([
    ['source kind', { sourceKinds: ['SENSOR'] }, false],
    ['source kind (listed)', { sourceKinds: ['SENSOR', 'MACHINE'] }, true],
    ['type', { types: ['LEAK_CONFIRMED'] }, false],
    ['minimum severity above', { minSeverity: 'CRITICAL' }, false],
    ['minimum severity equal', { minSeverity: 'MAJOR' }, true],
    ['minimum severity below', { minSeverity: 'WARNING' }, true],
    ['scope of machines', { sourceKeys: ['8', '9'] }, false],
    ['scope of machines (listed)', { sourceKeys: ['7'] }, true],
    ['experiment scope', { experiment: 'Cryo1' }, false],
  ])('matches on %s', (_, changes, sends) => {
    expect(decide(rule(changes), alarm(), transition())).toBe(sends ? 'SEND' : 'NOT_MATCHED');
  });

  it("scopes a rule to an experiment's PVs", () => {
    const pv = alarm({ source: { kind: 'PV', key: '12', name: 'Cryo1:Temp', experiment: 'Cryo1' } });
    expect(decide(rule({ experiment: 'Cryo1' }), pv, transition())).toBe('SEND');
    expect(decide(rule({ experiment: 'Other' }), pv, transition())).toBe('NOT_MATCHED');
  });

  it('sends nothing for a shelved or out-of-service alarm, but tells the act of shelving to a rule that asks', () => {
    const shelved = alarm({ suppression: 'SHELVED', shelvedUntil: new Date('2026-12-04T09:00:00Z') });
    expect(decide(rule({ transitions: ['RAISED', 'RERAISED'] }), shelved, transition('RERAISED'))).toBe('SUPPRESSED');
    expect(decide(rule(), alarm({ suppression: 'OUT_OF_SERVICE' }), transition('RAISED'))).toBe('SUPPRESSED');
    expect(decide(rule({ transitions: ['SHELVED'] }), shelved, transition('SHELVED'))).toBe('SEND');
  });

  it('notifies as a raise when the shelf runs out on an alarm still active', () => {
    expect(decide(rule(), alarm(), transition('UNSHELVED'))).toBe('SEND');
    expect(decide(rule(), alarm({ state: 'ACTIVE_ACKNOWLEDGED' }), transition('IN_SERVICE'))).toBe('SEND');
    expect(decide(rule(), alarm({ state: 'RETURNED_UNACKNOWLEDGED' }), transition('UNSHELVED'))).toBe('NOT_MATCHED');
    expect(decide(rule({ transitions: ['CLEARED'] }), alarm(), transition('UNSHELVED'))).toBe('NOT_MATCHED');
    // Un-shelved, but its source is still out of service.
    expect(decide(rule(), alarm({ suppression: 'OUT_OF_SERVICE' }), transition('UNSHELVED'))).toBe('SUPPRESSED');
  });
});

describe('notification content', () => {
  it('keys each (alarm, transition, rule, channel) once', () => {
    expect(notificationKey(41, 99, 3, 1)).toBe('alarm:41:transition:99:rule:3:channel:1');
  });

  it('gives webhooks a plain JSON document with every figure', () => {
    const document = webhookDocument(rule(), alarm({ count: 2 }), transition('RERAISED', { note: 'again' }));
    expect(JSON.parse(JSON.stringify(document))).toEqual({
      event: 'alarm.transition',
      rule: { id: 3, name: 'Welding shift lead' },
      transition: { id: 99, kind: 'RERAISED', at: '2026-12-04T08:00:00.000Z', byUserId: null, note: 'again' },
      alarm: {
        id: 41,
        source: { kind: 'MACHINE', key: '7', name: 'WELD-07', experiment: null },
        type: 'OUT_OF_STANDARD',
        severity: 'MAJOR',
        state: 'ACTIVE_UNACKNOWLEDGED',
        suppression: null,
        shelvedUntil: null,
        message: 'Machine WELD-07 welds outside its standard band (212 A)',
        count: 2,
        peakValue: 212,
        assigneeId: null,
        firstRaisedAt: '2026-12-04T08:00:00.000Z',
        lastChangedAt: '2026-12-04T08:00:00.000Z',
      },
    });
  });

  it('writes a readable e-mail', () => {
    const { subject, text } = notificationEmail(
      rule(),
      alarm(),
      transition('ACKNOWLEDGED', { byUserId: 'u-1', note: 'on it' }),
    );
    expect(subject).toBe('[Plantgraph] MAJOR OUT_OF_STANDARD on WELD-07: acknowledged');
    expect(text).toContain('Machine WELD-07 welds outside its standard band (212 A)');
    expect(text).toContain('Peak value:  212');
    expect(text).toContain('Transition:  ACKNOWLEDGED at 2026-12-04T08:00:00.000Z by user u-1');
    expect(text).toContain('Note:        on it');
    expect(text).toContain('notification rule "Welding shift lead"');
  });
});

describe('rule checks', () => {
  it.each<[Partial<NotificationRule>, string]>([
    [{ name: ' leading space' }, 'name'],
    [{ transitions: [] }, 'transitions'],
    [{ channelIds: [] }, 'channelIds'],
    [{ rateLimit: { max: 0, windowSeconds: 60 } }, 'rateLimit'],
  ])('refuses %j naming the field', (changes, field) => {
    try {
      checkRule(rule(changes));
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(Object.keys((error as InvalidInputError).details.fields as object)).toEqual([field]);
    }
  });
});
