import { describe, expect, it } from '@jest/globals';
import type { Mailer } from '../../shared/mail/mailer.service.js';
import { MetricsService } from '../../shared/observability/metrics.service.js';
import type { Webhooks } from '../../shared/webhook/webhooks.service.js';
import type { NotificationRule } from '../domain/alarm-notification-rules.js';
import type { AlarmSnapshot, AlarmTransition } from './alarm-signals.js';
import {
  AlarmNotificationLog,
  NotificationChannelRepository,
  NotificationRuleRepository,
  type AlarmNotificationRecord,
  type StoredChannel,
} from './alarm-notifications.ports.js';
import { AlarmNotifications } from './alarm-notifications.service.js';

/** The hooks with in-memory repositories and recording Mailer/Webhooks: what a transition enqueues. */
function setup(rules: NotificationRule[], signed: number[] = []) {
  const channels: StoredChannel[] = [
    {
      id: 1,
      name: 'mail',
      kind: 'EMAIL',
      recipients: ['ops@plant.example'],
      url: null,
      createdAt: new Date(),
      updatedAt: new Date(),
    },
    {
      id: 2,
      name: 'hook',
      kind: 'WEBHOOK',
      recipients: [],
      url: 'https://hooks.example.com/a',
      createdAt: new Date(),
      updatedAt: new Date(),
    },
  ];
  const records: Array<Omit<AlarmNotificationRecord, 'id' | 'createdAt'>> = [];
  const locked: number[][] = [];
  const mails: Array<{ to: string[]; subject: string; key: string }> = [];
  const calls: Array<{ url: string; secretRef: string | null; body: unknown; key: string }> = [];
  const metrics = new MetricsService();
  const sut = new AlarmNotifications(
    { enabled: async () => rules.filter((r) => r.enabled) } as unknown as NotificationRuleRepository,
    {
      findMany: async (ids: number[]) => channels.filter((c) => ids.includes(c.id)),
    } as unknown as NotificationChannelRepository,
    {
      lockRules: async (ids: number[]) => void locked.push([...ids]),
      countEnqueued: async (ruleId: number) =>
        records.filter((r) => r.ruleId === ruleId && r.outcome === 'ENQUEUED').length,
      record: async (entry: Omit<AlarmNotificationRecord, 'id' | 'createdAt'>) => {
        if (records.some((r) => r.ruleId === entry.ruleId && r.transitionId === entry.transitionId)) return false;
        records.push(entry);
        return true;
      },
    } as unknown as AlarmNotificationLog,
    {
      send: async (m: { to: string[]; subject: string }, key: string) => mails.push({ ...m, key }) > 0,
    } as unknown as Mailer,
    {
      send: async (c: { url: string; secretRef: string | null; body: unknown }, key: string) =>
        calls.push({ ...c, key }) > 0,
      withSecrets: async (refs: string[]) =>
        new Set(refs.filter((ref) => signed.some((id) => ref === `notification-channel:${id}`))),
    } as unknown as Webhooks,
    metrics,
  );
  const outcome = async (name: string) =>
    (await metrics.registry.getSingleMetric('plantgraph_alarm_notifications_total')!.get()).values
      .filter((v) => v.labels.outcome === name)
      .reduce((sum, v) => sum + v.value, 0);
  return { sut, records, locked, mails, calls, outcome };
}

const rule = (changes: Partial<NotificationRule> = {}): NotificationRule => ({
  id: 5,
  name: 'All raises',
  enabled: true,
  sourceKinds: [],
  types: [],
  minSeverity: 'INDETERMINATE',
  sourceKeys: [],
  experiment: null,
  transitions: ['RAISED'],
  channelIds: [1, 2],
  rateLimit: null,
  weeklyDigest: false,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...changes,
});

const alarm = (changes: Partial<AlarmSnapshot> = {}): AlarmSnapshot => ({
  id: 7,
  source: { kind: 'SENSOR', key: '3', name: 'LMF1' },
  type: 'LEAK_CONFIRMED',
  severity: 'CRITICAL',
  message: 'Leak confirmed at sensor LMF1',
  state: 'ACTIVE_UNACKNOWLEDGED',
  suppression: null,
  shelvedUntil: null,
  assigneeId: null,
  firstRaisedAt: new Date('2026-12-04T08:00:00Z'),
  lastChangedAt: new Date('2026-12-04T08:00:00Z'),
  count: 1,
  peakValue: null,
  ...changes,
});

const raised = (id: number): AlarmTransition =>
  ({ id, kind: 'RAISED', at: new Date('2026-12-04T08:00:00Z'), byUserId: null, note: null }) as AlarmTransition;

describe('AlarmNotifications (the lifecycle hooks)', () => {
  it('enqueues one message per channel, keyed by alarm, transition, rule and channel', async () => {
    const { sut, mails, calls, records } = setup([rule()], [2]);
    await sut.withinTransaction(alarm(), raised(11));
    expect(mails).toEqual([
      expect.objectContaining({ to: ['ops@plant.example'], key: 'alarm:7:transition:11:rule:5:channel:1' }),
    ]);
    expect(calls).toEqual([
      expect.objectContaining({
        url: 'https://hooks.example.com/a',
        secretRef: 'notification-channel:2',
        key: 'alarm:7:transition:11:rule:5:channel:2',
      }),
    ]);
    expect(calls[0].body).toMatchObject({ alarm: { id: 7, type: 'LEAK_CONFIRMED' }, transition: { id: 11 } });
    expect(records).toEqual([
      expect.objectContaining({ ruleId: 5, transitionId: 11, outcome: 'ENQUEUED', channels: 2 }),
    ]);
  });

  it('sends an unsigned call for a channel without a secret', async () => {
    const { sut, calls } = setup([rule({ channelIds: [2] })]);
    await sut.withinTransaction(alarm(), raised(12));
    expect(calls[0].secretRef).toBeNull();
  });

  it('does nothing twice for one transition', async () => {
    const { sut, mails, calls } = setup([rule()]);
    await sut.withinTransaction(alarm(), raised(13));
    await sut.withinTransaction(alarm(), raised(13));
    expect([mails.length, calls.length]).toEqual([1, 1]);
  });

  it('holds back what exceeds the rate limit, recorded and counted, under the rate-limited rules’ locks', async () => {
    const limited = rule({ id: 9, rateLimit: { max: 2, windowSeconds: 60 }, channelIds: [1] });
    const { sut, mails, records, locked, outcome } = setup([rule({ id: 4, channelIds: [1] }), limited]);
    for (const id of [21, 22, 23]) await sut.withinTransaction(alarm(), raised(id));
    expect(locked).toEqual([[9], [9], [9]]);
    expect(records.filter((r) => r.ruleId === 9).map((r) => r.outcome)).toEqual([
      'ENQUEUED',
      'ENQUEUED',
      'RATE_LIMITED',
    ]);
    expect(mails.filter((m) => m.key.includes(':rule:9:'))).toHaveLength(2);
    expect(mails.filter((m) => m.key.includes(':rule:4:'))).toHaveLength(3);
    expect(await outcome('rate_limited')).toBe(1);
  });

  it('sends nothing for a suppressed alarm, and counts it', async () => {
    const { sut, mails, calls, records, outcome } = setup([rule()]);
    await sut.withinTransaction(alarm({ suppression: 'OUT_OF_SERVICE' }), raised(31));
    expect([mails, calls, records]).toEqual([[], [], []]);
    expect(await outcome('suppressed')).toBe(1);
  });
});
