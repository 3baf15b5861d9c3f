import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import { PubSub } from '../../src/shared/pubsub/pub-sub.js';
import { collect, errorOf, startTestApp, type TestApp, testPlantRoot } from '../harness/app.js';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
import { startSmtpServer, type TestSmtpServer } from '../harness/smtp-server.js';
import { waitFor } from '../harness/wait-for.js';

/** This file's plant root topic (PLANT_MQTT_ROOT of its apps): devices publish under it. */
const PLANT = testPlantRoot();

/**
 * Threshold subscriptions and e-mails from outside: values published over MQTT like a lab
 * gateway, e-mails taken by a real SMTP server started here, the legacy alarm topic read by a
 * real MQTT client. Hysteresis 10 % (PV_THRESHOLD_HYSTERESIS_PERCENT): on a band [10, 90] an
 * episode ends at a value in [18, 82]. The service restarts once on the same database: an open
 * episode resumes from what is stored. Names are unique per run (shared broker).
 */
const RUN = randomBytes(3).toString('hex');
const EXP = `Thr${RUN}`;
const FAN = `${EXP}:Fan`;
const FLAP = `${EXP}:Flap`;
const GONE = `${EXP}:Gone`;
/** Another experiment's PV, for the restart (the cascade test deletes EXP). */
const EXP2 = `Thr${RUN}b`;
const RESTART = `${EXP2}:Restart`;
const ALARM_TOPIC = `test/${RUN}/email`;
const SUB_FIELDS = 'id userId pvName email min max';

interface AlarmMessage {
  email: string;
  pv: string;
  min_threshold: number;
  max_threshold: number;
  threshold_unit: string;
  active: 0 | 1;
  message: string;
}

describe('experiments: threshold subscriptions, episodes, e-mails, alarm topic', () => {
  let smtp: TestSmtpServer;
  let db: TestDatabase;
  let t: TestApp;
  let admin: string;
  let device: MqttClient;
  let listener: MqttClient;
  const alarms: AlarmMessage[] = [];
  let clock = Date.now();
  const nextTs = () => (clock += 1000);
  const users: Record<string, { id: string; token: string; email: string }> = {};

  async function ok(query: string, variables?: Record<string, unknown>, token = admin): Promise<Record<string, any>> {
    const result = await t.graphql(query, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  async function user(name: string, assigned: boolean) {
    const email = `${name}-${RUN}@plantgraph.test`;
    const password = `${name}-password-${RUN}`;
    const { createUser } = await ok('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
      i: { email, displayName: name, password, roles: ['operator'] },
    });
    if (assigned)
      await ok(
        'mutation($e: String!, $u: String!) { assignUserToExperiment(experimentName: $e, userId: $u) { name } }',
        {
          e: EXP,
          u: createUser.id,
        },
      );
    users[name] = { id: createUser.id, token: await t.login(email, password), email };
  }

  /** Publishes the values one after another, each a second later than the one before. */
  async function publish(pv: string, values: number[]): Promise<void> {
    for (const value of values)
      await device.publishAsync(`${PLANT}/pv/${pv.replaceAll(':', '/')}`, JSON.stringify({ ts: nextTs(), value }), {
        qos: 1,
      });
  }

  const mailsTo = (email: string, pv: string) =>
    smtp.received.filter((m) => m.to.includes(email) && m.subject.includes(pv));

  const episodes = async (pv: string) =>
    t.db.query<{ limit: string; start_value: number; peak: number; ended_at: Date | null }>(
      `SELECT e."limit", e.start_value, e.peak, e.ended_at FROM pv_threshold_episodes e
       JOIN pv_threshold_subscriptions s ON s.id = e.subscription_id JOIN pvs p ON p.id = s.pv_id
       WHERE p.name = $1 ORDER BY e.started_at`,
      [pv],
    );

  /** E-mails enqueued for the PV's subscriptions (all of them, sent or not). */
  const enqueued = async (pv: string) =>
    Number(
      (
        await t.db.query<{ n: string }>(
          `SELECT count(*) AS n FROM outbox_messages o, pv_threshold_subscriptions s JOIN pvs p ON p.id = s.pv_id
           WHERE p.name = $1 AND o.idempotency_key LIKE 'pv-threshold:' || s.id || ':episode:%'`,
          [pv],
        )
      )[0].n,
    );

  const watermark = async (pv: string) =>
    (
      await t.db.query<{ up_to: Date }>(
        'SELECT w.up_to FROM pv_threshold_watermarks w JOIN pvs p ON p.id = w.pv_id WHERE p.name = $1',
        [pv],
      )
    )[0]?.up_to.getTime() ?? 0;

  /** The service on this file's database (kept across a restart). */
  async function start(): Promise<void> {
    t = await startTestApp(
      {
        ...smtp.env,
        MAIL_FROM: 'Plantgraph <plantgraph@plant.example>',
        OUTBOX_RETRY_BASE_MS: '50',
        OUTBOX_POLL_MS: '50',
        PV_ALARM_TOPIC: ALARM_TOPIC,
        PV_THRESHOLD_HYSTERESIS_PERCENT: '10',
      },
      db,
    );
    admin = await t.login();
  }

  beforeAll(async () => {
    smtp = await startSmtpServer();
    db = await createTestDatabase();
    await start();
    device = await connectAsync(t.mqttUrl, { protocolVersion: 4, clientId: `lab-${RUN}`, clean: true });
    listener = await connectAsync(t.mqttUrl, { protocolVersion: 4, clientId: `alarms-${RUN}`, clean: true });
    listener.on('message', (_topic, payload) => alarms.push(JSON.parse(payload.toString('utf8')) as AlarmMessage));
    await listener.subscribeAsync(ALARM_TOPIC, { qos: 1 });
    await ok('mutation($i: CreateExperimentInput!) { createExperiment(input: $i) { name } }', { i: { name: EXP } });
    for (const name of [FAN, FLAP, GONE])
      await ok('mutation($i: CreatePvInput!) { createPv(input: $i) { name } }', {
        i: { name, unit: 'rpm', thresholdMin: 10, thresholdMax: 90 },
      });
    await ok('mutation($i: CreatePvInput!) { createPv(input: $i) { name } }', {
      i: { name: RESTART, unit: 'rpm', thresholdMin: 10, thresholdMax: 90 },
    });
    await user('alice', true);
    await ok('mutation($e: String!, $u: String!) { assignUserToExperiment(experimentName: $e, userId: $u) { name } }', {
      e: EXP2,
      u: users.alice.id,
    });
    await user('bob', false);
    await user('carol', true);
  });

  afterAll(async () => {
    await device?.endAsync();
    await listener?.endAsync();
    await t?.close();
    await db?.drop();
    await smtp?.close();
  });

  it('refuses bad limits and e-mails naming the field, and a user not assigned gets NOT_FOUND', async () => {
    const band = await t.graphql(
      'mutation($n: String!) { subscribePvThreshold(pvName: $n, input: { min: 50, max: 40 }) { id } }',
      { n: FAN },
      users.alice.token,
    );
    expect(errorOf(band)).toMatchObject({ code: 'BAD_USER_INPUT', fields: { max: expect.any(String) } });
    const email = await t.graphql(
      'mutation($n: String!) { subscribePvThreshold(pvName: $n, input: { email: "not-an-address" }) { id } }',
      { n: FAN },
      users.alice.token,
    );
    expect(errorOf(email)).toMatchObject({ code: 'BAD_USER_INPUT', fields: { email: expect.any(String) } });
    const stranger = await t.graphql(
      'mutation($n: String!) { subscribePvThreshold(pvName: $n) { id } }',
      { n: FAN },
      users.bob.token,
    );
    expect(errorOf(stranger)).toMatchObject({ code: 'NOT_FOUND' });
    const mine = await ok('{ myPvThresholdSubscriptions { totalCount } }', {}, users.alice.token);
    expect(mine.myPvThresholdSubscriptions.totalCount).toBe(0);
    const everyone = await t.graphql('{ pvThresholdSubscriptions { totalCount } }', {}, users.alice.token);
    expect(errorOf(everyone)).toMatchObject({ code: 'FORBIDDEN' });
  });

  it("subscribes with the PV's limits and the user's e-mail, once per PV, announcing it on the alarm topic", async () => {
    const { subscribePvThreshold } = await ok(
      `mutation($n: String!) { subscribePvThreshold(pvName: $n) { ${SUB_FIELDS} } }`,
      { n: FAN },
      users.alice.token,
    );
    expect(subscribePvThreshold).toMatchObject({ pvName: FAN, email: users.alice.email, min: 10, max: 90 });
    const again = await t.graphql(
      'mutation($n: String!) { subscribePvThreshold(pvName: $n) { id } }',
      { n: FAN },
      users.alice.token,
    );
    expect(errorOf(again)).toMatchObject({ code: 'CONFLICT' });
    await waitFor(() => alarms.some((a) => a.pv === FAN && a.email === users.alice.email), {
      what: 'the alarm message',
    });
    expect(alarms.find((a) => a.pv === FAN && a.email === users.alice.email)).toEqual({
      email: users.alice.email,
      pv: FAN,
      min_threshold: 10,
      max_threshold: 90,
      threshold_unit: 'rpm',
      active: 1,
      message: `Hello alice.\nPlease check the ${FAN} process variable! A threshold value has been breached.`,
    });
    const { pvThresholdSubscriptions } = await ok(
      'query($n: String) { pvThresholdSubscriptions(pvName: $n) { totalCount } }',
      {
        n: FAN,
      },
    );
    expect(pvThresholdSubscriptions.totalCount).toBe(1);
  });

  it('a value leaving the band, coming back and leaving again sends exactly two e-mails naming the PV, value and limit', async () => {
    clock = Date.now() + 1000;
    const before = t.app.get(PubSub).activeSubscriptions();
    const events = collect(
      t.wsClient(users.alice.token),
      'subscription { pvThresholdEvent { kind pvName limit limitValue value } }',
    );
    await waitFor(() => t.app.get(PubSub).activeSubscriptions() > before, { what: 'the subscription to start' });
    await publish(FAN, [50, 95, 97, 88, 91, 60, 120]);
    const last = clock;
    await waitFor(async () => (await watermark(FAN)) >= last, { what: 'the values taken in' });
    await waitFor(() => mailsTo(users.alice.email, FAN).length >= 2, { what: 'two e-mails' });
    const mails = mailsTo(users.alice.email, FAN);
    expect(mails).toHaveLength(2);
    expect(await enqueued(FAN)).toBe(2);
    expect(mails[0].body).toContain('Value: 95 rpm');
    expect(mails[1].body).toContain('Value: 120 rpm');
    for (const mail of mails) {
      expect(mail.subject).toContain(FAN);
      expect(mail.body).toContain(FAN);
      expect(mail.body).toContain('Limit: max 90 rpm');
    }
    const stored = await episodes(FAN);
    expect(stored.map((e) => [e.limit, e.start_value, e.peak, e.ended_at !== null])).toEqual([
      ['MAX', 95, 97, true],
      ['MAX', 120, 120, false],
    ]);
    await waitFor(() => events.events.some((e) => e.data?.pvThresholdEvent.value === 120), {
      what: 'the second STARTED event',
    });
    // The stream may have started after the first value: the later events are all there, in order.
    const seen = events.events.map((e) => e.data?.pvThresholdEvent);
    expect(seen.slice(-2)).toEqual([
      { kind: 'ENDED', pvName: FAN, limit: 'MAX', limitValue: 90, value: 60 },
      { kind: 'STARTED', pvName: FAN, limit: 'MAX', limitValue: 90, value: 120 },
    ]);
    events.unsubscribe();
  });

  it('a value flapping around a limit within the hysteresis sends nothing more', async () => {
    await ok('mutation($n: String!) { subscribePvThreshold(pvName: $n) { id } }', { n: FLAP }, users.alice.token);
    // An administrator may subscribe without being assigned, and is e-mailed too.
    const adminEmail = `thresholds-admin-${RUN}@plantgraph.test`;
    await ok('mutation($n: String!, $e: String) { subscribePvThreshold(pvName: $n, input: { email: $e }) { id } }', {
      n: FLAP,
      e: adminEmail,
    });
    clock = Date.now() + 1000;
    // Near the limit inside the band: nothing; then one episode that flaps within 82..90; it ends at 50; 130 marks the end.
    await publish(FLAP, [85, 89, 90, 86, 91, 89, 93, 84, 92, 85, 50, 130]);
    const last = clock;
    await waitFor(async () => (await watermark(FLAP)) >= last, { what: 'the values taken in' });
    await waitFor(() => mailsTo(users.alice.email, FLAP).length >= 2, { what: 'the marker e-mail' });
    await waitFor(() => mailsTo(adminEmail, FLAP).length >= 2, { what: "the administrator's e-mails" });
    expect(await enqueued(FLAP)).toBe(4);
    for (const email of [users.alice.email, adminEmail])
      expect(mailsTo(email, FLAP).map((m) => /Value: (\S+) rpm/.exec(m.body)?.[1])).toEqual(['91', '130']);
    expect((await episodes(FLAP)).map((e) => [e.start_value, e.peak])).toEqual([
      [91, 93],
      [91, 93],
      [130, 130],
      [130, 130],
    ]);
  });

  it('sends active: 0 on unsubscribe and for every subscription removed with its PV, experiment or user', async () => {
    const carol = users.carol;
    for (const pv of [FAN, GONE])
      await ok(
        'mutation($n: String!) { subscribePvThreshold(pvName: $n, input: { min: 1, max: 2 }) { id } }',
        { n: pv },
        carol.token,
      );
    await ok('mutation($n: String!) { subscribePvThreshold(pvName: $n) { id } }', { n: GONE }, users.alice.token);
    const { unsubscribePvThreshold } = await ok(
      `mutation($n: String!) { unsubscribePvThreshold(pvName: $n) { ${SUB_FIELDS} } }`,
      { n: FLAP },
      users.alice.token,
    );
    expect(unsubscribePvThreshold.pvName).toBe(FLAP);
    const deactivated = (email: string, pv: string) =>
      alarms.some((a) => a.email === email && a.pv === pv && a.active === 0);
    await waitFor(() => deactivated(users.alice.email, FLAP), { what: 'active: 0 on unsubscribe' });

    const { deletePv } = await ok('mutation($n: String!) { deletePv(name: $n) { removed { what count } } }', {
      n: GONE,
    });
    expect(deletePv.removed).toContainEqual({ what: 'threshold subscriptions', count: 2 });
    await waitFor(() => deactivated(carol.email, GONE) && deactivated(users.alice.email, GONE), {
      what: 'active: 0 for the PV deleted',
    });
    expect(alarms.find((a) => a.email === carol.email && a.pv === GONE && a.active === 0)).toMatchObject({
      min_threshold: 1,
      max_threshold: 2,
      threshold_unit: 'rpm',
    });

    await ok('mutation($id: ID!) { deleteUser(id: $id) { id } }', { id: carol.id });
    await waitFor(() => deactivated(carol.email, FAN), { what: 'active: 0 for the user deleted' });

    await ok('mutation($e: String!) { deleteExperiment(name: $e) { deleted } }', { e: EXP });
    await waitFor(() => deactivated(users.alice.email, FAN), { what: 'active: 0 for the experiment deleted' });
    const left = await t.db.query(
      'SELECT 1 FROM pv_threshold_subscriptions s JOIN pvs p ON p.id = s.pv_id WHERE p.name LIKE $1',
      [`${EXP}:%`],
    );
    expect(left).toHaveLength(0);
    // Exactly one active: 0 per removed subscription.
    expect(alarms.filter((a) => a.active === 0 && a.pv.startsWith(`${EXP}:`))).toHaveLength(6);
  });

  it('a restart resumes each open episode exactly: no second e-mail for it, and it ends and restarts as before', async () => {
    await ok('mutation($n: String!) { subscribePvThreshold(pvName: $n) { id } }', { n: RESTART }, users.alice.token);
    clock = Date.now() + 1000;
    await publish(RESTART, [50, 95]);
    let last = clock;
    await waitFor(async () => (await watermark(RESTART)) >= last, { what: 'the values taken in' });
    await waitFor(() => mailsTo(users.alice.email, RESTART).length >= 1, { what: 'the first e-mail' });
    await t.close();
    await start();
    await publish(RESTART, [88, 99, 60, 120]);
    last = clock;
    await waitFor(async () => (await watermark(RESTART)) >= last, { what: 'the values taken in after the restart' });
    await waitFor(() => mailsTo(users.alice.email, RESTART).length >= 2, { what: 'the second e-mail' });
    expect(await enqueued(RESTART)).toBe(2);
    expect(mailsTo(users.alice.email, RESTART).map((m) => /Value: (\S+) rpm/.exec(m.body)?.[1])).toEqual(['95', '120']);
    expect((await episodes(RESTART)).map((e) => [e.start_value, e.peak, e.ended_at !== null])).toEqual([
      [95, 99, true],
      [120, 120, false],
    ]);
  });
});
