import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AlarmSignals, type AlarmSeverity } from '../../src/alarms/application/alarm-signals.js';
import { messageIdOf } from '../../src/shared/mail/email-message.js';
import { Webhooks } from '../../src/shared/webhook/webhooks.service.js';
import { errorOf, startTestApp, type TestApp } from '../harness/app.js';
import { metricSum } from '../harness/metrics.js';
import { startSmtpServer, type TestSmtpServer } from '../harness/smtp-server.js';
import { waitFor } from '../harness/wait-for.js';
import { startWebhookReceiver, type TestWebhookReceiver } from '../harness/webhook-receiver.js';

/**
 * Alarm notification rules end to end (issue 11 item 4): alarms raised through the lifecycle
 * (AlarmSignals) and changed over GraphQL, a webhook receiver (plain node:http) and an SMTP
 * server (smtp-server) started here. Each test has rules scoped to source keys of its own.
 */
const RUN = randomBytes(3).toString('hex');
const SECRET = `whsec-${RUN}-0123456789abcdef`;

describe('alarm notifications: rules, webhooks and e-mail through the outbox', () => {
  let smtp: TestSmtpServer;
  let receiver: TestWebhookReceiver;
  let t: TestApp;
  let admin: string;
  const env = () => ({
    ...smtp.env,
    MAIL_FROM: 'Plantgraph <alarms@plant.example>',
    OUTBOX_MAX_ATTEMPTS: '4',
    OUTBOX_RETRY_BASE_MS: '100',
    OUTBOX_POLL_MS: '50',
    // The receiver is on loopback, which webhooks may not reach unless let through.
    WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
  });

  beforeAll(async () => {
    [smtp, receiver] = await Promise.all([startSmtpServer(), startWebhookReceiver()]);
    t = await startTestApp(env());
    admin = await t.login();
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all([smtp?.close(), receiver?.close()]);
  });

  const gql = async <T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const result = await t.graphql<T>(query, variables, admin);
    if (!result.data) throw new Error(JSON.stringify(result.errors));
    return result.data;
  };

  const webhookChannel = async (name: string, secret: string | null = SECRET) =>
    (
      await gql(
        `mutation($input: CreateNotificationChannelInput!) {
           createNotificationChannel(input: $input) { id name kind url hasSecret recipients } }`,
        { input: { name: `${name} ${RUN}`, kind: 'WEBHOOK', url: receiver.url, ...(secret ? { secret } : {}) } },
      )
    ).createNotificationChannel as { id: number; hasSecret: boolean; url: string };

  const rule = async (input: Record<string, unknown>) =>
    (
      await gql(
        `mutation($input: NotificationRuleInput!) {
           createNotificationRule(input: $input) { id name transitions channelIds rateLimit { max windowSeconds } } }`,
        { input: { ...input, name: `${input.name as string} ${RUN}` } },
      )
    ).createNotificationRule as { id: number };

  const key = (name: string) => `${name}-${RUN}`;

  const raise = (sourceKey: string, severity: AlarmSeverity = 'MAJOR', app: TestApp = t) =>
    app.app.get(AlarmSignals).raise({
      source: { kind: 'MACHINE', key: sourceKey, name: `WELD ${sourceKey}` },
      type: 'OUT_OF_STANDARD',
      severity,
      message: `Machine ${sourceKey} welds outside its standard band`,
      value: 212,
      at: new Date(),
    });

  const alarmOf = async (sourceKey: string) =>
    Number(
      (await t.db.query<{ id: string }>('SELECT id FROM alarms WHERE source_key = $1 ORDER BY id DESC', [sourceKey]))[0]
        .id,
    );

  /** The rule's outbox messages, oldest first. */
  const messagesOf = (ruleId: number) =>
    t.db.query<{ channel: string; idempotency_key: string; state: string; attempts: number; payload: any }>(
      `SELECT channel, idempotency_key, state, attempts, payload FROM outbox_messages
       WHERE idempotency_key LIKE $1 ORDER BY id`,
      [`alarm:%:rule:${ruleId}:channel:%`],
    );

  const allSent = async (ruleId: number, count: number) => {
    const messages = await messagesOf(ruleId);
    return messages.length === count && messages.every((m) => m.state === 'SENT') && messages;
  };

  const callsOf = (ruleId: number) => receiver.calls.filter((c) => c.idempotencyKey.includes(`:rule:${ruleId}:`));

  /** Proof the outbox worker has gone round since: a webhook of its own, enqueued now, arrives. */
  const workerWentRound = async () => {
    const probe = `probe:${RUN}:${randomBytes(4).toString('hex')}`;
    await t.app.get(Webhooks).send({ url: receiver.url, body: { probe } }, probe);
    await waitFor(() => receiver.delivered(probe).length === 1, { what: 'a probe through the outbox' });
  };

  it('sends each notification once: a signed webhook the receiver can verify, and an e-mail', async () => {
    const hook = await webhookChannel('Control room hook');
    expect(hook).toMatchObject({ hasSecret: true, url: receiver.url });
    const mail = (
      await gql(
        `mutation($input: CreateNotificationChannelInput!) { createNotificationChannel(input: $input) { id recipients hasSecret } }`,
        { input: { name: `Shift leads ${RUN}`, kind: 'EMAIL', recipients: ['shift-lead@plant.example'] } },
      )
    ).createNotificationChannel;
    expect(mail).toMatchObject({ recipients: ['shift-lead@plant.example'], hasSecret: false });
    const sourceKey = key('weld-1');
    const { id: ruleId } = await rule({
      name: 'Welding',
      sourceKinds: ['MACHINE'],
      minSeverity: 'MAJOR',
      sourceKeys: [sourceKey],
      transitions: ['RAISED', 'ACKNOWLEDGED'],
      channelIds: [hook.id, mail.id],
    });

    await raise(sourceKey);
    const alarmId = await alarmOf(sourceKey);
    const acknowledged = await t.graphql(
      'mutation($id: ID!) { acknowledgeAlarm(id: $id, note: "on my way") { state } }',
      { id: String(alarmId) },
      admin,
    );
    expect(acknowledged.data?.acknowledgeAlarm).toEqual({ state: 'ACTIVE_ACKNOWLEDGED' });
    const messages = await waitFor(() => allSent(ruleId, 4), { what: 'four notifications sent' });

    // One call per transition, each once, each signed with the channel's secret.
    const webhooks = messages.filter((m) => m.channel === 'webhook');
    expect(webhooks).toHaveLength(2);
    for (const { idempotency_key } of webhooks) {
      const [call] = receiver.delivered(idempotency_key);
      expect(receiver.calls.filter((c) => c.idempotencyKey === idempotency_key)).toHaveLength(1);
      expect(receiver.signedWith(call, SECRET)).toBe(true);
      expect(receiver.signedWith(call, `${SECRET}-other`)).toBe(false);
      expect(call).toMatchObject({ contentType: 'application/json', attempt: '1' });
      expect(idempotency_key).toMatch(
        new RegExp(`^alarm:${alarmId}:transition:\\d+:rule:${ruleId}:channel:${hook.id}$`),
      );
    }
    const documents = webhooks.map((m) => JSON.parse(receiver.delivered(m.idempotency_key)[0].body));
    expect(documents.map((d) => d.transition.kind)).toEqual(['RAISED', 'ACKNOWLEDGED']);
    expect(documents[1]).toMatchObject({
      event: 'alarm.transition',
      rule: { id: ruleId, name: `Welding ${RUN}` },
      transition: { kind: 'ACKNOWLEDGED', note: 'on my way' },
      alarm: {
        id: alarmId,
        source: { kind: 'MACHINE', key: sourceKey, name: `WELD ${sourceKey}` },
        type: 'OUT_OF_STANDARD',
        severity: 'MAJOR',
        state: 'ACTIVE_ACKNOWLEDGED',
        count: 1,
        peakValue: 212,
      },
    });
    expect(documents[1].transition.byUserId).toEqual(expect.any(String));

    // The e-mails, one per transition, with the Message-ID of their key.
    const mails = messages.filter((m) => m.channel === 'email');
    const received = smtp.received.filter((m) => mails.some((x) => messageIdOf(x.idempotency_key) === m.messageId));
    expect(received.map((m) => m.subject)).toEqual([
      `[Plantgraph] MAJOR OUT_OF_STANDARD on WELD ${sourceKey}: raised`,
      `[Plantgraph] MAJOR OUT_OF_STANDARD on WELD ${sourceKey}: acknowledged`,
    ]);
    expect(received[1].to).toEqual(['shift-lead@plant.example']);
    expect(received[1].body).toContain('Note:        on my way');

    // The secret is nowhere to be read: not in the outbox, not in the channel.
    const outbox = await gql('{ outboxMessages(channel: "webhook", limit: 500) { items { payload } } }');
    expect(JSON.stringify(outbox)).not.toContain(SECRET);
    expect(
      JSON.stringify(await gql('{ notificationChannels(limit: 500) { items { id url hasSecret } } }')),
    ).not.toContain(SECRET);
    expect(await metricSum(t, 'plantgraph_alarm_notifications_total', { outcome: 'enqueued' })).toBeGreaterThanOrEqual(
      2,
    );
  });

  it('retries a receiver that answers 500 with backoff, and never sends again once delivered', async () => {
    const hook = await webhookChannel('Flaky receiver');
    const sourceKey = key('weld-2');
    const { id: ruleId } = await rule({
      name: 'Flaky',
      sourceKeys: [sourceKey],
      transitions: ['RAISED'],
      channelIds: [hook.id],
    });
    const refusedOnce = new Set<string>();
    const answer = receiver.answer;
    receiver.answer = (call) => {
      if (!call.idempotencyKey.includes(`:rule:${ruleId}:`) || refusedOnce.has(call.idempotencyKey))
        return answer(call);
      refusedOnce.add(call.idempotencyKey);
      return 500;
    };
    try {
      await raise(sourceKey);
      const [message] = await waitFor(() => allSent(ruleId, 1), { what: 'the notification delivered' });
      expect(message.attempts).toBe(2);
      await workerWentRound();
      expect(callsOf(ruleId).map((c) => [c.status, c.attempt])).toEqual([
        [500, '1'],
        [200, '2'],
      ]);
      expect(receiver.delivered(message.idempotency_key)).toHaveLength(1);
    } finally {
      receiver.answer = answer;
    }
  });

  it('sends nothing while an alarm is shelved, and notifies as a raise when the shelf runs out', async () => {
    const hook = await webhookChannel('Shelving hook');
    const sourceKey = key('weld-3');
    const { id: ruleId } = await rule({
      name: 'Shelving',
      sourceKeys: [sourceKey],
      transitions: ['RAISED', 'RERAISED'],
      channelIds: [hook.id],
    });
    await raise(sourceKey);
    await waitFor(() => allSent(ruleId, 1), { what: 'the raise notified' });
    const alarmId = await alarmOf(sourceKey);
    const suppressedBefore = await metricSum(t, 'plantgraph_alarm_notifications_total', { outcome: 'suppressed' });

    const shelved = await t.graphql(
      'mutation($id: ID!, $until: DateTime!) { shelveAlarm(id: $id, until: $until, note: "welder being serviced") { suppression } }',
      { id: String(alarmId), until: new Date(Date.now() + 5_000).toISOString() },
      admin,
    );
    expect(shelved.data?.shelveAlarm).toEqual({ suppression: 'SHELVED' });
    await raise(sourceKey);
    const transitions = () =>
      t.db.query<{ id: string; kind: string }>(
        'SELECT id, kind FROM alarm_transitions WHERE alarm_id = $1 ORDER BY id',
        [alarmId],
      );
    expect((await transitions()).map((x) => x.kind)).toEqual(['RAISED', 'SHELVED', 'RERAISED']);
    expect(await metricSum(t, 'plantgraph_alarm_notifications_total', { outcome: 'suppressed' })).toBe(
      suppressedBefore + 1,
    );

    await waitFor(async () => (await transitions()).some((x) => x.kind === 'UNSHELVED'), {
      what: 'the shelf to run out',
      timeoutMs: 15_000,
    });
    const messages = await waitFor(() => allSent(ruleId, 2), { what: 'the un-shelved alarm notified' });
    const reraised = (await transitions()).find((x) => x.kind === 'RERAISED')!;
    expect(messages.some((m) => m.idempotency_key.includes(`:transition:${reraised.id}:`))).toBe(false);
    const document = JSON.parse(receiver.delivered(messages[1].idempotency_key)[0].body);
    expect(document).toMatchObject({
      transition: { kind: 'UNSHELVED', byUserId: null },
      alarm: { id: alarmId, state: 'ACTIVE_UNACKNOWLEDGED', suppression: null, count: 2 },
    });
    expect(callsOf(ruleId).filter((c) => c.status === 200)).toHaveLength(2);
  });

  it('holds a rule to its rate limit across two replicas raising at once, and shows what it held back', async () => {
    const replica = await startTestApp(env(), t.db);
    try {
      const hook = await webhookChannel('Rate limited hook');
      const keys = Array.from({ length: 6 }, (_, i) => key(`press-${i}`));
      const { id: ruleId } = await rule({
        name: 'Rate limited',
        sourceKeys: keys,
        transitions: ['RAISED'],
        channelIds: [hook.id],
        rateLimit: { max: 2, windowSeconds: 3600 },
      });
      const limitedBefore = await metricSum(t, 'plantgraph_alarm_notifications_total', { outcome: 'rate_limited' });
      await Promise.all(keys.map((k, i) => raise(k, 'CRITICAL', i % 2 ? replica : t)));

      const record = await gql(
        `query($rule: Int!) { alarmNotifications(ruleId: $rule) { totalCount items { outcome channels transitionKind alarmId } } }`,
        { rule: ruleId },
      );
      const outcomes = record.alarmNotifications.items.map((i: { outcome: string }) => i.outcome).sort();
      expect(outcomes).toEqual([
        'ENQUEUED',
        'ENQUEUED',
        'RATE_LIMITED',
        'RATE_LIMITED',
        'RATE_LIMITED',
        'RATE_LIMITED',
      ]);
      const messages = await waitFor(() => allSent(ruleId, 2), { what: 'the two notifications within the limit' });
      for (const m of messages) expect(receiver.delivered(m.idempotency_key)).toHaveLength(1);
      const limited = await metricSum(t, 'plantgraph_alarm_notifications_total', { outcome: 'rate_limited' });
      const limitedOnReplica = await metricSum(replica, 'plantgraph_alarm_notifications_total', {
        outcome: 'rate_limited',
      });
      expect(limited - limitedBefore + limitedOnReplica).toBe(4);
    } finally {
      await replica.close();
    }
  });

  it('refuses bad configuration with codes naming the field, and keeps webhook secrets write-only', async () => {
    const create = (input: Record<string, unknown>) =>
      t.graphql(
        'mutation($input: CreateNotificationChannelInput!) { createNotificationChannel(input: $input) { id } }',
        { input },
        admin,
      );
    const refusals: Array<[Record<string, unknown>, string]> = [
      [{ name: 'ftp', kind: 'WEBHOOK', url: 'ftp://files.example.com/x' }, 'url'],
      [{ name: 'creds', kind: 'WEBHOOK', url: 'https://user:pw@hooks.example.com/' }, 'url'],
      // A private address that WEBHOOK_ALLOWED_NETWORKS does not let through (SSRF).
      [{ name: 'private', kind: 'WEBHOOK', url: 'http://169.254.169.254/latest/meta-data' }, 'url'],
      [{ name: 'no url', kind: 'WEBHOOK' }, 'url'],
      [{ name: 'weak', kind: 'WEBHOOK', url: receiver.url, secret: 'has a space in it!' }, 'secret'],
      [{ name: 'mail', kind: 'EMAIL', recipients: ['not an address'] }, 'recipients'],
      [{ name: 'mail', kind: 'EMAIL', recipients: [] }, 'recipients'],
      [{ name: 'mail', kind: 'EMAIL', recipients: ['a@plant.example'], url: receiver.url }, 'url'],
      [{ name: ' ', kind: 'EMAIL', recipients: ['a@plant.example'] }, 'name'],
    ];
    for (const [input, field] of refusals) {
      const error = errorOf(
        await create({ ...input, name: `${input.name as string}`.trim() ? `${input.name} ${RUN}` : ' ' }),
      );
      expect([input, error.code, Object.keys(error.fields ?? {})]).toEqual([input, 'BAD_USER_INPUT', [field]]);
    }
    const short = errorOf(await create({ name: `short ${RUN}`, kind: 'WEBHOOK', url: receiver.url, secret: 'short' }));
    expect(short.code).toBe('BAD_USER_INPUT');

    const hook = await webhookChannel('Config hook');
    expect(errorOf(await create({ name: `Config hook ${RUN}`, kind: 'WEBHOOK', url: receiver.url }))).toMatchObject({
      code: 'CONFLICT',
    });
    const ruleInput = (input: Record<string, unknown>) =>
      t.graphql(
        'mutation($input: NotificationRuleInput!) { createNotificationRule(input: $input) { id } }',
        { input },
        admin,
      );
    expect(
      errorOf(await ruleInput({ name: `Unknown channel ${RUN}`, transitions: ['RAISED'], channelIds: [999999] })),
    ).toMatchObject({ code: 'BAD_USER_INPUT', fields: { channelIds: expect.any(String) } });
    expect(errorOf(await ruleInput({ name: `No transitions ${RUN}`, channelIds: [hook.id] }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { transitions: 'required' },
    });
    expect(
      errorOf(
        await ruleInput({
          name: `Bad limit ${RUN}`,
          transitions: ['RAISED'],
          channelIds: [hook.id],
          rateLimit: { max: 0, windowSeconds: 60 },
        }),
      ),
    ).toMatchObject({ code: 'BAD_USER_INPUT' });
    const { id: ruleId } = await rule({
      name: 'Config',
      transitions: ['CLEARED'],
      channelIds: [hook.id],
      experiment: 'Cryo1',
    });

    // A channel in use stays; a rule changes field by field.
    const inUse = await t.graphql(
      'mutation($id: Int!) { deleteNotificationChannel(id: $id) { id } }',
      { id: hook.id },
      admin,
    );
    expect(errorOf(inUse)).toMatchObject({ code: 'CONFLICT' });
    const updated = await gql(
      `mutation($id: Int!) { updateNotificationRule(id: $id, input: { enabled: false, experiment: null, rateLimit: { max: 5, windowSeconds: 60 } }) {
         enabled experiment transitions rateLimit { max windowSeconds } } }`,
      { id: ruleId },
    );
    expect(updated.updateNotificationRule).toEqual({
      enabled: false,
      experiment: null,
      transitions: ['CLEARED'],
      rateLimit: { max: 5, windowSeconds: 60 },
    });

    // Secrets: set, replaced and removed, shown only as hasSecret.
    const secretOf = async () =>
      (
        await t.db.query<{ secret: string }>('SELECT secret FROM webhook_secrets WHERE ref = $1', [
          `notification-channel:${hook.id}`,
        ])
      )[0]?.secret;
    expect(await secretOf()).toBe(SECRET);
    const replaced = await gql(
      'mutation($id: Int!, $s: String!) { updateNotificationChannel(id: $id, input: { secret: $s }) { hasSecret } }',
      { id: hook.id, s: `${SECRET}-rotated` },
    );
    expect(replaced.updateNotificationChannel).toEqual({ hasSecret: true });
    expect(await secretOf()).toBe(`${SECRET}-rotated`);
    const removed = await gql(
      'mutation($id: Int!) { updateNotificationChannel(id: $id, input: { removeSecret: true }) { hasSecret } }',
      { id: hook.id },
    );
    expect(removed.updateNotificationChannel).toEqual({ hasSecret: false });
    expect(await secretOf()).toBeUndefined();

    await gql('mutation($id: Int!) { deleteNotificationRule(id: $id) { id } }', { id: ruleId });
    await gql('mutation($id: Int!) { deleteNotificationChannel(id: $id) { id } }', { id: hook.id });
    const gone = await t.graphql(
      'mutation($id: Int!) { deleteNotificationChannel(id: $id) { id } }',
      { id: hook.id },
      admin,
    );
    expect(errorOf(gone)).toMatchObject({ code: 'NOT_FOUND' });
  });
});
