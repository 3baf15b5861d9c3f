import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import { errorOf, startTestApp, type TestApp } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * The embedded simulator's lab in the running service, on the run's real broker: Lab1 and its
 * PVs are registered with their default thresholds, their values are stored, and a set made
 * through setPv reaches the simulated device on {PV_SET_PREFIX}/Lab1/…, which the fan then
 * follows. Readings every 100 ms; a root topic and set prefix of its own keep its devices away
 * from other files' services on the shared broker.
 */
const RUN = randomBytes(3).toString('hex');
const ROOT = `lab-${RUN}`;
const SET_PREFIX = `lab-${RUN}-set`;
const FAN = 'Lab1:Fan:Speed';
const SETPOINT = 'Lab1:Fan:SpeedSetpoint';
const LAB_PVS = ['Lab1:Chamber:Pressure', 'Lab1:Cooling:Temperature', FAN, SETPOINT, 'Lab1:Reactor:Temperature'];

describe('the embedded simulator runs a lab whose fan follows setPv', () => {
  let t: TestApp;
  let admin: string;
  let listener: MqttClient;
  const sets: Array<{ topic: string; text: string }> = [];

  async function ok(query: string, variables?: Record<string, unknown>) {
    const result = await t.graphql(query, variables, admin);
    expect(result.errors).toBeUndefined();
    return result.data! as Record<string, any>;
  }

  const latest = async (pvNames: string[]) =>
    (await ok('query($n: [String!]) { latestPvValues(pvNames: $n) { pvName ts value } }', { n: pvNames }))
      .latestPvValues as Array<{ pvName: string; ts: string; value: number }>;

  beforeAll(async () => {
    t = await startTestApp({
      SIMULATOR: 'true',
      PLANT_MQTT_ROOT: ROOT,
      PV_SET_PREFIX: SET_PREFIX,
      SIMULATOR_LEAK_SITES: '0',
      SIMULATOR_LEAK_INTERVAL_MS: '100',
    });
    admin = await t.login();
    listener = await connectAsync(t.mqttUrl, { protocolVersion: 4, clientId: `lab-listener-${RUN}`, clean: true });
    listener.on('message', (topic, payload) => sets.push({ topic, text: payload.toString('utf8') }));
    await listener.subscribeAsync(`${SET_PREFIX}/#`, { qos: 1 });
  });

  afterAll(async () => {
    await listener?.endAsync();
    await t?.close();
  });

  it('registers Lab1 with its PVs, the set-point writable, default thresholds seeded', async () => {
    const { experiment, pvs } = await ok(
      '{ experiment(name: "Lab1") { displayName } pvs(experimentName: "Lab1") { items { name unit writable thresholdMin thresholdMax setMin setMax } } }',
    );
    expect(experiment.displayName).toMatch(/lab/i);
    expect(pvs.items.map((pv: { name: string }) => pv.name)).toEqual(LAB_PVS);
    const byName = Object.fromEntries(pvs.items.map((pv: { name: string }) => [pv.name, pv]));
    expect(byName[SETPOINT]).toMatchObject({ writable: true, unit: 'rpm', setMin: 0, setMax: 3000 });
    expect(byName['Lab1:Reactor:Temperature']).toMatchObject({ writable: false, thresholdMin: 40, thresholdMax: 75 });
  });

  it('stores every lab PV’s values as they come in', async () => {
    await waitFor(async () => (await latest(LAB_PVS)).length === LAB_PVS.length, {
      what: 'a value of every lab PV',
      timeoutMs: 20_000,
    });
  });

  it('a set through setPv reaches the device on the set topic, and the fan follows it', async () => {
    const [fanBefore] = await waitFor(
      async () => {
        const values = await latest([FAN]);
        return values.length === 1 && values;
      },
      { what: 'a fan speed', timeoutMs: 20_000 },
    );
    const target = fanBefore.value < 2000 ? 2600 : 600;
    const { setPv } = await ok('mutation($n: String!, $v: String!) { setPv(name: $n, value: $v) { pvName value } }', {
      n: SETPOINT,
      v: String(target),
    });
    expect(setPv).toEqual({ pvName: SETPOINT, value: String(target) });
    await waitFor(
      () => sets.some((s) => s.topic === `${SET_PREFIX}/Lab1/Fan/SpeedSetpoint` && s.text === String(target)),
      {
        what: 'the set on the set topic',
        timeoutMs: 10_000,
      },
    );
    // The device reports its new set-point, and its fan speed comes within 5 % of the step (first order, τ = 2 s).
    const tolerance = 0.05 * Math.abs(target - fanBefore.value);
    const settled = await waitFor(
      async () => {
        const values = await latest([FAN, SETPOINT]);
        const fan = values.find((v) => v.pvName === FAN);
        const setpoint = values.find((v) => v.pvName === SETPOINT);
        return setpoint?.value === target && fan && Math.abs(fan.value - target) < tolerance && fan;
      },
      { what: `the fan to approach ${target} rpm`, timeoutMs: 30_000 },
    );
    expect(Math.abs(settled.value - target)).toBeLessThan(tolerance);
  });

  it('refuses a set-point out of its range, and a set of a PV that is not writable', async () => {
    const result = await t.graphql(
      'mutation { setPv(name: "Lab1:Fan:SpeedSetpoint", value: "5000") { value } }',
      {},
      admin,
    );
    expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'OUT_OF_RANGE' });
    const fanOnly = await t.graphql('mutation { setPv(name: "Lab1:Fan:Speed", value: "100") { value } }', {}, admin);
    expect(errorOf(fanOnly)).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_WRITABLE' });
  });
});
