import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AlarmDigests } from '../../src/alarms/application/alarm-digest.service.js';
import { AlarmSignals } from '../../src/alarms/application/alarm-signals.js';
import { latestDueWeek } from '../../src/alarms/domain/alarm-digest.js';
import { messageIdOf } from '../../src/shared/mail/email-message.js';
import { Webhooks } from '../../src/shared/webhook/webhooks.service.js';
import { errorOf, startTestApp, type TestApp } from '../harness/app.js';
import { startSmtpServer, type TestSmtpServer } from '../harness/smtp-server.js';
import { waitFor } from '../harness/wait-for.js';
import { startWebhookReceiver, type TestWebhookReceiver } from '../harness/webhook-receiver.js';

/**
 * Weekly alarm digests end to end (issue 11 item 4): rules with weeklyDigest, a real SMTP
 * server and a webhook receiver started here, the outbox delivering. The timer is off
 * (ALARM_DIGEST_CHECK_MS=0): the scheduled path is driven through AlarmDigests.runDue with a
 * clock of the test's, on two app instances sharing one database.
 */
const RUN = randomBytes(3).toString('hex');
const SECRET = `whsec-${RUN}-0123456789abcdef`;
const DAY_MS = 86_400_000;

/** Monday 00:00 UTC `weeksBack` weeks before this week's. */
function mondayWeeksBack(weeksBack: number): Date {
  const now = new Date();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const sinceMonday = (new Date(today).getUTCDay() + 6) % 7;
  return new Date(today - sinceMonday * DAY_MS - weeksBack * 7 * DAY_MS);
}

describe('weekly alarm digests through the outbox', () => {
  let smtp: TestSmtpServer;
  let receiver: TestWebhookReceiver;
  let t: TestApp;
  let t2: TestApp;
  let admin: string;
  const env = () => ({
    ...smtp.env,
    MAIL_FROM: 'Plantgraph <alarms@plant.example>',
    OUTBOX_RETRY_BASE_MS: '100',
    OUTBOX_POLL_MS: '50',
    WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
    ALARM_DIGEST_CHECK_MS: '0',
    ALARM_DIGEST_WEEKDAY: '1',
    ALARM_DIGEST_HOUR: '6',
  });

  beforeAll(async () => {
    [smtp, receiver] = await Promise.all([startSmtpServer(), startWebhookReceiver()]);
    t = await startTestApp(env());
    t2 = await startTestApp(env(), t.db);
    admin = await t.login();
  });

  afterAll(async () => {
    await t2?.close();
    await t?.close();
    await Promise.all([smtp?.close(), receiver?.close()]);
  });

  const gql = async <T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const result = await t.graphql<T>(query, variables, admin);
    if (!result.data) throw new Error(JSON.stringify(result.errors));
    return result.data;
  };

  /** A digest rule with a signed webhook channel and an e-mail channel of its own. */
  const digestRule = async (name: string) => {
    const channel = async (input: Record<string, unknown>) =>
      (
        await gql(
          'mutation($input: CreateNotificationChannelInput!) { createNotificationChannel(input: $input) { id } }',
          { input: { ...input, name: `${input.name as string} ${RUN}` } },
        )
      ).createNotificationChannel.id as number;
    const hook = await channel({ name: `${name} hook`, kind: 'WEBHOOK', url: receiver.url, secret: SECRET });
    const mail = await channel({ name: `${name} mail`, kind: 'EMAIL', recipients: ['plant-manager@plant.example'] });
    const rule = (
      await gql(
        `mutation($input: NotificationRuleInput!) { createNotificationRule(input: $input) { id weeklyDigest } }`,
        {
          input: {
            name: `${name} ${RUN}`,
            // A scope no alarm of this test has: the rule's transitions notify nothing here.
            sourceKeys: [`nothing-${RUN}`],
            transitions: ['RAISED'],
            channelIds: [hook, mail],
            weeklyDigest: true,
          },
        },
      )
    ).createNotificationRule;
    expect(rule.weeklyDigest).toBe(true);
    return { ruleId: rule.id as number, hook, mail };
  };

  const key = (ruleId: number, channelId: number, weekStart: Date) =>
    `alarm-digest:${ruleId}:${channelId}:${weekStart.toISOString()}`;

  const outboxRows = (ruleId: number) =>
    t.db.query<{ channel: string; idempotency_key: string; state: string }>(
      'SELECT channel, idempotency_key, state FROM outbox_messages WHERE idempotency_key LIKE $1 ORDER BY id',
      [`alarm-digest:${ruleId}:%`],
    );

  /** Proof the outbox workers have gone round since: a webhook enqueued now arrives. */
  const workerWentRound = async () => {
    const probe = `probe:${RUN}:${randomBytes(4).toString('hex')}`;
    await t.app.get(Webhooks).send({ url: receiver.url, body: { probe } }, probe);
    await waitFor(() => receiver.delivered(probe).length === 1, { what: 'a probe through the outbox' });
  };

  const raiseIn = (weekStart: Date, name: string) =>
    t.app.get(AlarmSignals).raise({
      source: { kind: 'MACHINE', key: `${name}-${RUN}`, name: `WELD ${name}` },
      type: 'OUT_OF_STANDARD',
      severity: 'MAJOR',
      message: `Machine ${name} welds outside its standard band`,
      value: 212,
      at: new Date(weekStart.getTime() + DAY_MS + 3_600_000),
    });

  const SEND = `mutation($ruleId: Int!, $weekStart: DateTime!) {
    sendAlarmDigest(ruleId: $ruleId, weekStart: $weekStart) { ruleId weekStart weekEnd enqueued channels { channelId enqueued } } }`;

  it('sendAlarmDigest: the e-mail and the webhook call arrive once with the week; again sends nothing', async () => {
    const { ruleId, hook, mail } = await digestRule('Weekly on request');
    const weekStart = mondayWeeksBack(3);
    const weekEnd = new Date(weekStart.getTime() + 7 * DAY_MS);
    await raiseIn(weekStart, 'digest-a');
    await raiseIn(weekStart, 'digest-b');

    const first = await gql(SEND, { ruleId, weekStart: weekStart.toISOString() });
    expect(first.sendAlarmDigest).toEqual({
      ruleId,
      weekStart: weekStart.toISOString(),
      weekEnd: weekEnd.toISOString(),
      enqueued: true,
      channels: [
        { channelId: hook, enqueued: true },
        { channelId: mail, enqueued: true },
      ].sort((a, b) => a.channelId - b.channelId),
    });

    const hookKey = key(ruleId, hook, weekStart);
    const [call] = await waitFor(() => receiver.delivered(hookKey).length === 1 && receiver.delivered(hookKey), {
      what: 'the digest webhook call',
    });
    expect(receiver.signedWith(call, SECRET)).toBe(true);
    const document = JSON.parse(call.body);
    const summary = (
      await gql(
        `query($w: DateTime!) { weeklyAccessSummary(weekStart: $w) { from to usage { hours uses machine { code } }
           unknownCards { cardUid attempts } } }`,
        { w: weekStart.toISOString() },
      )
    ).weeklyAccessSummary;
    expect(document).toMatchObject({
      event: 'alarm.weeklyDigest',
      rule: { id: ruleId, name: `Weekly on request ${RUN}` },
      week: { from: weekStart.toISOString(), to: weekEnd.toISOString() },
      alarms: { raised: 2, openAtEnd: 2, annunciations: 2 },
      access: {
        usage: summary.usage.map((u: any) => ({ hours: u.hours, uses: u.uses, machine: { code: u.machine.code } })),
        unknownCards: summary.unknownCards,
      },
    });
    expect(summary.from).toBe(weekStart.toISOString());

    const messageId = messageIdOf(key(ruleId, mail, weekStart));
    const [email] = await waitFor(
      () => smtp.received.filter((m) => m.messageId === messageId).length === 1 && smtp.received,
      { what: 'the digest e-mail' },
    ).then((all) => all.filter((m) => m.messageId === messageId));
    expect(email.to).toEqual(['plant-manager@plant.example']);
    const lastDay = new Date(weekEnd.getTime() - DAY_MS).toISOString().slice(0, 10);
    expect(email.subject).toBe(`[Plantgraph] Weekly digest ${weekStart.toISOString().slice(0, 10)} to ${lastDay}`);
    expect(email.body).toContain('Raised:              2');
    expect(email.body).toContain("Open at week's end:  2");

    // The same week again: already there, nothing more goes out.
    const again = await gql(SEND, { ruleId, weekStart: weekStart.toISOString() });
    expect(again.sendAlarmDigest.enqueued).toBe(false);
    expect(again.sendAlarmDigest.channels.every((c: { enqueued: boolean }) => !c.enqueued)).toBe(true);
    await workerWentRound();
    expect(receiver.calls.filter((c) => c.idempotencyKey === hookKey)).toHaveLength(1);
    expect(smtp.received.filter((m) => m.messageId === messageId)).toHaveLength(1);
    expect(await outboxRows(ruleId)).toEqual([
      expect.objectContaining({ idempotency_key: expect.any(String), state: 'SENT' }),
      expect.objectContaining({ idempotency_key: expect.any(String), state: 'SENT' }),
    ]);
  });

  it('refuses a week that is not a Monday 00:00 UTC, a running week, an unknown rule or one without digest', async () => {
    const { ruleId } = await digestRule('Weekly refusals');
    const refusal = async (variables: Record<string, unknown>) => errorOf(await t.graphql(SEND, variables, admin));
    const tuesday = new Date(mondayWeeksBack(2).getTime() + DAY_MS).toISOString();
    expect(await refusal({ ruleId, weekStart: tuesday })).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { weekStart: 'must be a Monday at 00:00:00Z' },
    });
    expect(await refusal({ ruleId, weekStart: mondayWeeksBack(0).toISOString() })).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { weekStart: 'must be of a week that has ended' },
    });
    expect(await refusal({ ruleId: 0, weekStart: mondayWeeksBack(2).toISOString() })).toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    expect(await refusal({ ruleId: 999_999_999, weekStart: mondayWeeksBack(2).toISOString() })).toMatchObject({
      code: 'NOT_FOUND',
    });
    const plain = (
      await gql(`mutation($input: NotificationRuleInput!) { createNotificationRule(input: $input) { id } }`, {
        input: {
          name: `No digest ${RUN}`,
          transitions: ['RAISED'],
          channelIds: [(await digestRule('Weekly other')).mail],
        },
      })
    ).createNotificationRule.id;
    expect(await refusal({ ruleId: plain, weekStart: mondayWeeksBack(2).toISOString() })).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { ruleId: 'weeklyDigest is off' },
    });
    expect(await outboxRows(ruleId)).toEqual([]);
  });

  it('the scheduled check enqueues each digest once with two instances on one database, and not before it is due', async () => {
    const { ruleId, hook, mail } = await digestRule('Weekly scheduled');
    const weekStart = mondayWeeksBack(2);
    const weekEnd = new Date(weekStart.getTime() + 7 * DAY_MS);
    const dueAt = new Date(weekEnd.getTime() + 6 * 3_600_000);
    const digests = [t.app.get(AlarmDigests), t2.app.get(AlarmDigests)];

    // A minute early: the latest due week is the one before (no message of this week's).
    await Promise.all(digests.map((d) => d.runDue(new Date(dueAt.getTime() - 60_000))));
    const early = await outboxRows(ruleId);
    expect(early.some((r) => r.idempotency_key.endsWith(weekStart.toISOString()))).toBe(false);

    // Both replicas' checks at once, then again (restart-free repetition): one message per channel.
    const late = new Date(dueAt.getTime() + 3 * DAY_MS);
    const runs = await Promise.all(digests.map((d) => d.runDue(late)));
    await Promise.all(digests.map((d) => d.runDue(late)));
    const mine = runs.flat().filter((o) => o.ruleId === ruleId);
    expect(mine.flatMap((o) => o.channels).filter((c) => c.enqueued)).toHaveLength(2);
    const hookKey = key(ruleId, hook, weekStart);
    const messageId = messageIdOf(key(ruleId, mail, weekStart));
    await waitFor(() => receiver.delivered(hookKey).length === 1, { what: 'the scheduled digest webhook' });
    await waitFor(() => smtp.received.some((m) => m.messageId === messageId), { what: 'the scheduled digest e-mail' });
    expect(JSON.parse(receiver.delivered(hookKey)[0].body)).toMatchObject({
      event: 'alarm.weeklyDigest',
      week: { from: weekStart.toISOString(), to: weekEnd.toISOString() },
    });

    // A replica that had not run (its memory empty) and a request by hand find it there already.
    const byHand = await gql(SEND, { ruleId, weekStart: weekStart.toISOString() });
    expect(byHand.sendAlarmDigest.enqueued).toBe(false);
    await workerWentRound();
    expect(receiver.calls.filter((c) => c.idempotencyKey === hookKey)).toHaveLength(1);
    expect(smtp.received.filter((m) => m.messageId === messageId)).toHaveLength(1);
    expect((await outboxRows(ruleId)).filter((r) => r.idempotency_key.endsWith(weekStart.toISOString()))).toHaveLength(
      2,
    );
  });
  it("the timer of a replica started after the hour sends the latest due week's digest, once", async () => {
    const t3 = await startTestApp({ ...env(), ALARM_DIGEST_CHECK_MS: '100' }, t.db);
    try {
      // Created after the replica started: its next check, not its first, finds the rule.
      const { ruleId, hook, mail } = await digestRule('Weekly timer');
      const { weekStart } = latestDueWeek(new Date(), { weekday: 1, hour: 6 });
      const hookKey = key(ruleId, hook, weekStart);
      const messageId = messageIdOf(key(ruleId, mail, weekStart));
      await waitFor(() => receiver.delivered(hookKey).length === 1, { what: 'the timer-sent digest webhook' });
      await waitFor(() => smtp.received.some((m) => m.messageId === messageId), { what: 'the timer-sent e-mail' });
      // Checked already by this replica: a further check has nothing to do, and the outbox nothing more to send.
      expect((await t3.app.get(AlarmDigests).runDue()).filter((o) => o.ruleId === ruleId)).toEqual([]);
      await workerWentRound();
      expect(receiver.calls.filter((c) => c.idempotencyKey === hookKey)).toHaveLength(1);
      expect(smtp.received.filter((m) => m.messageId === messageId)).toHaveLength(1);
      expect(await outboxRows(ruleId)).toHaveLength(2);
    } finally {
      await t3.close();
    }
  });
});
