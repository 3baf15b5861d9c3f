import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import {
  INITIAL_BASELINE_NAME,
  seedBaseline,
  seedContinuation,
} from '../../src/leak-detection/domain/seed-baselines.js';
import { PubSub } from '../../src/shared/pubsub/pub-sub.js';
import { collect, errorOf, startTestApp, type TestApp, testPlantRoot } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';

/** This file's plant root topic (PLANT_MQTT_ROOT of its apps): devices publish under it. */
const PLANT = testPlantRoot();

/**
 * Simulation and estimation on CRITICAL, end to end: a sensor on an open template with candidate
 * leaks and sea currents publishes readings over the real broker; its change to CRITICAL
 * starts an investigation (through the outbox, once), whose result is stored, announced live
 * and raised as a system event. On request, readings that follow one candidate's simulated
 * plume are CONFIRMED as that leak, named in the system event.
 */
const RUN = randomBytes(3).toString('hex');
const TEN_MINUTES = 600_000;
const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const tsOf = (k: number) => new Date(T0 + k * TEN_MINUTES);
const CANDIDATES = [
  { name: 'C1', x: 0, y: 0, z: 3, rate: 4.8e-4, duration: 3600 },
  { name: 'C2', x: 20, y: -10, z: 2, rate: 4.8e-4, duration: 3600 },
  { name: 'C3', x: -14, y: 10, z: 2, rate: 4.8e-4, duration: 3600 },
  { name: 'C4', x: 10, y: 20, z: 3, rate: 4.8e-4, duration: 3600 },
];

/** A tidal ellipse, 10 minutes apart from T0, as the reference's u,v files. */
function currentsCsv(rows: number): string {
  const lines = Array.from({ length: rows }, (_, k) => {
    const phase = (2 * Math.PI * k) / 74.5;
    return `${(0.12 * Math.cos(phase)).toFixed(6)},${(0.05 * Math.sin(phase) + 0.02).toFixed(6)}`;
  });
  return ['u,v', ...lines].join('\n');
}

/** Four days after the seed baseline with a rise of 16 σ over six hours at reading 300: it goes CRITICAL. */
function plantedRise(): number[] {
  const sd = Math.sqrt(seedBaseline(INITIAL_BASELINE_NAME).variance);
  return Array.from(seedContinuation(INITIAL_BASELINE_NAME, 4), (x, k) =>
    k >= 300 && k < 336 ? x + 16 * sd * Math.sin((Math.PI * (k - 300)) / 36) : x,
  );
}

const INVESTIGATION = 'id sensorName at trigger result reason confirmedName details';

describe('leak detection: investigations on CRITICAL (e2e)', () => {
  let t: TestApp;
  let admin: string;
  let device: MqttClient;
  let templateId: number;

  async function ok(query: string, variables?: Record<string, unknown>): Promise<Record<string, any>> {
    const result = await t.graphql(query, variables, admin);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  async function createSensor(name: string): Promise<number> {
    return (
      await ok(
        'mutation($t: Int!, $i: CreateLeakSensorInput!) { createLeakSensor(templateId: $t, input: $i) { id } }',
        {
          t: templateId,
          i: { name, x: 6, y: 4, z: 4.5 },
        },
      )
    ).createLeakSensor.id;
  }

  async function publish(name: string, readings: ReadonlyArray<{ ts: Date; ppmv: number }>): Promise<void> {
    for (let k = 0; k < readings.length; k += 48) {
      const batch = readings.slice(k, k + 48).map((r) => ({ ts: r.ts.getTime(), ppmv: r.ppmv }));
      await device.publishAsync(`${PLANT}/sensors/${name}/ppmv`, JSON.stringify(batch), { qos: 1 });
    }
  }

  const count = async (table: string, sensorId: number) =>
    (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE sensor_id = $1`, [sensorId]))[0].n;

  beforeAll(async () => {
    // One investigation per change to CRITICAL here; the follow-ups while it stays CRITICAL have their own e2e.
    t = await startTestApp({ LEAK_REINVESTIGATE_READINGS: '0' });
    admin = await t.login();
    device = await connectAsync(t.mqttUrl, { protocolVersion: 4, clientId: `gas-inv-${RUN}`, clean: true });
    const { leakFields } = await ok('{ leakFields { id name } }');
    templateId = (
      await ok(
        'mutation($f: Int!, $i: CreateLeakTemplateInput!) { createLeakTemplate(fieldId: $f, input: $i) { id } }',
        {
          f: leakFields.find((f: { name: string }) => f.name === 'Troll').id,
          i: { name: `Investigated ${RUN}`, angleFromNorth: 12.2, height: 8 },
        },
      )
    ).createLeakTemplate.id;
    for (const candidate of CANDIDATES)
      await ok(
        'mutation($t: Int!, $i: CreateLeakCandidateInput!) { createLeakCandidate(templateId: $t, input: $i) { id } }',
        {
          t: templateId,
          i: candidate,
        },
      );
    await ok(
      'mutation($t: Int!, $csv: String!, $s: DateTime!) { importLeakSeaCurrents(templateId: $t, csv: $csv, startsAt: $s) { imported } }',
      { t: templateId, csv: currentsCsv(600), s: tsOf(0).toISOString() },
    );
  });

  afterAll(async () => {
    await device?.endAsync();
    await t?.close();
  });

  it('a change to CRITICAL is investigated once: stored, announced live and raised as a system event', async () => {
    const name = `inv-a-${RUN}`;
    const sensorId = await createSensor(name);
    const pubsub = t.app.get(PubSub);
    const before = pubsub.activeSubscriptions();
    const live = collect(
      t.wsClient(admin),
      `subscription($n: [String!]) { leakInvestigationAdded(sensorNames: $n) { ${INVESTIGATION} } }`,
      { n: [name] },
    );
    await waitFor(() => pubsub.activeSubscriptions() > before, { what: 'the subscription to start' });

    const readings = plantedRise().map((ppmv, k) => ({ ts: tsOf(k), ppmv }));
    await publish(name, readings);
    await waitFor(async () => (await count('anomaly_levels', sensorId)) === readings.length, {
      what: 'every reading scored',
      timeoutMs: 60_000,
    });
    const { leakSensorEvents } = await ok(
      'query($n: [String!]) { leakSensorEvents(sensorNames: $n, levels: [CRITICAL]) { items { at } } }',
      { n: [name] },
    );
    expect(leakSensorEvents.items).toHaveLength(1);
    const criticalAt = leakSensorEvents.items[0].at;

    try {
      await waitFor(() => live.events.length >= 1, { what: 'the investigation', timeoutMs: 90_000 });
    } catch (error) {
      // What the outbox says of the request (a failed attempt keeps its error).
      const requests = await t.db.query('SELECT state, attempts, last_error FROM outbox_messages WHERE channel = $1', [
        'leak-investigation',
      ]);
      throw new Error(`${(error as Error).message}; outbox: ${JSON.stringify(requests)}`, { cause: error });
    }
    const investigation = live.events[0].data!.leakInvestigationAdded;
    expect(investigation).toMatchObject({ sensorName: name, at: criticalAt, trigger: 'CRITICAL' });
    expect(['CONFIRMED', 'EXTERNAL_CAUSE', 'UNDEFINED']).toContain(investigation.result);
    expect(JSON.parse(investigation.details).candidates).toHaveLength(CANDIDATES.length);

    const { leakInvestigations } = await ok(
      `query($n: [String!]) { leakInvestigations(sensorNames: $n) { totalCount items { ${INVESTIGATION} } } }`,
      { n: [name] },
    );
    expect(leakInvestigations).toEqual({ totalCount: 1, items: [investigation] });
    const { leakSystemEvents } = await ok(
      'query($n: [String!]) { leakSystemEvents(sensorNames: $n) { items { type message } } }',
      { n: [name] },
    );
    expect(leakSystemEvents.items).toEqual([
      {
        type: expect.stringMatching(/ALERT_CRITICAL|ALERT_SUCCESS/),
        message: expect.stringContaining(`The estimation is finished`),
      },
    ]);
    // Once per change: the outbox holds one request for it, sent.
    const requests = await t.db.query<{ state: string }>(
      "SELECT state FROM outbox_messages WHERE channel = 'leak-investigation' AND idempotency_key LIKE $1",
      [`leak-investigation:${sensorId}:%`],
    );
    expect(requests).toEqual([{ state: 'SENT' }]);
    live.unsubscribe();
  }, 180_000);

  it('on request, readings that follow a candidate plume are CONFIRMED as that leak, named in the system event', async () => {
    const name = `inv-b-${RUN}`;
    const sensorId = await createSensor(name);
    const at = tsOf(144);
    const { leakCandidateSimulation } = await ok(
      `query($n: String!, $at: DateTime!) { leakCandidateSimulation(sensorName: $n, at: $at) {
         supported currents { at } leaks { candidate { name x y z } response detectionRate } } }`,
      { n: name, at: at.toISOString() },
    );
    expect(leakCandidateSimulation.supported).toBe(true);
    const leak = leakCandidateSimulation.leaks.find((l: { candidate: { name: string } }) => l.candidate.name === 'C1');
    expect(leak.detectionRate).toBeGreaterThan(0.1);
    const peak = Math.max(...leak.response);
    // The readings a sensor under C1 would send: background, noise, and C1's plume (one per current row after the first).
    const times: string[] = leakCandidateSimulation.currents.slice(1).map((c: { at: string }) => c.at);
    const readings = leak.response.map((x: number, k: number) => ({
      ts: new Date(times[k]),
      ppmv: 40 + ((k * 7919) % 13) / 13 + (300 * x) / peak,
    }));
    await publish(name, readings);
    await waitFor(async () => (await count('ppmv_samples', sensorId)) === readings.length, { what: 'the readings' });

    const { investigateLeak } = await ok(
      `mutation($n: String!, $at: DateTime!) { investigateLeak(sensorName: $n, at: $at) { ${INVESTIGATION} } }`,
      { n: name, at: at.toISOString() },
    );
    expect(investigateLeak).toMatchObject({
      sensorName: name,
      at: at.toISOString(),
      trigger: 'REQUEST',
      result: 'CONFIRMED',
      reason: 'ONE_CANDIDATE',
      confirmedName: 'C1(0,0,3)',
    });
    const again = await ok(
      `mutation($n: String!, $at: DateTime!) { investigateLeak(sensorName: $n, at: $at) { id } }`,
      {
        n: name,
        at: at.toISOString(),
      },
    );
    expect(again.investigateLeak.id).toBe(investigateLeak.id);
    const { leakSystemEvents } = await ok(
      'query($n: [String!]) { leakSystemEvents(sensorNames: $n, types: [ALERT_CRITICAL]) { items { message } } }',
      { n: [name] },
    );
    expect(leakSystemEvents.items).toEqual([
      { message: expect.stringContaining('The estimation is finished. [confirmed] The leakage is C1(0,0,3)') },
    ]);
  });

  it('a closed template gets NOT_SUPPORTED, and an unknown sensor is refused', async () => {
    const { leakFields } = await ok('{ leakFields { id name } }');
    const closed = (
      await ok(
        'mutation($f: Int!, $i: CreateLeakTemplateInput!) { createLeakTemplate(fieldId: $f, input: $i) { id } }',
        {
          f: leakFields[0].id,
          i: { name: `Closed ${RUN}`, angleFromNorth: 0, height: 8, roofHeight: 9, internalVolume: 500 },
        },
      )
    ).createLeakTemplate.id;
    await ok(
      'mutation($t: Int!, $i: CreateLeakCandidateInput!) { createLeakCandidate(templateId: $t, input: $i) { id } }',
      {
        t: closed,
        i: CANDIDATES[0],
      },
    );
    await ok(
      'mutation($t: Int!, $csv: String!, $s: DateTime!) { importLeakSeaCurrents(templateId: $t, csv: $csv, startsAt: $s) { imported } }',
      { t: closed, csv: currentsCsv(150), s: tsOf(0).toISOString() },
    );
    const name = `inv-c-${RUN}`;
    await ok('mutation($t: Int!, $i: CreateLeakSensorInput!) { createLeakSensor(templateId: $t, input: $i) { id } }', {
      t: closed,
      i: { name, x: 1, y: 1, z: 1 },
    });
    await publish(
      name,
      Array.from({ length: 10 }, (_, k) => ({ ts: tsOf(k), ppmv: 40 + k })),
    );
    const { investigateLeak } = await ok(
      `mutation($n: String!, $at: DateTime!) { investigateLeak(sensorName: $n, at: $at) { result reason } }`,
      { n: name, at: tsOf(20).toISOString() },
    );
    expect(investigateLeak).toEqual({
      result: 'NOT_SUPPORTED',
      reason: expect.stringContaining('open templates only'),
    });
    const unknown = await t.graphql(
      'mutation($at: DateTime!) { investigateLeak(sensorName: "no-such-sensor", at: $at) { id } }',
      { at: tsOf(0).toISOString() },
      admin,
    );
    expect(errorOf(unknown).code).toMatch(/BAD_USER_INPUT|NOT_FOUND/);
  });
});
