import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import { AnomalyScorer, anomalySettings, PreparedBaseline } from '../../src/leak-detection/domain/anomaly-scoring.js';
import {
  INITIAL_BASELINE_NAME,
  seedBaseline,
  seedContinuation,
} from '../../src/leak-detection/domain/seed-baselines.js';
import { PubSub } from '../../src/shared/pubsub/pub-sub.js';
import { collect, errorOf, startTestApp, type TestApp, testPlantRoot } from '../harness/app.js';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
import { waitFor } from '../harness/wait-for.js';

/** This file's plant root topic (PLANT_MQTT_ROOT of its apps): devices publish under it. */
const PLANT = testPlantRoot();

/**
 * Anomaly levels end to end: a gas sensor publishes ppmv readings over the real broker like
 * its gateway (ten-minute readings, sent in batches); each reading is stored and scored by the
 * sensor's owner. Warm-up is UNDEFINED, then OK; a planted leak-like rise goes WARNING and
 * CRITICAL and back, with one sensor event per change; the levels are those of the domain
 * scorer run on the same readings, also across a restart of the service mid-series.
 */
const RUN = randomBytes(3).toString('hex');
const TEN_MINUTES = 600_000;
const WINDOW = 144;
/** Above the waits for scoring (90 s each), so that a missed one says where the readings stopped. */
const TEST_TIMEOUT_MS = 240_000;
/** Four days after the seed baseline (576 readings), with a rise of 16 σ over six hours at reading 300. */
const READINGS = plantedLeak();
const T0 = Date.now() - 5 * 86_400_000;
const tsOf = (k: number) => new Date(T0 + k * TEN_MINUTES);

function plantedLeak(): number[] {
  const sd = Math.sqrt(seedBaseline(INITIAL_BASELINE_NAME).variance);
  return Array.from(seedContinuation(INITIAL_BASELINE_NAME, 4), (x, k) =>
    k >= 300 && k < 336 ? x + 16 * sd * Math.sin((Math.PI * (k - 300)) / 36) : x,
  );
}

/** What the domain scorer says of the readings, uninterrupted: the expectation. */
function expectedLevels(): Array<{ level: string; percent: number | null }> {
  const baseline = PreparedBaseline.prepare(seedBaseline(INITIAL_BASELINE_NAME).values, WINDOW);
  const scorer = AnomalyScorer.start(baseline, anomalySettings({ windowSize: WINDOW }));
  return READINGS.map((ppmv) => {
    const { level, percent } = scorer.score(ppmv);
    return { level, percent };
  });
}

const LEVEL_EVENTS = `subscription($names: [String!], $levels: [AnomalyLevel!]) {
  leakSensorEventAdded(sensorNames: $names, levels: $levels) { sensorName level previousLevel at ppmv } }`;

describe('leak detection: anomaly levels (e2e)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let admin: string;
  let device: MqttClient;
  let templateId: number;
  const expected = expectedLevels();

  async function ok(query: string, variables?: Record<string, unknown>): Promise<Record<string, any>> {
    const result = await t.graphql(query, variables, admin);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  async function start(): Promise<void> {
    t = await startTestApp({}, db);
    admin = await t.login();
  }

  async function createSensor(name: string): Promise<number> {
    return (
      await ok(
        'mutation($t: Int!, $i: CreateLeakSensorInput!) { createLeakSensor(templateId: $t, input: $i) { id } }',
        { t: templateId, i: { name, x: 1, y: 2, z: 3 } },
      )
    ).createLeakSensor.id;
  }

  /** Publishes readings [from, to) like a gateway: arrays of 48 (eight hours), QoS 1. */
  async function publish(name: string, from: number, to: number): Promise<void> {
    for (let k = from; k < to; k += 48) {
      const batch = READINGS.slice(k, Math.min(k + 48, to)).map((ppmv, i) => ({ ts: tsOf(k + i).getTime(), ppmv }));
      await device.publishAsync(`${PLANT}/sensors/${name}/ppmv`, JSON.stringify(batch), { qos: 1 });
    }
  }

  async function storedLevels(sensorId: number): Promise<Array<{ ts: Date; level: string; percent: number | null }>> {
    return db.query('SELECT ts, level, percent FROM anomaly_levels WHERE sensor_id = $1 ORDER BY ts', [sensorId]);
  }

  /**
   * Waits for the sensor's owner to have scored `count` readings. A few seconds alone; the
   * deadline is for a CI machine running three test files at once. When it is missed, the
   * error says where the readings stopped: not stored (the broker or the ingestion path) or
   * stored but not scored (the derived stage).
   */
  async function scored(sensorId: number, count: number): Promise<void> {
    try {
      await waitFor(async () => (await storedLevels(sensorId)).length === count, {
        what: `${count} scored readings`,
        timeoutMs: 90_000,
      });
    } catch (error) {
      const [{ stored, levels }] = await db.query<{ stored: number; levels: number }>(
        `SELECT (SELECT count(*)::int FROM ppmv_samples WHERE sensor_id = $1) AS stored,
                (SELECT count(*)::int FROM anomaly_levels WHERE sensor_id = $1) AS levels`,
        [sensorId],
      );
      throw new Error(`${(error as Error).message}; readings stored: ${stored}, scored: ${levels}`, { cause: error });
    }
  }

  function expectLevelsAsDomain(levels: Array<{ ts: Date; level: string; percent: number | null }>, count: number) {
    expect(levels.map((l) => l.ts.getTime())).toEqual(READINGS.slice(0, count).map((_, k) => tsOf(k).getTime()));
    expect(levels.map((l) => l.level)).toEqual(expected.slice(0, count).map((e) => e.level));
    levels.forEach((l, k) => {
      if (expected[k].percent === null) expect(l.percent).toBeNull();
      else expect(l.percent).toBeCloseTo(expected[k].percent!, 9);
    });
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    await start();
    device = await connectAsync(t.mqttUrl, { protocolVersion: 4, clientId: `gas-levels-${RUN}`, clean: true });
    const { leakFields } = await ok('{ leakFields { id name } }');
    const fieldId = leakFields.find((f: { name: string }) => f.name === 'Troll').id;
    templateId = (
      await ok(
        'mutation($f: Int!, $i: CreateLeakTemplateInput!) { createLeakTemplate(fieldId: $f, input: $i) { id } }',
        {
          f: fieldId,
          i: { name: `Levels ${RUN}`, angleFromNorth: 30, height: 8 },
        },
      )
    ).createLeakTemplate.id;
  });

  afterAll(async () => {
    await device?.endAsync();
    await t?.close();
    await db?.drop();
  });

  it(
    'scores each reading: UNDEFINED while warming up, then OK, a planted rise WARNING and CRITICAL, one event per change',
    async () => {
      const name = `lv-a-${RUN}`;
      const sensorId = await createSensor(name);
      const ws = t.wsClient(admin);
      // The service's own listeners hold iterators too: wait for these two on top of them.
      const before = t.app.get(PubSub).activeSubscriptions();
      const events = collect(ws, LEVEL_EVENTS, { names: [name] });
      const critical = collect(
        ws,
        `subscription($names: [String!]) { anomalyLevelAdded(sensorNames: $names, levels: [CRITICAL]) { sensorName ts level percent } }`,
        { names: [name] },
      );
      await waitFor(() => t.app.get(PubSub).activeSubscriptions() >= before + 2, {
        what: 'the subscriptions to start',
      });

      await publish(name, 0, READINGS.length);
      await scored(sensorId, READINGS.length);
      const levels = await storedLevels(sensorId);
      expectLevelsAsDomain(levels, READINGS.length);
      expect(levels.slice(0, WINDOW).every((l) => l.level === 'UNDEFINED')).toBe(true);
      expect(levels[WINDOW].level).toBe('OK');

      const changes = expected
        .map((e, k) => ({ k, level: e.level, previous: k ? expected[k - 1].level : null }))
        .filter((c) => c.level !== c.previous);
      expect(changes.map((c) => c.level)).toEqual(['UNDEFINED', 'OK', 'WARNING', 'CRITICAL', 'WARNING', 'OK']);

      const { leakSensorEvents } = await ok(
        'query($n: [String!]) { leakSensorEvents(sensorNames: $n, limit: 50) { totalCount items { level previousLevel at ppmv } } }',
        { n: [name] },
      );
      expect(leakSensorEvents.totalCount).toBe(changes.length);
      expect([...leakSensorEvents.items].reverse()).toEqual(
        changes.map((c) => ({
          level: c.level,
          previousLevel: c.previous,
          at: tsOf(c.k).toISOString(),
          ppmv: READINGS[c.k],
        })),
      );
      const onlyCritical = await ok(
        'query($n: [String!]) { leakSensorEvents(sensorNames: $n, levels: [CRITICAL]) { totalCount items { at } } }',
        { n: [name] },
      );
      expect(onlyCritical.leakSensorEvents.items).toEqual(
        changes.filter((c) => c.level === 'CRITICAL').map((c) => ({ at: tsOf(c.k).toISOString() })),
      );

      await waitFor(() => events.events.length >= changes.length, { what: 'the live sensor events' });
      expect(events.events.map((e) => e.data!.leakSensorEventAdded)).toEqual(
        changes.map((c) => ({
          sensorName: name,
          level: c.level,
          previousLevel: c.previous,
          at: tsOf(c.k).toISOString(),
          ppmv: READINGS[c.k],
        })),
      );
      const criticalCount = expected.filter((e) => e.level === 'CRITICAL').length;
      await waitFor(() => critical.events.length >= criticalCount, { what: 'the live CRITICAL levels' });
      expect(critical.events.every((e) => e.data!.anomalyLevelAdded.level === 'CRITICAL')).toBe(true);
      expect(critical.events).toHaveLength(criticalCount);

      // History shows the levels beside the readings.
      const { ppmvHistory } = await ok(
        'query($n: [String!]!, $f: DateTime!, $to: DateTime!) { ppmvHistory(sensorNames: $n, from: $f, to: $to, limit: 1000) { readings { level } } }',
        { n: [name], f: tsOf(0).toISOString(), to: tsOf(READINGS.length).toISOString() },
      );
      expect(ppmvHistory[0].readings.map((r: { level: string }) => r.level)).toEqual(expected.map((e) => e.level));
      events.unsubscribe();
      critical.unsubscribe();
      await ws.dispose();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a restart mid-series resumes each scorer: the same levels as an uninterrupted run',
    async () => {
      const name = `lv-b-${RUN}`;
      const sensorId = await createSensor(name);
      // 400 readings: past two windows after warm-up, inside the planted rise's tail.
      await publish(name, 0, 400);
      await scored(sensorId, 400);
      await t.close();
      await start();
      await publish(name, 400, READINGS.length);
      await scored(sensorId, READINGS.length);
      expectLevelsAsDomain(await storedLevels(sensorId), READINGS.length);
      const { leakSensorEvents } = await ok(
        'query($n: [String!]) { leakSensorEvents(sensorNames: $n) { totalCount } }',
        {
          n: [name],
        },
      );
      expect(leakSensorEvents.totalCount).toBe(6);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'feedback mode: refused before a window of readings; learning the stretch is announced as a system event',
    async () => {
      const name = `lv-c-${RUN}`;
      const sensorId = await createSensor(name);
      const refused = await t.graphql(
        'mutation($n: String!) { setSensorFeedbackMode(sensorName: $n, on: true) { feedbackMode } }',
        { n: name },
        admin,
      );
      expect(errorOf(refused)).toMatchObject({ code: 'CONFLICT' });
      const unknown = await t.graphql(
        'mutation { setSensorFeedbackMode(sensorName: "no-such-sensor", on: true) { feedbackMode } }',
        {},
        admin,
      );
      expect(errorOf(unknown).code).toMatch(/BAD_USER_INPUT|NOT_FOUND/);

      await publish(name, 0, 200);
      await scored(sensorId, 200);
      const on = await ok(
        'mutation($n: String!) { setSensorFeedbackMode(sensorName: $n, on: true) { feedbackMode } }',
        {
          n: name,
        },
      );
      expect(on.setSensorFeedbackMode.feedbackMode).toBe(true);
      await publish(name, 200, 260);
      await scored(sensorId, 260);
      const feedbackRows = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM anomaly_levels WHERE sensor_id = $1 AND feedback',
        [sensorId],
      );
      expect(feedbackRows[0].n).toBe(60);

      const ws = t.wsClient(admin);
      const before = t.app.get(PubSub).activeSubscriptions();
      const notices = collect(ws, 'subscription { leakSystemEventAdded(types: [INFO]) { type message sensorName } }');
      await waitFor(() => t.app.get(PubSub).activeSubscriptions() > before, { what: 'the subscription to start' });
      await ok('mutation($n: String!) { setSensorFeedbackMode(sensorName: $n, on: false) { feedbackMode } }', {
        n: name,
      });
      // The owner follows the setting at the sensor's next reading.
      await publish(name, 260, 261);
      await scored(sensorId, 261);
      await waitFor(
        async () =>
          (await ok('query($n: [String!]) { leakSystemEvents(sensorNames: $n) { totalCount } }', { n: [name] }))
            .leakSystemEvents.totalCount === 1,
        { what: 'the learning notice' },
      );
      const { leakSystemEvents } = await ok(
        'query($n: [String!]) { leakSystemEvents(sensorNames: $n) { items { type message sensorName } } }',
        { n: [name] },
      );
      expect(leakSystemEvents.items[0]).toMatchObject({ type: 'INFO', sensorName: name });
      expect(leakSystemEvents.items[0].message).toContain('learned 60 readings as normal');
      await waitFor(() => notices.events.some((e) => e.data?.leakSystemEventAdded.sensorName === name), {
        what: 'the live notice',
      });
      const [{ history }] = await db.query<{ history: number[][] }>(
        'SELECT feedback_history AS history FROM anomaly_scorers WHERE sensor_id = $1',
        [sensorId],
      );
      expect(history).toHaveLength(1);
      expect(history[0]).toHaveLength(60 + WINDOW - 1);
      notices.unsubscribe();
      await ws.dispose();
    },
    TEST_TIMEOUT_MS,
  );

  it('deleting a sensor takes its levels, events and scorer with it', async () => {
    const name = `lv-d-${RUN}`;
    const sensorId = await createSensor(name);
    await publish(name, 0, 150);
    await scored(sensorId, 150);
    const { deleteLeakSensor } = await ok(
      'mutation($id: Int!) { deleteLeakSensor(id: $id) { removed { what count } } }',
      {
        id: sensorId,
      },
    );
    expect(deleteLeakSensor.removed).toEqual(expect.arrayContaining([{ what: 'anomaly scorers', count: 1 }]));
    for (const table of ['anomaly_levels', 'leak_sensor_events', 'anomaly_scorers'])
      expect(
        (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE sensor_id = $1`, [sensorId]))[0]
          .n,
      ).toBe(0);
  });
});
