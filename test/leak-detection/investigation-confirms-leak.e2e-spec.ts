import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import type { InvestigationOutcome } from '../../src/leak-detection/domain/leak-investigation.js';
import { DEFAULT_PLUME_PARAMETERS } from '../../src/leak-detection/domain/plume-model.js';
import { PubSub } from '../../src/shared/pubsub/pub-sub.js';
import { collect, startTestApp, type TestApp, testPlantRoot } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';
import { CANDIDATES, plantedLeak, SENSOR, TEMPLATE_ANGLE_DEGREES, WINDOW, type PlantedLeak } from './planted-leak.js';

/** This file's plant root topic (PLANT_MQTT_ROOT of its apps): devices publish under it. */
const PLANT = testPlantRoot();

/**
 * Issue 13's acceptance path end to end, with nothing requested by hand: a gas sensor under a
 * real leak publishes its readings over the real broker; they are scored UNDEFINED while warming
 * up, then OK; the leak's plume makes them WARNING, then CRITICAL, one sensor event per change;
 * the change to CRITICAL starts the simulation and estimation on its own, and the system event
 * it raises names the leak.
 *
 * The difficulty is that the investigation looks at the sensor's last `window` readings up to
 * the CRITICAL one, and the moment of CRITICAL depends on the readings. So the scenario is worked
 * out here, offline, with the domain functions the service runs (deterministic: the seed's own
 * PRNG, no Math.random):
 * - background: the continuation of the 'high' seed, the baseline a new sensor starts from, so
 *   that the readings before the leak are OK against it;
 * - sea currents: a tidal ellipse, imported for the template;
 * - the leak: candidate C1 starts leaking at reading LEAK_START and does not stop. What the sensor
 *   reads of it is the plume model's concentration at the sensor for every current row since then
 *   (zero before), through the sensor-response filter, on a ppmv scale where its passages peak
 *   at PLUME_PEAK_PPMV above the background (about 12 σ of the baseline);
 * - the levels: the domain scorer on those readings gives the first CRITICAL reading;
 * - the expectation: the domain investigation on exactly what the service will read (the last
 *   `window` readings and `window + 1` current rows up to that reading) CONFIRMS C1.
 * The service must then do the same on its own.
 *
 * Why these figures (measured with the domain functions on this geometry, leak starts every 5
 * readings from 150 to 400): the estimation compares shapes, so the window before CRITICAL must
 * hold enough of the plume. A plume peaking at 500 ppmv goes CRITICAL well into a passage
 * (median 0.97 correlation with C1; named at the CRITICAL reading in 38 of 50 starts). A
 * stronger one goes CRITICAL within the first readings of its first passage, when the window is
 * still mostly background: at 2,000 ppmv 1 of 51 starts is named at the CRITICAL reading (median
 * correlation with C1 0.20), at 4,000 ppmv none (0.04), though the same estimation 12 readings
 * later names C1 in 50 and 48 of them. Here the leak starts early enough that the whole window
 * of the CRITICAL reading lies after its start (what the simulation assumes: the candidate
 * leaking throughout the window).
 */
const RUN = randomBytes(3).toString('hex');
const TEN_MINUTES = 600_000;
/** Three days ago on the ten-minute grid: inside the readings' retention whenever this runs. */
const T0 = Math.floor(Date.now() / TEN_MINUTES) * TEN_MINUTES - 3 * 86_400_000;
const tsOf = (k: number) => new Date(T0 + k * TEN_MINUTES);

const LEAKING = 0;
/** After the warm-up (144) and a few OK readings. */
const LEAK_START = 160;
const PLUME_PEAK_PPMV = 500;
/** Readings published after the CRITICAL one: the plume passage's end, back to WARNING. */
const AFTER_CRITICAL = 48;

/** The level changes, as sensor events. */
function changesOf(s: PlantedLeak) {
  return s.levels
    .map((l, k) => ({ k, level: l.level, previous: k ? s.levels[k - 1].level : null }))
    .filter((c) => c.level !== c.previous);
}

const INVESTIGATION = 'id sensorName at trigger result reason confirmedName details';
const SENSOR_EVENT = 'sensorName level previousLevel at ppmv';

describe('leak detection: the automatic investigation of a CRITICAL names the leak (e2e)', () => {
  const scenario = plantedLeak({
    start: LEAK_START,
    peakPpmv: PLUME_PEAK_PPMV,
    afterCritical: AFTER_CRITICAL,
    leaking: LEAKING,
  });
  const outcome = scenario.investigate(scenario.critical);
  let t: TestApp;
  let admin: string;
  let device: MqttClient;

  async function ok(query: string, variables?: Record<string, unknown>): Promise<Record<string, any>> {
    const result = await t.graphql(query, variables, admin);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  /** Like a gateway: arrays of 48 readings (eight hours), QoS 1. */
  async function publish(name: string, readings: readonly number[]): Promise<void> {
    for (let k = 0; k < readings.length; k += 48) {
      const batch = readings.slice(k, k + 48).map((ppmv, i) => ({ ts: tsOf(k + i).getTime(), ppmv }));
      await device.publishAsync(`${PLANT}/sensors/${name}/ppmv`, JSON.stringify(batch), { qos: 1 });
    }
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.login();
    device = await connectAsync(t.mqttUrl, { protocolVersion: 4, clientId: `gas-leak-${RUN}`, clean: true });
  });

  afterAll(async () => {
    await device?.endAsync();
    await t?.close();
  });

  it('the planted scenario (domain functions): OK, WARNING, then CRITICAL on a window wholly under the leak, which the estimation names', () => {
    const changes = changesOf(scenario);
    expect(changes.map((c) => c.level)).toEqual(['UNDEFINED', 'OK', 'WARNING', 'CRITICAL', 'WARNING']);
    expect(changes[1].k).toBe(WINDOW);
    expect(scenario.critical - WINDOW + 1).toBeGreaterThanOrEqual(LEAK_START);
    expect(outcome).toMatchObject({ result: 'CONFIRMED', reason: 'ONE_CANDIDATE', confirmed: LEAKING });
  });

  it('readings over the broker → UNDEFINED, OK, WARNING, CRITICAL, one event per change → the investigation started by the CRITICAL names C1 in a system event', async () => {
    const pubsub = t.app.get(PubSub);
    const { leakFields } = await ok('{ leakFields { id name } }');
    const templateId = (
      await ok(
        'mutation($f: Int!, $i: CreateLeakTemplateInput!) { createLeakTemplate(fieldId: $f, input: $i) { id } }',
        {
          f: leakFields.find((f: { name: string }) => f.name === 'Troll').id,
          i: { name: `Leaking ${RUN}`, angleFromNorth: TEMPLATE_ANGLE_DEGREES, height: 8 },
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
    // The offline simulation used the reference's plume parameters: the ones seeded.
    const { leakPlumeParameters } = await ok(
      `{ leakPlumeParameters { ${Object.keys(DEFAULT_PLUME_PARAMETERS).join(' ')} } }`,
    );
    expect(leakPlumeParameters).toEqual(DEFAULT_PLUME_PARAMETERS);

    const name = `leak-${RUN}`;
    const { createLeakSensor } = await ok(
      'mutation($t: Int!, $i: CreateLeakSensorInput!) { createLeakSensor(templateId: $t, input: $i) { id window } }',
      { t: templateId, i: { name, ...SENSOR } },
    );
    const sensorId: number = createLeakSensor.id;
    expect(createLeakSensor.window).toBe(WINDOW);

    const before = pubsub.activeSubscriptions();
    const ws = t.wsClient(admin);
    const sensorEvents = collect(
      ws,
      `subscription($n: [String!]) { leakSensorEventAdded(sensorNames: $n) { ${SENSOR_EVENT} } }`,
      { n: [name] },
    );
    const investigations = collect(
      ws,
      `subscription($n: [String!]) { leakInvestigationAdded(sensorNames: $n) { ${INVESTIGATION} } }`,
      { n: [name] },
    );
    const systemEvents = collect(
      ws,
      'subscription { leakSystemEventAdded(types: [ALERT_CRITICAL, ALERT_SUCCESS]) { type message sensorName } }',
    );
    await waitFor(() => pubsub.activeSubscriptions() >= before + 3, { what: 'the subscriptions to start' });

    await publish(name, scenario.readings);
    try {
      await waitFor(
        async () =>
          (
            await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM anomaly_levels WHERE sensor_id = $1', [
              sensorId,
            ])
          )[0].n === scenario.readings.length,
        { what: `${scenario.readings.length} scored readings`, timeoutMs: 90_000 },
      );
    } catch (error) {
      const [{ stored }] = await t.db.query<{ stored: number }>(
        'SELECT count(*)::int AS stored FROM ppmv_samples WHERE sensor_id = $1',
        [sensorId],
      );
      throw new Error(`${(error as Error).message}; readings stored: ${stored}`, { cause: error });
    }

    // The levels are the domain scorer's: UNDEFINED while warming up, OK, then the plume's.
    const levels = await t.db.query<{ ts: Date; level: string; percent: number | null }>(
      'SELECT ts, level, percent FROM anomaly_levels WHERE sensor_id = $1 ORDER BY ts',
      [sensorId],
    );
    expect(levels.map((l) => l.ts.getTime())).toEqual(scenario.readings.map((_, k) => tsOf(k).getTime()));
    expect(levels.map((l) => l.level)).toEqual(scenario.levels.map((l) => l.level));
    levels.forEach((l, k) => {
      if (scenario.levels[k].percent === null) expect(l.percent).toBeNull();
      else expect(l.percent).toBeCloseTo(scenario.levels[k].percent!, 9);
    });

    // One sensor event per change, stored and live.
    const changes = changesOf(scenario).map((c) => ({
      sensorName: name,
      level: c.level,
      previousLevel: c.previous,
      at: tsOf(c.k).toISOString(),
      ppmv: scenario.readings[c.k],
    }));
    const { leakSensorEvents } = await ok(
      `query($n: [String!]) { leakSensorEvents(sensorNames: $n, limit: 50) { totalCount items { ${SENSOR_EVENT} } } }`,
      { n: [name] },
    );
    expect(leakSensorEvents.totalCount).toBe(changes.length);
    expect([...leakSensorEvents.items].reverse()).toEqual(changes);
    await waitFor(() => sensorEvents.events.length >= changes.length, { what: 'the live sensor events' });
    expect(sensorEvents.events.map((e) => e.data!.leakSensorEventAdded)).toEqual(changes);

    // The change to CRITICAL was investigated on its own: C1 confirmed, as the domain said offline.
    const criticalAt = tsOf(scenario.critical).toISOString();
    try {
      await waitFor(() => investigations.events.length >= 1, { what: 'the investigation', timeoutMs: 90_000 });
    } catch (error) {
      const requests = await t.db.query('SELECT state, attempts, last_error FROM outbox_messages WHERE channel = $1', [
        'leak-investigation',
      ]);
      throw new Error(`${(error as Error).message}; outbox: ${JSON.stringify(requests)}`, { cause: error });
    }
    const investigation = investigations.events[0].data!.leakInvestigationAdded;
    expect(investigation).toMatchObject({
      sensorName: name,
      at: criticalAt,
      trigger: 'CRITICAL',
      result: 'CONFIRMED',
      reason: 'ONE_CANDIDATE',
      confirmedName: 'C1(0,0,3)',
    });
    // Scored as offline: the same readings, currents and candidates reached the estimation.
    const offline = outcome as Extract<InvestigationOutcome, { hypotheses: unknown }>;
    const scored = JSON.parse(investigation.details).candidates as Array<{ name: string; finalZ: number }>;
    expect(scored.map((c) => c.name)).toEqual(CANDIDATES.map((c) => c.name));
    scored.forEach((c, k) => expect(c.finalZ).toBeCloseTo(offline.hypotheses[k].finalZ!, 6));

    const { leakInvestigations } = await ok(
      `query($n: [String!]) { leakInvestigations(sensorNames: $n) { totalCount items { ${INVESTIGATION} } } }`,
      { n: [name] },
    );
    expect(leakInvestigations).toEqual({ totalCount: 1, items: [investigation] });

    // The operator's notice names the leak, live and stored.
    const notice = {
      type: 'ALERT_CRITICAL',
      sensorName: name,
      message: `The estimation is finished. [confirmed] The leakage is C1(0,0,3) (sensor ${name}, ${criticalAt})`,
    };
    await waitFor(() => systemEvents.events.some((e) => e.data?.leakSystemEventAdded.sensorName === name), {
      what: 'the live system event',
    });
    expect(systemEvents.events.map((e) => e.data!.leakSystemEventAdded).filter((e) => e.sensorName === name)).toEqual([
      notice,
    ]);
    const { leakSystemEvents } = await ok(
      'query($n: [String!]) { leakSystemEvents(sensorNames: $n) { items { type message sensorName } } }',
      { n: [name] },
    );
    expect(leakSystemEvents.items).toEqual([notice]);

    // Once: the outbox holds one request for the change to CRITICAL, sent.
    const requests = await t.db.query<{ key: string; state: string }>(
      "SELECT idempotency_key AS key, state FROM outbox_messages WHERE channel = 'leak-investigation' AND idempotency_key LIKE $1",
      [`leak-investigation:${sensorId}:%`],
    );
    expect(requests).toEqual([{ key: `leak-investigation:${sensorId}:${criticalAt}`, state: 'SENT' }]);

    sensorEvents.unsubscribe();
    investigations.unsubscribe();
    systemEvents.unsubscribe();
    await ws.dispose();
  }, 240_000);
});
