import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import { startTestApp, type TestApp } from '../harness/app.js';
import { publishSeries } from './production-series.js';

/**
 * PRODUCTION_SPIKE_MARGIN_AMPS / _VOLTS set to 0: the series of production-series.ts (which
 * production-report.e2e-spec.ts checks with the default 50 A / 20 V margins, leaving out only the
 * 9999 A glitch) now loses every reading above the 270 A / 35 V standard.
 */
const CODE = `spike-${randomBytes(3).toString('hex')}`;

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
    await publishSeries(device, CODE, gql);
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
