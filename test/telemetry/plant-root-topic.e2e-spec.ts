import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import { startTestApp, type TestApp } from '../harness/app.js';
import { metricSum } from '../harness/metrics.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * PLANT_MQTT_ROOT (PROTOCOLS.md A: "root topic configurable, default plant"): with another
 * root, telemetry is taken from `<root>/machines/{code}/…` and no longer from `plant/…`; the
 * embedded simulator publishes under the same root. Roots are unique per run: the broker is
 * shared with the other test files.
 */
const RUN = randomBytes(3).toString('hex');
const LATEST = `query($codes: [String!]) {
  latestTelemetry(machineCodes: $codes) { machine { code } electrical { ts current voltage } }
}`;

describe('a non-default PLANT_MQTT_ROOT', () => {
  const root = `site-${RUN}/hall-2`;
  const code = `weld-${RUN}`;
  let t: TestApp;
  let admin: string;
  let device: MqttClient;

  async function ok(query: string, variables?: Record<string, unknown>): Promise<Record<string, any>> {
    const result = await t.graphql(query, variables, admin);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  beforeAll(async () => {
    t = await startTestApp({ PLANT_MQTT_ROOT: root });
    admin = await t.login();
    device = await connectAsync(t.mqttUrl, {
      clientId: `dev-${randomBytes(5).toString('hex')}`,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    await ok('mutation($i: CreateMachineInput!) { createMachine(input: $i) { id } }', {
      i: { code, name: 'Welder' },
    });
  });

  afterAll(async () => {
    await device?.endAsync();
    await t?.close();
  });

  it('stores readings published under it, and ignores the same machine under plant/', async () => {
    const ignoredTs = Date.now() - 2000;
    const storedTs = Date.now() - 1000;
    await device.publishAsync(
      `plant/machines/${code}/electrical`,
      JSON.stringify({ ts: ignoredTs, current: 111, voltage: 11 }),
      { qos: 1 },
    );
    await device.publishAsync(
      `${root}/machines/${code}/electrical`,
      JSON.stringify({ ts: storedTs, current: 222, voltage: 22 }),
      { qos: 1 },
    );

    const stored = await waitFor(
      async () => {
        const rows = await t.db.query<{ ts: Date; current: number }>(
          'SELECT s.ts, s.current FROM electrical_samples s JOIN machines m ON m.id = s.machine_id WHERE m.code = $1',
          [code],
        );
        return rows.length > 0 && rows;
      },
      { what: 'the reading published under the configured root' },
    );
    expect(stored).toEqual([{ ts: new Date(storedTs), current: 222 }]);
    const { latestTelemetry } = await ok(LATEST, { codes: [code] });
    expect(latestTelemetry).toEqual([
      { machine: { code }, electrical: { ts: new Date(storedTs).toISOString(), current: 222, voltage: 22 } },
    ]);
    expect(
      await metricSum(t, 'plantgraph_mqtt_messages_received_total', { route: `${root}/machines/+code/electrical` }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await metricSum(t, 'plantgraph_mqtt_messages_received_total', { route: 'plant/machines/+code/electrical' }),
    ).toBe(0);
  });

  it('lists an unknown machine under its topic of the configured root', async () => {
    const ghost = `ghost-${RUN}`;
    await device.publishAsync(`${root}/machines/${ghost}/electrical`, JSON.stringify({ current: 1, voltage: 1 }), {
      qos: 1,
    });
    const listed = await waitFor(
      async () => {
        const { unregisteredSources } = await ok(
          '{ unregisteredSources(kind: MACHINE, limit: 500) { items { topic sourceKey } } }',
        );
        return unregisteredSources.items.find((i: { sourceKey: string }) => i.sourceKey === ghost);
      },
      { what: 'the unregistered machine', timeoutMs: 15_000 },
    );
    expect(listed.topic).toBe(`${root}/machines/${ghost}/electrical`);
  });
});

describe('the embedded simulator with a non-default PLANT_MQTT_ROOT', () => {
  let t: TestApp;

  beforeAll(async () => {
    // The whole simulator (machines, RFID boards, the lab) on a connection pool sized like a
    // deployment's, not the tests' usual 5: on a CI machine running three files at once the
    // boards alone kept 5 connections busy past the pool's connect timeout.
    t = await startTestApp({
      SIMULATOR: 'true',
      PLANT_MQTT_ROOT: `sim-${RUN}`,
      SIMULATOR_LEAK_SITES: '0',
      DB_POOL_SIZE: '10',
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('feeds the service under that root', async () => {
    const admin = await t.login();
    const latest = await waitFor(
      async () => {
        const result = await t.graphql(LATEST, { codes: ['7G'] }, admin);
        return result.data?.latestTelemetry[0]?.electrical ?? undefined;
      },
      { what: 'a simulated welding reading', timeoutMs: 20_000 },
    );
    expect(latest).toMatchObject({ current: expect.any(Number), voltage: expect.any(Number) });
  });
});
