import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import { AppConfig } from '../../src/config/app-config.js';
import { collect, errorOf, startTestApp, type TestApp, testPlantRoot } from '../harness/app.js';
import { metricSum } from '../harness/metrics.js';
import { waitFor } from '../harness/wait-for.js';

/** This file's plant root topic (PLANT_MQTT_ROOT of its apps): devices publish under it. */
const PLANT = testPlantRoot();

/**
 * Leak detection from outside: the registry over GraphQL (fields seeded, templates, sensors,
 * validation naming the field, deletion reports), and ppmv readings published over MQTT like
 * a gas sensor gateway: stored, sentinels refused and counted, latest, history raw and
 * bucketed, live; an unknown sensor listed and registered in one step.
 *
 * The broker is shared with every other test file: names are unique per run.
 */
const RUN = randomBytes(3).toString('hex');
const SENSOR_FIELDS = 'id name templateId x y z pinned feedbackMode window warningPercent criticalPercent';

describe('leak detection: registry and readings', () => {
  let t: TestApp;
  let admin: string;
  let device: MqttClient;
  let fieldId: number;
  let templateId: number;
  const SENSOR = `19XT21${RUN}`;
  let clock = Date.now() - 3_600_000;
  const nextTs = () => (clock += 600_000 / 1000);

  async function ok(query: string, variables?: Record<string, unknown>): Promise<Record<string, any>> {
    const result = await t.graphql(query, variables, admin);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  async function publish(name: string, payload: unknown): Promise<void> {
    await device.publishAsync(`${PLANT}/sensors/${name}/ppmv`, JSON.stringify(payload), { qos: 1 });
  }

  const stored = async (sensorId: number) =>
    Number(
      (await t.db.query<{ n: string }>('SELECT count(*) AS n FROM ppmv_samples WHERE sensor_id = $1', [sensorId]))[0].n,
    );

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.login();
    device = await connectAsync(t.mqttUrl, { protocolVersion: 4, clientId: `gas-${RUN}`, clean: true });
    const { leakFields } = await ok('{ leakFields { id name tagPrefix } }');
    expect(leakFields.map((f: { name: string }) => f.name)).toEqual(['Askeladd', 'Snorre', 'Trestakk', 'Troll']);
    fieldId = leakFields.find((f: { name: string }) => f.name === 'Trestakk').id;
    templateId = (
      await ok(
        'mutation($f: Int!, $i: CreateLeakTemplateInput!) { createLeakTemplate(fieldId: $f, input: $i) { id open } }',
        {
          f: fieldId,
          i: { name: `Template A ${RUN}`, angleFromNorth: 12.2, height: 8 },
        },
      )
    ).createLeakTemplate.id;
  });

  afterAll(async () => {
    await device?.endAsync();
    await t?.close();
  });

  it('creates, lists, changes and refuses sensors and templates, naming the offending fields', async () => {
    const { createLeakSensor } = await ok(
      `mutation($t: Int!, $i: CreateLeakSensorInput!) { createLeakSensor(templateId: $t, input: $i) { ${SENSOR_FIELDS} } }`,
      { t: templateId, i: { name: SENSOR, x: 1, y: 2, z: 3 } },
    );
    expect(createLeakSensor).toMatchObject({
      name: SENSOR,
      templateId,
      window: 144,
      warningPercent: 100,
      criticalPercent: 200,
    });

    const duplicate = await t.graphql(
      'mutation($t: Int!) { createLeakSensor(templateId: $t, input: { name: "' +
        SENSOR +
        '", x: 0, y: 0, z: 0 }) { id } }',
      { t: templateId },
      admin,
    );
    expect(errorOf(duplicate)).toMatchObject({ code: 'CONFLICT' });

    const thresholds = await t.graphql(
      'mutation($id: Int!) { updateLeakSensor(id: $id, input: { warningPercent: 300 }) { id } }',
      { id: createLeakSensor.id },
      admin,
    );
    expect(errorOf(thresholds)).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { criticalPercent: expect.any(String) },
    });

    const roofed = await t.graphql(
      'mutation($f: Int!) { createLeakTemplate(fieldId: $f, input: { name: "Roofed", angleFromNorth: 400, roofHeight: 6 }) { id } }',
      { f: fieldId },
      admin,
    );
    expect(Object.keys(errorOf(roofed).fields).sort()).toEqual(['angleFromNorth', 'internalVolume']);

    const { updateLeakSensor } = await ok(
      'mutation($id: Int!) { updateLeakSensor(id: $id, input: { pinned: true }) { pinned } }',
      {
        id: createLeakSensor.id,
      },
    );
    expect(updateLeakSensor.pinned).toBe(true);
    const { leakSensors } = await ok(
      'query($t: Int!) { leakSensors(templateId: $t, pinned: true) { totalCount items { name } } }',
      {
        t: templateId,
      },
    );
    expect(leakSensors).toEqual({ totalCount: 1, items: [{ name: SENSOR }] });
  });

  it('stores readings published over MQTT, leaves sentinels out and counts them, and serves latest and history', async () => {
    const { leakSensor } = await ok('query($n: String!) { leakSensor(name: $n) { id } }', { n: SENSOR });
    const refusedBefore = await metricSum(t, 'plantgraph_mqtt_messages_rejected_total', { reason: 'implausible_ppmv' });
    const droppedBefore = await metricSum(t, 'plantgraph_ingestion_samples_dropped_total', {
      reason: 'implausible_ppmv',
    });
    const times = Array.from({ length: 6 }, nextTs);
    await publish(SENSOR, { ts: times[0], ppmv: 59.1 });
    await publish(SENSOR, [
      { ts: times[1], ppmv: 60.2 },
      { ts: times[2], ppmv: 1e14 },
      { ts: times[3], ppmv: 61.4 },
    ]);
    await publish(SENSOR, [{ ts: times[4], ppmv: 1e14 }]);
    await publish(SENSOR, { ts: times[5], ppmv: 58.9 });
    await waitFor(async () => (await stored(leakSensor.id)) === 4, { what: 'four readings stored' });
    await waitFor(
      async () =>
        (await metricSum(t, 'plantgraph_mqtt_messages_rejected_total', { reason: 'implausible_ppmv' })) ===
        refusedBefore + 1,
      { what: 'the all-sentinel message refused' },
    );
    expect(await metricSum(t, 'plantgraph_ingestion_samples_dropped_total', { reason: 'implausible_ppmv' })).toBe(
      droppedBefore + 1,
    );

    const { latestPpmv } = await ok('query($n: [String!]) { latestPpmv(sensorNames: $n) { sensorName ts ppmv } }', {
      n: [SENSOR],
    });
    expect(latestPpmv).toEqual([{ sensorName: SENSOR, ts: new Date(times[5]).toISOString(), ppmv: 58.9 }]);

    const window = { from: new Date(times[0]).toISOString(), to: new Date(times[5] + 1).toISOString() };
    const { ppmvHistory: raw } = await ok(
      'query($n: [String!]!, $from: DateTime, $to: DateTime) { ppmvHistory(sensorNames: $n, from: $from, to: $to) { sensorName truncated readings { ts ppmv } } }',
      { n: [SENSOR], ...window },
    );
    expect(raw[0].readings.map((r: { ppmv: number }) => r.ppmv)).toEqual([59.1, 60.2, 61.4, 58.9]);
    const { ppmvHistory: bucketed } = await ok(
      'query($n: [String!]!, $from: DateTime, $to: DateTime) { ppmvHistory(sensorNames: $n, from: $from, to: $to, bucketSeconds: 86400) { buckets { count min max } } }',
      { n: [SENSOR], ...window },
    );
    const buckets = bucketed[0].buckets as Array<{ count: number; min: number; max: number }>;
    expect(buckets.reduce((sum, b) => sum + b.count, 0)).toBe(4);
    expect(Math.min(...buckets.map((b) => b.min))).toBe(58.9);
    expect(Math.max(...buckets.map((b) => b.max))).toBe(61.4);

    const unknown = await t.graphql(
      '{ ppmvHistory(sensorNames: ["no-such-sensor"], lastMinutes: 5) { sensorName } }',
      {},
      admin,
    );
    expect(errorOf(unknown)).toMatchObject({ code: 'BAD_USER_INPUT', fields: { sensorNames: expect.any(String) } });
  });

  it('streams new readings to a subscriber of that sensor', async () => {
    const subscription = collect(
      t.wsClient(admin),
      'subscription($n: [String!]) { ppmvReadingAdded(sensorNames: $n) { sensorName ppmv } }',
      {
        n: [SENSOR],
      },
    );
    await waitFor(
      async () => {
        if (subscription.events.length) return true;
        await publish(SENSOR, { ts: nextTs(), ppmv: 42 });
        return false;
      },
      { intervalMs: 200, what: 'a live reading' },
    );
    expect(subscription.events[0]).toEqual({ data: { ppmvReadingAdded: { sensorName: SENSOR, ppmv: 42 } } });
    subscription.unsubscribe();
  });

  it('lists readings of an unknown sensor as an unregistered source, and registers the sensor in one step', async () => {
    const name = `19XT26${RUN}`;
    await publish(name, { ts: nextTs(), ppmv: 30 });
    const listed = await waitFor(
      async () => {
        const { unregisteredSources } = await ok(
          '{ unregisteredSources(kind: SENSOR, limit: 500) { items { topic sourceKey } } }',
        );
        return unregisteredSources.items.find((i: { sourceKey: string }) => i.sourceKey === name);
      },
      { what: 'the unknown sensor listed', timeoutMs: 15_000 },
    );
    expect(listed.topic).toBe(`${PLANT}/sensors/${name}/ppmv`);
    const { registerUnregisteredSensor } = await ok(
      'mutation($topic: String!, $t: Int!) { registerUnregisteredSensor(topic: $topic, templateId: $t, input: { x: 4, y: 5, z: 6 }) { id name x } }',
      { topic: listed.topic, t: templateId },
    );
    expect(registerUnregisteredSensor).toMatchObject({ name, x: 4 });
    await publish(name, { ts: nextTs(), ppmv: 31 });
    await waitFor(async () => (await stored(registerUnregisteredSensor.id)) === 1, {
      what: 'the registered sensor reading',
    });
  });

  it('deletes a template with its sensors and their readings, and says so', async () => {
    const { createLeakTemplate } = await ok(
      'mutation($f: Int!) { createLeakTemplate(fieldId: $f, input: { name: "Doomed", angleFromNorth: 0 }) { id } }',
      { f: fieldId },
    );
    const name = `doomed-${RUN}`;
    const { createLeakSensor } = await ok(
      'mutation($t: Int!, $n: String!) { createLeakSensor(templateId: $t, input: { name: $n, x: 0, y: 0, z: 0 }) { id } }',
      { t: createLeakTemplate.id, n: name },
    );
    await publish(name, [
      { ts: nextTs(), ppmv: 1 },
      { ts: nextTs(), ppmv: 2 },
    ]);
    await waitFor(async () => (await stored(createLeakSensor.id)) === 2, { what: 'the doomed readings' });
    const { deleteLeakTemplate } = await ok(
      'mutation($id: Int!) { deleteLeakTemplate(id: $id) { deleted removed { what count } } }',
      {
        id: createLeakTemplate.id,
      },
    );
    expect(deleteLeakTemplate.deleted).toBe('template Doomed');
    expect(deleteLeakTemplate.removed).toEqual(
      expect.arrayContaining([
        { what: 'sensors', count: 1 },
        { what: 'readings', count: 2 },
      ]),
    );
    expect(await stored(createLeakSensor.id)).toBe(0);
    const gone = await t.graphql('query($n: String!) { leakSensor(name: $n) { id } }', { n: name }, admin);
    expect(errorOf(gone)).toMatchObject({ code: 'NOT_FOUND' });
    expect(t.app.get(AppConfig).LEAK_PPMV_LIMIT).toBe(10_000);
  });
});
