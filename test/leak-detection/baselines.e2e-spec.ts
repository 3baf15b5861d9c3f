import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import { AnomalyScorer, anomalySettings, PreparedBaseline } from '../../src/leak-detection/domain/anomaly-scoring.js';
import { seedBaseline, seedContinuation } from '../../src/leak-detection/domain/seed-baselines.js';
import { collect, startTestApp, type TestApp, testPlantRoot } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';

/** This file's plant root topic (PLANT_MQTT_ROOT of its apps): devices publish under it. */
const PLANT = testPlantRoot();

/**
 * Baselines as jobs, end to end: a sensor whose readings look like the seeded `low` candidate
 * starts on `high`; a selection job (followed over graphql-ws) picks `low`, the sensor's owner
 * scores the next reading against it (checked against the domain scorer), and an augmentation
 * job appends its cleaned readings and keeps a week.
 */
const RUN = randomBytes(3).toString('hex');
const TEN_MINUTES = 600_000;
const WINDOW = 144;
const READINGS = Array.from(seedContinuation('low', 5));
const T0 = Date.now() - 6 * 86_400_000;
const tsOf = (k: number) => new Date(T0 + k * TEN_MINUTES);
const JOB = 'id state percent message result error { code message }';

describe('leak detection: baseline jobs (e2e)', () => {
  let t: TestApp;
  let admin: string;
  let device: MqttClient;
  let sensorId: number;
  const name = `bl-${RUN}`;

  async function ok(query: string, variables?: Record<string, unknown>): Promise<Record<string, any>> {
    const result = await t.graphql(query, variables, admin);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  async function publish(from: number, to: number): Promise<void> {
    for (let k = from; k < to; k += 48) {
      const batch = READINGS.slice(k, Math.min(k + 48, to)).map((ppmv, i) => ({ ts: tsOf(k + i).getTime(), ppmv }));
      await device.publishAsync(`${PLANT}/sensors/${name}/ppmv`, JSON.stringify(batch), { qos: 1 });
    }
  }

  const scored = (count: number) =>
    waitFor(
      async () =>
        (
          await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM anomaly_levels WHERE sensor_id = $1', [
            sensorId,
          ])
        )[0].n === count,
      { what: `${count} scored readings`, timeoutMs: 30_000 },
    );

  /** Starts a job with `mutation` and follows it over graphql-ws to its end. */
  async function runJob(mutation: string): Promise<any> {
    const job = (await ok(`mutation($n: String!) { ${mutation}(sensorName: $n) { id } }`, { n: name }))[mutation];
    const progress = collect(t.wsClient(admin), `subscription($id: ID!) { jobProgress(id: $id) { ${JOB} } }`, {
      id: job.id,
    });
    await waitFor(() => progress.completed, { what: `the ${mutation} job to end`, timeoutMs: 60_000 });
    const states = progress.events.map((e) => e.data!.jobProgress);
    expect(states.at(-1)).toMatchObject({ state: 'SUCCEEDED', percent: 100, error: null });
    const percents = states.map((s) => s.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    return JSON.parse(states.at(-1).result);
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.login();
    device = await connectAsync(t.mqttUrl, { protocolVersion: 4, clientId: `gas-bl-${RUN}`, clean: true });
    const { leakFields } = await ok('{ leakFields { id name } }');
    const templateId = (
      await ok(
        'mutation($f: Int!, $i: CreateLeakTemplateInput!) { createLeakTemplate(fieldId: $f, input: $i) { id } }',
        {
          f: leakFields[0].id,
          i: { name: `Baselines ${RUN}`, angleFromNorth: 0, height: 8 },
        },
      )
    ).createLeakTemplate.id;
    sensorId = (
      await ok(
        'mutation($t: Int!, $i: CreateLeakSensorInput!) { createLeakSensor(templateId: $t, input: $i) { id } }',
        {
          t: templateId,
          i: { name, x: 1, y: 1, z: 1 },
        },
      )
    ).createLeakSensor.id;
  });

  afterAll(async () => {
    await device?.endAsync();
    await t?.close();
  });

  it('selects the fitting seed in a job, and the owner scores the next reading against it', async () => {
    expect(
      (await ok('query($n: String!) { leakSensorBaseline(sensorName: $n) { name source points } }', { n: name }))
        .leakSensorBaseline,
    ).toEqual({ name: 'high', source: 'SEED', points: 576 });
    await publish(0, 600);
    await scored(600);

    const result = await runJob('selectSensorBaseline');
    expect(result).toMatchObject({ sensorName: name, outcome: 'SELECTED', name: 'low' });
    const { leakSensorBaseline } = await ok(
      'query($n: String!) { leakSensorBaseline(sensorName: $n) { name source points } }',
      { n: name },
    );
    expect(leakSensorBaseline).toEqual({ name: 'low', source: 'SELECTED', points: 576 });

    await publish(600, 601);
    await scored(601);
    // The domain's scorer: 600 readings on high, then on low.
    const settings = anomalySettings({ windowSize: WINDOW });
    const scorer = AnomalyScorer.start(PreparedBaseline.prepare(seedBaseline('high').values, WINDOW), settings);
    for (const ppmv of READINGS.slice(0, 600)) scorer.score(ppmv);
    const expected = scorer
      .withBaseline(PreparedBaseline.prepare(seedBaseline('low').values, WINDOW))
      .score(READINGS[600]);
    const [stored] = await t.db.query<{ level: string; percent: number }>(
      'SELECT level, percent FROM anomaly_levels WHERE sensor_id = $1 AND ts = $2',
      [sensorId, tsOf(600)],
    );
    expect(stored.level).toBe(expected.level);
    expect(stored.percent).toBeCloseTo(expected.percent!, 9);
  }, 120_000);

  it('augments the baseline with the cleaned readings since, keeping a week, and says so', async () => {
    const result = await runJob('augmentSensorBaseline');
    expect(result.added).toBeGreaterThan(WINDOW);
    expect(result.points).toBe(7 * WINDOW);
    const { leakSensorBaseline } = await ok(
      'query($n: String!) { leakSensorBaseline(sensorName: $n) { name source points readingsUpTo } }',
      { n: name },
    );
    expect(leakSensorBaseline).toEqual({
      name: 'augmented',
      source: 'AUGMENTED',
      points: 7 * WINDOW,
      readingsUpTo: tsOf(600).toISOString(),
    });
    await publish(601, 602);
    await scored(602);
    const { leakSystemEvents } = await ok(
      'query($n: [String!]) { leakSystemEvents(sensorNames: $n) { items { type message } } }',
      { n: [name] },
    );
    expect(leakSystemEvents.items.map((e: { message: string }) => e.message)).toEqual([
      expect.stringContaining('baseline learned'),
      expect.stringContaining('now scores against the low baseline'),
    ]);
  }, 120_000);
});

describe('leak detection: scheduled baseline augmentation (e2e)', () => {
  let t: TestApp;
  let admin: string;
  let device: MqttClient;
  const name = `bls-${RUN}`;

  beforeAll(async () => {
    // Every 3 s, for the test: the owner augments a sensor 3 s after first seeing it, once two windows came in.
    t = await startTestApp({ LEAK_BASELINE_AUGMENT_SECONDS: '3' });
    admin = await t.login();
    device = await connectAsync(t.mqttUrl, { protocolVersion: 4, clientId: `gas-bls-${RUN}`, clean: true });
  });

  afterAll(async () => {
    await device?.endAsync();
    await t?.close();
  });

  it("augments an owned sensor's baseline on the schedule once two windows came in, as a job of its own", async () => {
    const gql = async (query: string, variables?: Record<string, unknown>) => {
      const result = await t.graphql(query, variables, admin);
      expect(result.errors).toBeUndefined();
      return result.data!;
    };
    const { leakFields } = await gql('{ leakFields { id } }');
    const templateId = (
      await gql(
        'mutation($f: Int!, $i: CreateLeakTemplateInput!) { createLeakTemplate(fieldId: $f, input: $i) { id } }',
        {
          f: leakFields[0].id,
          i: { name: `Scheduled ${RUN}`, angleFromNorth: 0, height: 8 },
        },
      )
    ).createLeakTemplate.id;
    await gql('mutation($t: Int!, $i: CreateLeakSensorInput!) { createLeakSensor(templateId: $t, input: $i) { id } }', {
      t: templateId,
      i: { name, x: 1, y: 1, z: 1 },
    });
    const readings = Array.from(seedContinuation('high', 3));
    for (let k = 0; k < readings.length; k += 48) {
      const batch = readings.slice(k, k + 48).map((ppmv, i) => ({ ts: tsOf(k + i).getTime(), ppmv }));
      await device.publishAsync(`${PLANT}/sensors/${name}/ppmv`, JSON.stringify(batch), { qos: 1 });
    }
    await waitFor(
      async () =>
        (await gql('query($n: String!) { leakSensorBaseline(sensorName: $n) { source } }', { n: name }))
          .leakSensorBaseline.source === 'AUGMENTED',
      { what: 'the scheduled augmentation', timeoutMs: 45_000 },
    );
    const { jobs } = await gql('{ jobs(kind: "leak-baseline-augmentation") { items { state createdBy result } } }');
    const ours = jobs.items.filter(
      (j: { result: string | null }) => j.result && JSON.parse(j.result).sensorName === name,
    );
    expect(ours).toEqual([
      { state: 'SUCCEEDED', createdBy: '00000000-0000-0000-0000-000000000000', result: expect.any(String) },
    ]);
  }, 120_000);
});
