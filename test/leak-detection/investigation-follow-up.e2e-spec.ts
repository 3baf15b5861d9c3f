import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import { PubSub } from '../../src/shared/pubsub/pub-sub.js';
import { collect, startTestApp, type TestApp, testPlantRoot } from '../harness/app.js';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
import { waitFor } from '../harness/wait-for.js';
import { CANDIDATES, plantedLeak, SENSOR, TEMPLATE_ANGLE_DEGREES, WINDOW } from './planted-leak.js';

/** This file's plant root topic (PLANT_MQTT_ROOT of its apps): devices publish under it. */
const PLANT = testPlantRoot();

/**
 * Follow-up investigations while a sensor stays CRITICAL (issue 13 item 7). A strong, sudden
 * leak goes CRITICAL within the first readings of its plume's first passage, when the window the
 * estimation compares is still mostly background: the investigation at the change to CRITICAL
 * cannot name it. 12 readings later (LEAK_REINVESTIGATE_READINGS, the default) the sensor is still
 * CRITICAL and the follow-up does. The scenario is worked out offline with the domain functions
 * the service runs, as in investigation-confirms-leak.e2e-spec.ts (same background, currents,
 * template and candidates), with a plume peaking at 2,000 ppmv; the service must do the same on
 * its own, across a restart in the middle of the CRITICAL episode (the readings since the change
 * are counted from stored state: a follow-up neither lost nor repeated), and stop following up
 * once a leak is confirmed.
 */
const RUN = randomBytes(3).toString('hex');
const TEN_MINUTES = 600_000;
const EVERY = 12;
/** Three days ago on the ten-minute grid: inside the readings' retention whenever this runs. */
const T0 = Math.floor(Date.now() / TEN_MINUTES) * TEN_MINUTES - 3 * 86_400_000;
const tsOf = (k: number) => new Date(T0 + k * TEN_MINUTES);

const LEAKING = 0;
const LEAK_START = 160;
/** Strong: CRITICAL at the first readings of the plume's passage (measured: named there in 1 of 51 leak starts). */
const PLUME_PEAK_PPMV = 2_000;
/** The restart comes this many readings after the change to CRITICAL, before the first follow-up. */
const RESTART_AFTER = 5;
/** Readings published after the CRITICAL one: past the first follow-up and the point of a second. */
const AFTER_CRITICAL = 2 * EVERY + 6;

const INVESTIGATION = 'sensorName at trigger result reason confirmedName details';

describe('leak detection: follow-up investigations while CRITICAL (e2e)', () => {
  const scenario = plantedLeak({
    start: LEAK_START,
    peakPpmv: PLUME_PEAK_PPMV,
    afterCritical: AFTER_CRITICAL,
    leaking: LEAKING,
  });
  const followUpAt = scenario.critical + EVERY;
  let db: TestDatabase;
  let t: TestApp;
  let admin: string;
  let device: MqttClient;

  async function ok(query: string, variables?: Record<string, unknown>): Promise<Record<string, any>> {
    const result = await t.graphql(query, variables, admin);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  async function start(): Promise<void> {
    t = await startTestApp({}, db);
    admin = await t.login();
  }

  /** Readings [from, to) like a gateway: arrays of up to 48, QoS 1. */
  async function publish(name: string, from: number, to: number): Promise<void> {
    for (let k = from; k < to; k += 48) {
      const batch = scenario.readings
        .slice(k, Math.min(k + 48, to))
        .map((ppmv, i) => ({ ts: tsOf(k + i).getTime(), ppmv }));
      await device.publishAsync(`${PLANT}/sensors/${name}/ppmv`, JSON.stringify(batch), { qos: 1 });
    }
  }

  async function scored(sensorId: number, count: number): Promise<void> {
    await waitFor(
      async () =>
        (
          await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM anomaly_levels WHERE sensor_id = $1', [
            sensorId,
          ])
        )[0].n === count,
      { what: `${count} scored readings`, timeoutMs: 90_000 },
    );
  }

  async function investigations(name: string): Promise<Array<Record<string, any>>> {
    const { leakInvestigations } = await ok(
      `query($n: [String!]) { leakInvestigations(sensorNames: $n) { items { ${INVESTIGATION} } } }`,
      { n: [name] },
    );
    return [...leakInvestigations.items].sort((a, b) => a.at.localeCompare(b.at));
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    await start();
    device = await connectAsync(t.mqttUrl, { protocolVersion: 4, clientId: `gas-follow-${RUN}`, clean: true });
  });

  afterAll(async () => {
    await device?.endAsync();
    await t?.close();
    await db?.drop();
  });

  it('the planted scenario (domain functions): CRITICAL not named at the change, still CRITICAL and named C1 12 readings later', () => {
    const { critical } = scenario;
    const levels = scenario.levels.map((l) => l.level);
    expect(levels.slice(WINDOW, critical)).not.toContain('CRITICAL');
    expect(levels.slice(critical)).toEqual(Array(AFTER_CRITICAL + 1).fill('CRITICAL'));
    expect(scenario.investigate(critical).result).not.toBe('CONFIRMED');
    expect(scenario.investigate(followUpAt)).toMatchObject({ result: 'CONFIRMED', confirmed: LEAKING });
  });

  it('the change to CRITICAL is investigated, not named; across a restart mid-episode one follow-up 12 readings later names C1; none after', async () => {
    const { leakFields } = await ok('{ leakFields { id name } }');
    const templateId = (
      await ok(
        'mutation($f: Int!, $i: CreateLeakTemplateInput!) { createLeakTemplate(fieldId: $f, input: $i) { id } }',
        {
          f: leakFields.find((f: { name: string }) => f.name === 'Troll').id,
          i: { name: `Following ${RUN}`, angleFromNorth: TEMPLATE_ANGLE_DEGREES, height: 8 },
        },
      )
    ).createLeakTemplate.id;
    for (const candidate of CANDIDATES)
      await ok(
        'mutation($t: Int!, $i: CreateLeakCandidateInput!) { createLeakCandidate(templateId: $t, input: $i) { id } }',
        { t: templateId, i: candidate },
      );
    await ok(
      'mutation($t: Int!, $csv: String!, $s: DateTime!) { importLeakSeaCurrents(templateId: $t, csv: $csv, startsAt: $s) { imported } }',
      { t: templateId, csv: scenario.csv, s: tsOf(0).toISOString() },
    );
    const name = `follow-${RUN}`;
    const { createLeakSensor } = await ok(
      'mutation($t: Int!, $i: CreateLeakSensorInput!) { createLeakSensor(templateId: $t, input: $i) { id window } }',
      { t: templateId, i: { name, ...SENSOR } },
    );
    const sensorId: number = createLeakSensor.id;
    expect(createLeakSensor.window).toBe(WINDOW);
    const criticalAt = tsOf(scenario.critical).toISOString();
    const followUpIso = tsOf(followUpAt).toISOString();

    // Up to a few readings into the CRITICAL episode: the change is investigated, not named.
    const beforeRestart = scenario.critical + RESTART_AFTER + 1;
    await publish(name, 0, beforeRestart);
    await scored(sensorId, beforeRestart);
    await waitFor(async () => (await investigations(name)).length === 1, {
      what: 'the investigation of the change to CRITICAL',
      timeoutMs: 90_000,
    });
    const [first] = await investigations(name);
    expect(first).toMatchObject({ at: criticalAt, trigger: 'CRITICAL' });
    expect(first.result).not.toBe('CONFIRMED');
    expect(JSON.parse(first.details).followUp).toBeUndefined();

    // A restart mid-episode: the new owner counts on from the stored change and levels.
    await t.close();
    await start();
    const pubsub = t.app.get(PubSub);
    const before = pubsub.activeSubscriptions();
    const ws = t.wsClient(admin);
    const systemEvents = collect(ws, 'subscription { leakSystemEventAdded { type message sensorName } }');
    await waitFor(() => pubsub.activeSubscriptions() >= before + 1, { what: 'the subscription to start' });

    // Past the first follow-up's reading (not yet the second's): it is investigated there and names C1.
    const pastFollowUp = followUpAt + 3;
    await publish(name, beforeRestart, pastFollowUp);
    await scored(sensorId, pastFollowUp);
    await waitFor(async () => (await investigations(name)).length === 2, {
      what: 'the follow-up investigation',
      timeoutMs: 90_000,
    });
    const followUp = (await investigations(name))[1];
    expect(followUp).toMatchObject({
      sensorName: name,
      at: followUpIso,
      trigger: 'CRITICAL',
      result: 'CONFIRMED',
      reason: 'ONE_CANDIDATE',
      confirmedName: 'C1(0,0,3)',
    });
    expect(JSON.parse(followUp.details).followUp).toEqual({
      number: 1,
      criticalAt,
      readingsSinceCritical: EVERY,
    });
    const notice = {
      type: 'ALERT_CRITICAL',
      sensorName: name,
      message: `The estimation is finished. [confirmed] The leakage is C1(0,0,3) (sensor ${name}, ${followUpIso}, follow-up 1 of the CRITICAL at ${criticalAt})`,
    };
    const ours = () =>
      systemEvents.events.map((e) => e.data!.leakSystemEventAdded).filter((e) => e.sensorName === name);
    await waitFor(() => ours().length >= 1, { what: 'the live notice of the follow-up' });
    expect(ours()).toEqual([notice]);

    // Past where a second follow-up would be: the episode's leak is confirmed, none is requested.
    await publish(name, pastFollowUp, scenario.readings.length);
    await scored(sensorId, scenario.readings.length);
    const { leakSystemEvents } = await ok(
      'query($n: [String!]) { leakSystemEvents(sensorNames: $n) { items { type message sensorName } } }',
      { n: [name] },
    );
    // Newest first: the follow-up's notice, then the first investigation's (not a confirmation).
    expect(leakSystemEvents.items).toHaveLength(2);
    expect(leakSystemEvents.items[0]).toEqual(notice);
    expect(leakSystemEvents.items[1].type).not.toBe('ALERT_CRITICAL');
    expect(leakSystemEvents.items[1].message).toContain(`(${first.reason}, ${criticalAt})`);

    // Once per investigated reading: the outbox holds the change's request and the follow-up's (keyed by
    // the episode and its number, so the readings after it add none), both sent.
    await waitFor(
      async () =>
        (
          await t.db.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM outbox_messages WHERE channel = 'leak-investigation' AND idempotency_key LIKE $1 AND state <> 'SENT'",
            [`leak-investigation:${sensorId}:%`],
          )
        )[0].n === 0,
      { what: 'the outbox to be sent' },
    );
    const requests = await t.db.query<{ key: string; state: string }>(
      "SELECT idempotency_key AS key, state FROM outbox_messages WHERE channel = 'leak-investigation' AND idempotency_key LIKE $1 ORDER BY idempotency_key",
      [`leak-investigation:${sensorId}:%`],
    );
    expect(requests).toEqual([
      { key: `leak-investigation:${sensorId}:${criticalAt}`, state: 'SENT' },
      { key: `leak-investigation:${sensorId}:${criticalAt}:follow-up-1`, state: 'SENT' },
    ]);
    expect(await investigations(name)).toHaveLength(2);

    systemEvents.unsubscribe();
    await ws.dispose();
  }, 300_000);
});
