import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
import { ServiceBuild, type ServiceProcess } from '../harness/service-process.js';
import { startWebhookReceiver, type TestWebhookReceiver } from '../harness/webhook-receiver.js';

/**
 * A notification survives the service dying between the transition and the send: the service
 * runs as its own process (the built JavaScript, as `npm start` runs it), its webhook receiver
 * is down when an alarm is acknowledged, and the service is SIGKILLed while the call waits for
 * its retry. Started again with the receiver up, it sends the call exactly once.
 */
const RUN = randomBytes(3).toString('hex');
const SECRET = `whsec-${RUN}-crash-0123456789`;

describe('alarm notifications: the service killed between the transition and the send', () => {
  let build: ServiceBuild;
  let db: TestDatabase;
  let receiver: TestWebhookReceiver;

  beforeAll(async () => {
    [build, db, receiver] = await Promise.all([ServiceBuild.create(), createTestDatabase(), startWebhookReceiver()]);
  }, 120_000);

  afterAll(async () => {
    await build?.dispose();
    await db?.drop();
    await receiver?.close();
  });

  it('sends the notification once after a restart', async () => {
    const env = {
      DATABASE_URL: db.url,
      MQTT_URL: process.env.TEST_MQTT_URL!,
      MQTT_CLIENT_ID: `pg-alarm-crash-${RUN}`,
      PLANT_MQTT_ROOT: `alarm-crash-plant-${RUN}`,
      ACCESS_MQTT_ROOT: `alarm-crash-board-${RUN}`,
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      // A failed call waits this long for its retry: the window in which the service is killed.
      OUTBOX_RETRY_BASE_MS: '10000',
      OUTBOX_POLL_MS: '200',
    };
    let service: ServiceProcess = await build.start(env);
    const admin = await service.login();
    const gql = async (query: string, variables: Record<string, unknown>) => {
      const result = await service.graphql(query, variables, admin);
      if (!result.data) throw new Error(JSON.stringify(result.errors));
      return result.data;
    };
    const { createNotificationChannel: hook } = await gql(
      `mutation($input: CreateNotificationChannelInput!) { createNotificationChannel(input: $input) { id } }`,
      { input: { name: `Crash hook ${RUN}`, kind: 'WEBHOOK', url: receiver.url, secret: SECRET } },
    );
    const sourceKey = `crash-${RUN}`;
    const { createNotificationRule: rule } = await gql(
      `mutation($input: NotificationRuleInput!) { createNotificationRule(input: $input) { id } }`,
      {
        input: { name: `Crash ${RUN}`, sourceKeys: [sourceKey], transitions: ['ACKNOWLEDGED'], channelIds: [hook.id] },
      },
    );
    // An open alarm as the lifecycle keeps it; its acknowledgement is the transition under test.
    const [{ id: alarmId }] = await db.query<{ id: string }>(
      `INSERT INTO alarms (source_kind, source_key, source_name, type, severity, message, state,
         first_raised_at, last_raised_at, last_changed_at)
       VALUES ('MACHINE', $1, 'CRASH-1', 'OUT_OF_STANDARD', 'MAJOR', 'welds outside its band', 'ACTIVE_UNACKNOWLEDGED',
         now(), now(), now()) RETURNING id`,
      [sourceKey],
    );
    const message = async () =>
      (
        await db.query<{ idempotency_key: string; state: string; attempts: number; last_error: string | null }>(
          `SELECT idempotency_key, state, attempts, last_error FROM outbox_messages WHERE idempotency_key LIKE $1`,
          [`alarm:${alarmId}:transition:%:rule:${rule.id}:channel:${hook.id}`],
        )
      )[0];

    await receiver.stop();
    await gql('mutation($id: ID!) { acknowledgeAlarm(id: $id) { state } }', { id: alarmId });
    // Committed with the transition, tried once against the receiver that is down, waiting for its retry.
    const pending = await service.waitFor(async () => ((await message())?.attempts === 1 ? message() : undefined), {
      what: 'the first attempt to fail',
    });
    await service.kill();
    expect(pending).toMatchObject({ state: 'PENDING', attempts: 1 });
    expect(pending.last_error).toMatch(/ECONNREFUSED/);
    expect(receiver.calls).toHaveLength(0);

    await receiver.start();
    service = await build.start(env);
    const sent = await service.waitFor(async () => ((await message())?.state === 'SENT' ? message() : undefined), {
      what: 'the notification sent after the restart',
      timeoutMs: 30_000,
    });
    expect(sent.attempts).toBe(2);
    expect(receiver.calls).toHaveLength(1);
    const [call] = receiver.delivered(sent.idempotency_key);
    expect(receiver.signedWith(call, SECRET)).toBe(true);
    expect(JSON.parse(call.body)).toMatchObject({
      transition: { kind: 'ACKNOWLEDGED' },
      alarm: { id: Number(alarmId), state: 'ACTIVE_ACKNOWLEDGED' },
    });
    expect(await service.stop()).toEqual({ code: 0, signal: null });
  }, 120_000);
});
