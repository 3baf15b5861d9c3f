import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import { startTestApp, type TestApp } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * PRODUCTION_SPIKE_MARGIN_AMPS / _VOLTS set to 0: the production series of
 * production-report.e2e-spec.ts (where the default 50 A / 20 V margins leave out only the
 * 9999 A glitch) now loses every reading above the 270 A / 35 V standard.
 */
const S = Date.parse('2026-11-19T10:00:00.000Z');
const iso = (s: number) => new Date(S + s * 1000).toISOString();
const CODE = `spike-${randomBytes(3).toString('hex')}`;

const PRODUCTION: Array<[number, number]> = [
  [200, 25],
  [300, 25],
  [320, 30],
  [290, 38],
  [200, 25],
  [210, 26],
  [9999, 25],
  [220, 27],
  [230, 28],
  [240, 29],
];
const SERIES: Array<[number, number, number]> = [
  ...[0, 1, 2, 3, 4].map((s): [number, number, number] => [s, 0, 0]),
  ...[5, 6, 7, 8, 9].map((s): [number, number, number] => [s, 40, 15]),
  ...PRODUCTION.map(([current, voltage], i): [number, number, number] => [10 + i, current, voltage]),
  ...[20, 21, 22, 23, 24].map((s): [number, number, number] => [s, 40, 15]),
];

describe('production report with spike margins of 0 (e2e)', () => {
  let t: TestApp;
  let token: string;
  let device: MqttClient;

  async function gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const result = await t.graphql<T>(query, variables, token);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  }

  beforeAll(async () => {
    t = await startTestApp({ PRODUCTION_SPIKE_MARGIN_AMPS: '0', PRODUCTION_SPIKE_MARGIN_VOLTS: '0' });
    token = await t.login();
    device = await connectAsync(t.mqttUrl, {
      protocolVersion: 4,
      clientId: `device-${randomBytes(4).toString('hex')}`,
      reconnectPeriod: 0,
    });
    await gql('mutation($i: CreateMachineInput!) { createMachine(input: $i) { id } }', {
      i: { code: CODE, name: 'Welder 3' },
    });
    await gql('mutation($i: CreateElementTypeInput!) { createElementType(input: $i) { id } }', {
      i: { name: 'Butt joint 12 mm', currentMin: 180, currentMax: 270, voltageMin: 15, voltageMax: 35 },
    });
    const payload = SERIES.map(([s, current, voltage]) => ({ ts: S + s * 1000, current, voltage }));
    await device.publishAsync(`plant/machines/${CODE}/electrical`, JSON.stringify(payload), { qos: 1 });
    await waitFor(
      async () =>
        (await gql(`query($c: [String!]) { machineStates(machineCodes: $c) { lastSampleAt } }`, { c: [CODE] }))
          .machineStates[0]?.lastSampleAt === iso(24),
      { what: 'the series to be processed' },
    );
  });

  afterAll(async () => {
    await device?.endAsync();
    await t?.close();
  });

  it('leaves out every reading above the standard itself', async () => {
    const { machineDayReport } = await gql(
      `query($code: String!) { machineDayReport(machineCode: $code, date: "2026-11-19") {
        current { avg min max } voltage { avg min max } productionSamples implausibleSamples currentLimit voltageLimit } }`,
      { code: CODE },
    );
    // Currents without 300, 320, 290 and 9999: 1300 over 6; voltages without 38: 240 over 9.
    expect(machineDayReport).toMatchObject({
      current: { min: 200, max: 240 },
      voltage: { min: 25, max: 30 },
      productionSamples: 10,
      implausibleSamples: 4,
      currentLimit: 270,
      voltageLimit: 35,
    });
    expect(machineDayReport.current.avg).toBeCloseTo(1300 / 6, 10);
    expect(machineDayReport.voltage.avg).toBeCloseTo(240 / 9, 10);
  });
});
