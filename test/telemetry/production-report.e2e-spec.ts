import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import { startTestApp, type TestApp } from '../harness/app.js';
import { iso, publishSeries } from './production-series.js';

/**
 * Production figures against numbers computed by hand from a known series, published over
 * MQTT like a PLC gateway: time in each state, current/voltage statistics of the PRODUCTION
 * readings with a spike left out, out-of-standard episodes, sample counts, and the CSV.
 */
const CODE = `pr-${randomBytes(3).toString('hex')}`;

/**
 * By hand. Spike limit: highest active standard 270 A + 50 = 320 A (320 itself is plausible),
 * 35 V + 20 = 55 V. Currents without 9999: 200+300+320+290+200+210+220+230+240 = 2210 over 9.
 * Voltages: 278 over 10. Episodes (only PRODUCTION readings are checked against the standard:
 * the 40 A idle stretches are below 180 A but are not episodes, nor is the off stretch):
 * 300…290 A at +11…13 (ended by 200 A at +14) and the 9999 A glitch at +16: 2.
 */
const EXPECTED = {
  timeInState: [
    { state: 'OFF', seconds: 5 },
    { state: 'IDLE', seconds: 9 },
    { state: 'PRODUCTION', seconds: 10 },
  ],
  current: { avg: 2210 / 9, min: 200, max: 320 },
  voltage: { avg: 27.8, min: 25, max: 38 },
  outOfStandardEpisodes: 2,
  samples: 25,
  productionSamples: 10,
  implausibleSamples: 1,
  currentLimit: 320,
  voltageLimit: 55,
};

const FIGURES = `timeInState { state seconds } current { avg min max } voltage { avg min max }
  outOfStandardEpisodes samples productionSamples implausibleSamples currentLimit voltageLimit`;

describe('production report (e2e)', () => {
  let t: TestApp;
  let token: string;
  let device: MqttClient;
  let shiftId: number;
  let elementTypeId: number;

  async function gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const result = await t.graphql<T>(query, variables, token);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  }

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.login();
    device = await connectAsync(t.mqttUrl, {
      protocolVersion: 4,
      clientId: `device-${randomBytes(4).toString('hex')}`,
      reconnectPeriod: 0,
    });
    await gql('mutation($i: CreateMachineInput!) { createMachine(input: $i) { id } }', {
      i: { code: CODE, name: 'Welder 2' },
    });
    elementTypeId = (
      await gql('mutation($i: CreateElementTypeInput!) { createElementType(input: $i) { id } }', {
        i: { name: 'Butt joint 12 mm', currentMin: 180, currentMax: 270, voltageMin: 15, voltageMax: 35 },
      })
    ).createElementType.id;
    // An inactive standard does not raise the spike limit.
    const retired = (
      await gql('mutation($i: CreateElementTypeInput!) { createElementType(input: $i) { id } }', {
        i: { name: 'Retired', currentMin: 100, currentMax: 900, voltageMin: 10, voltageMax: 90 },
      })
    ).createElementType.id;
    await gql('mutation($id: Int!) { deleteElementType(id: $id) { id } }', { id: retired });
    const operatorId = (
      await gql('mutation($i: CreateOperatorInput!) { createOperator(input: $i) { id } }', {
        i: { name: 'Asha, "A"', number: 7 },
      })
    ).createOperator.id;
    shiftId = (
      await gql('mutation($i: CreateShiftInput!) { createShift(input: $i) { id } }', {
        i: {
          machineCode: CODE,
          operatorId,
          elementTypeId,
          startsAt: iso(0),
          endsAt: iso(40),
          plateThickness: '12',
          iNo: 'I-1',
          fcNo: 'FC-2',
          project: 'P-3',
        },
      })
    ).createShift.id;

    await publishSeries(device, CODE, gql);
  });

  afterAll(async () => {
    await device?.endAsync();
    await t?.close();
  });

  it('computes the figures of a shift', async () => {
    const { productionReport } = await gql(
      `query($id: Int!) { productionReport(shiftId: $id) { machineCode from to shift { id operator { name } } ${FIGURES} } }`,
      { id: shiftId },
    );
    expect(productionReport).toMatchObject({
      ...EXPECTED,
      machineCode: CODE,
      from: iso(0),
      to: iso(40),
      shift: { id: shiftId, operator: { name: 'Asha, "A"' } },
      current: { ...EXPECTED.current, avg: expect.any(Number) },
    });
    expect(productionReport.current.avg).toBeCloseTo(245.5556, 4);
  });

  it('counts out-of-standard episodes in PRODUCTION only: the idle stretches below the band are none', async () => {
    const { outOfStandardEpisodes } = await gql(
      `query($c: [String!]!, $from: DateTime, $to: DateTime) {
        outOfStandardEpisodes(machineCodes: $c, from: $from, to: $to) { shiftId start end sampleCount peakCurrent } }`,
      { c: [CODE], from: iso(0), to: iso(40) },
    );
    expect(outOfStandardEpisodes).toEqual([
      { shiftId, start: iso(11), end: iso(14), sampleCount: 3, peakCurrent: 320 },
      { shiftId, start: iso(16), end: iso(17), sampleCount: 1, peakCurrent: 9999 },
    ]);
    // The machine ends idle at 40 A, below the 180 A standard of the active shift: no alert.
    const { machineStates } = await gql(`query($c: [String!]) { machineStates(machineCodes: $c) { state alert } }`, {
      c: [CODE],
    });
    expect(machineStates).toEqual([{ state: 'IDLE', alert: false }]);
  });

  it('computes the figures of a machine over a UTC day', async () => {
    const { machineDayReport } = await gql(
      `query($code: String!) { machineDayReport(machineCode: $code, date: "2026-11-19") { from to shift { id } ${FIGURES} } }`,
      { code: CODE },
    );
    expect(machineDayReport).toMatchObject({
      ...EXPECTED,
      from: '2026-11-19T00:00:00.000Z',
      to: '2026-11-20T00:00:00.000Z',
      shift: null,
      current: { ...EXPECTED.current, avg: expect.any(Number) },
    });
    expect(machineDayReport.current.avg).toBeCloseTo(2210 / 9, 10);
  });

  it('answers a window without readings with zeros and nulls', async () => {
    const { machineDayReport } = await gql(
      `query($code: String!) { machineDayReport(machineCode: $code, date: "2026-11-18") { ${FIGURES} } }`,
      { code: CODE },
    );
    expect(machineDayReport).toMatchObject({
      timeInState: [
        { state: 'OFF', seconds: 0 },
        { state: 'IDLE', seconds: 0 },
        { state: 'PRODUCTION', seconds: 0 },
      ],
      current: { avg: null, min: null, max: null },
      samples: 0,
      outOfStandardEpisodes: 0,
    });
  });

  it('exports a shift report as CSV: a header row, numbers as numbers, ISO times', async () => {
    const { productionReportCsv } = await gql('query($id: Int!) { productionReportCsv(shiftId: $id) }', {
      id: shiftId,
    });
    const [header, line, end] = (productionReportCsv as string).split('\r\n');
    expect(end).toBe('');
    expect(header).toBe(
      'machineCode,shiftId,operatorName,operatorNumber,elementTypeId,iNo,fcNo,project,plateThickness,from,to,' +
        'offSeconds,idleSeconds,productionSeconds,currentAvg,currentMin,currentMax,voltageAvg,voltageMin,voltageMax,' +
        'outOfStandardEpisodes,samples,productionSamples,implausibleSamples',
    );
    expect(line).toBe(
      `${CODE},${shiftId},"Asha, ""A""",7,${elementTypeId},I-1,FC-2,P-3,12,${iso(0)},${iso(40)},` +
        `5,9,10,${2210 / 9},200,320,27.8,25,38,2,25,10,1`,
    );
    const { machineDayReportCsv } = await gql(
      'query($code: String!) { machineDayReportCsv(machineCode: $code, date: "2026-11-19") }',
      { code: CODE },
    );
    expect((machineDayReportCsv as string).split('\r\n')[1]).toBe(
      `${CODE},,,,,,,,,2026-11-19T00:00:00.000Z,2026-11-20T00:00:00.000Z,5,9,10,${2210 / 9},200,320,27.8,25,38,2,25,10,1`,
    );
  });

  it('names the argument of a bad request', async () => {
    const badDate = await t.graphql(
      '{ machineDayReport(machineCode: "x", date: "2026-02-30") { samples } }',
      {},
      token,
    );
    expect(badDate.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND' });
    const impossible = await t.graphql(
      'query($c: String!) { machineDayReport(machineCode: $c, date: "2026-02-30") { samples } }',
      { c: CODE },
      token,
    );
    expect(impossible.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { date: 'must be a calendar date YYYY-MM-DD' },
    });
    const missing = await t.graphql('{ productionReport(shiftId: 99999) { samples } }', {}, token);
    expect(missing.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND' });
  });
});
