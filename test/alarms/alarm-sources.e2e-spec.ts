import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import { PubSub } from '../../src/shared/pubsub/pub-sub.js';
import { collect, errorOf, startTestApp, type TestApp, testPlantRoot } from '../harness/app.js';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
import { waitFor } from '../harness/wait-for.js';

/** This file's plant root topic (PLANT_MQTT_ROOT of its apps): devices publish under it. */
const PLANT = testPlantRoot();

/**
 * Alarm sources end to end: devices publish over the real broker like a welding PLC gateway
 * and a lab gateway; the alarms follow through their ISA-18.2 states, as a graphql-ws client
 * sees them on alarmChanged. The conditions are data: the test changes the welding one's
 * severity and message over GraphQL first, and the alarm carries them.
 */
const RUN = randomBytes(3).toString('hex');
const CODE = `al-${RUN}`;
const EXP = `Alm${RUN}`;
const PV = `${EXP}:Temp`;
/** An hour back, on whole seconds: inside every retention, and the shift covers it. */
const T0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();
const IN_BAND = [200, 25] as const;

const ALARM =
  'id type state count severity message peakValue firstRaisedAt closedAt source { kind key name experiment }';
const CHANGED = `subscription($f: AlarmFilterInput) { alarmChanged(filter: $f) { transition { kind at } alarm { ${ALARM} } } }`;
const CONDITION = 'type sourceKind enabled severity messageTemplate placeholders parameters { name value min max }';

describe('alarm sources (e2e, MQTT → conditions → alarms → alarmChanged)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let token: string;
  let device: MqttClient;
  let machineKey: string;

  async function gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const result = await t.graphql<T>(query, variables, token);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  }

  /** Electrical readings like a PLC gateway: one JSON array per message, QoS 1. */
  async function weld(readings: ReadonlyArray<readonly [seconds: number, current: number, voltage: number]>) {
    const payload = readings.map(([s, current, voltage]) => ({ ts: T0 + s * 1000, current, voltage }));
    await device.publishAsync(`${PLANT}/machines/${CODE}/electrical`, JSON.stringify(payload), { qos: 1 });
  }

  /** Subscribes to alarmChanged (filtered) and resolves once the subscription runs. */
  async function watch(filter: Record<string, unknown>) {
    const pubsub = t.app.get(PubSub);
    const before = pubsub.activeSubscriptions();
    const changes = collect(t.wsClient(token), CHANGED, { f: filter });
    await waitFor(() => pubsub.activeSubscriptions() === before + 1, { what: 'alarmChanged to start' });
    const alarmAt = async (n: number) => {
      await waitFor(() => changes.events.length >= n, { what: `alarm change #${n}` });
      expect(changes.events[n - 1].errors).toBeUndefined();
      return changes.events[n - 1].data!.alarmChanged as { transition: { kind: string; at: string }; alarm: any };
    };
    return { changes, alarmAt };
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp({}, db);
    token = await t.login();
    device = await connectAsync(t.mqttUrl, { protocolVersion: 4, clientId: `gw-${RUN}`, reconnectPeriod: 0 });
    const { createMachine } = await gql('mutation($i: CreateMachineInput!) { createMachine(input: $i) { id } }', {
      i: { code: CODE, name: 'Welder A' },
    });
    machineKey = String(createMachine.id);
    const { createElementType } = await gql(
      'mutation($i: CreateElementTypeInput!) { createElementType(input: $i) { id } }',
      { i: { name: `std-${RUN}`, currentMin: 180, currentMax: 270, voltageMin: 15, voltageMax: 35 } },
    );
    const { createOperator } = await gql('mutation($i: CreateOperatorInput!) { createOperator(input: $i) { id } }', {
      i: { name: 'Ana', number: 7 },
    });
    await gql('mutation($i: CreateShiftInput!) { createShift(input: $i) { id } }', {
      i: {
        machineCode: CODE,
        operatorId: createOperator.id,
        elementTypeId: createElementType.id,
        startsAt: iso(0),
        endsAt: iso(600),
      },
    });
  });

  afterAll(async () => {
    await device?.endAsync();
    await t?.close();
    await db?.drop();
  });

  it('lists the seeded conditions, and refuses a bad change naming the field', async () => {
    const { alarmConditions } = await gql(`{ alarmConditions { ${CONDITION} } }`);
    expect(alarmConditions.map((c: any) => c.type).sort()).toEqual([
      'ANOMALY_CRITICAL',
      'ANOMALY_WARNING',
      'BOARD_OFFLINE',
      'BROKER_DISCONNECTED',
      'DATABASE_DOWN',
      'INGESTION_REJECTS',
      'LEAK_CONFIRMED',
      'MAINTENANCE_OVERDUE',
      'OUT_OF_STANDARD',
      'PV_OUT_OF_BAND',
    ]);
    expect(alarmConditions.find((c: any) => c.type === 'BOARD_OFFLINE')).toMatchObject({
      sourceKind: 'BOARD',
      enabled: true,
      parameters: [{ name: 'offlineAfterSeconds', value: 90, min: 90, max: 86400 }],
    });

    const UPDATE = `mutation($type: String!, $i: UpdateAlarmConditionInput!) { updateAlarmCondition(type: $type, input: $i) { ${CONDITION} } }`;
    const range = await t.graphql(
      UPDATE,
      { type: 'BOARD_OFFLINE', i: { parameters: [{ name: 'offlineAfterSeconds', value: 10 }] } },
      token,
    );
    expect(errorOf(range)).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { 'parameters.offlineAfterSeconds': expect.any(String) },
    });
    const placeholder = await t.graphql(UPDATE, { type: 'OUT_OF_STANDARD', i: { messageTemplate: '{nope}' } }, token);
    expect(errorOf(placeholder)).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { messageTemplate: expect.any(String) },
    });
    const unknown = await t.graphql(UPDATE, { type: 'NO_SUCH_TYPE', i: { enabled: false } }, token);
    expect(errorOf(unknown)).toMatchObject({ code: 'NOT_FOUND' });

    const { updateAlarmCondition } = await gql(UPDATE, {
      type: 'OUT_OF_STANDARD',
      i: { severity: 'CRITICAL', messageTemplate: '{source} out of standard at {value} A' },
    });
    expect(updateAlarmCondition).toMatchObject({
      severity: 'CRITICAL',
      messageTemplate: '{source} out of standard at {value} A',
    });
  });

  it('a welding machine out of its standard: one alarm, re-raised while open, acknowledged, then normal', async () => {
    const { alarmAt, changes } = await watch({ sourceKinds: ['MACHINE'], sourceKeys: [machineKey] });
    await weld([
      [0, ...IN_BAND],
      [1, ...IN_BAND],
      [2, ...IN_BAND],
    ]);

    await weld([[3, 300, 25]]);
    const raised = await alarmAt(1);
    expect(raised.transition).toEqual({ kind: 'RAISED', at: iso(3) });
    expect(raised.alarm).toMatchObject({
      type: 'OUT_OF_STANDARD',
      state: 'ACTIVE_UNACKNOWLEDGED',
      count: 1,
      severity: 'CRITICAL',
      message: `${CODE} out of standard at 300 A`,
      peakValue: 300,
      firstRaisedAt: iso(3),
      source: { kind: 'MACHINE', key: machineKey, name: CODE, experiment: null },
    });
    const id = raised.alarm.id;

    await weld([[4, ...IN_BAND]]);
    expect(await alarmAt(2)).toMatchObject({
      transition: { kind: 'RETURNED', at: iso(4) },
      alarm: { id, state: 'RETURNED_UNACKNOWLEDGED', count: 1 },
    });

    await weld([[5, 310, 25]]);
    expect(await alarmAt(3)).toMatchObject({
      transition: { kind: 'RERAISED', at: iso(5) },
      alarm: { id, state: 'ACTIVE_UNACKNOWLEDGED', count: 2, peakValue: 310 },
    });

    const { acknowledgeAlarm } = await gql(
      'mutation($id: ID!) { acknowledgeAlarm(id: $id, note: "on it") { id state } }',
      {
        id,
      },
    );
    expect(acknowledgeAlarm).toEqual({ id, state: 'ACTIVE_ACKNOWLEDGED' });
    expect(await alarmAt(4)).toMatchObject({
      transition: { kind: 'ACKNOWLEDGED' },
      alarm: { id, state: 'ACTIVE_ACKNOWLEDGED' },
    });

    await weld([[6, ...IN_BAND]]);
    const cleared = await alarmAt(5);
    expect(cleared).toMatchObject({
      transition: { kind: 'CLEARED', at: iso(6) },
      alarm: { id, state: 'NORMAL', count: 2 },
    });
    expect(cleared.alarm.closedAt).not.toBeNull();

    const { alarms } = await gql(`query($f: AlarmListFilterInput) { alarms(filter: $f) { totalCount items { id } } }`, {
      f: { sourceKinds: ['MACHINE'], sourceKeys: [machineKey], types: ['OUT_OF_STANDARD'] },
    });
    expect(alarms).toEqual({ totalCount: 1, items: [{ id }] });
    expect(changes.events).toHaveLength(5);
    changes.unsubscribe();
  });

  it('a PV leaving its band raises a PV alarm carrying its experiment, cleared once back inside', async () => {
    await gql('mutation($i: CreateExperimentInput!) { createExperiment(input: $i) { name } }', { i: { name: EXP } });
    const { createPv } = await gql('mutation($i: CreatePvInput!) { createPv(input: $i) { id } }', {
      i: { name: PV, unit: '°C', thresholdMin: 10, thresholdMax: 90 },
    });
    // The PV's band comes from a threshold subscription (its e-mails are the subscription's business).
    await gql('mutation($n: String!) { subscribePvThreshold(pvName: $n) { id } }', { n: PV });
    const { alarmAt, changes } = await watch({ sourceKinds: ['PV'], sourceKeys: [String(createPv.id)] });

    let clock = Date.now();
    const sample = async (value: number) => {
      clock += 1000;
      await device.publishAsync(`${PLANT}/pv/${PV.replaceAll(':', '/')}`, JSON.stringify({ ts: clock, value }), {
        qos: 1,
      });
      return new Date(clock).toISOString();
    };
    await sample(50);
    const outAt = await sample(95.5);
    expect(await alarmAt(1)).toMatchObject({
      transition: { kind: 'RAISED', at: outAt },
      alarm: {
        type: 'PV_OUT_OF_BAND',
        state: 'ACTIVE_UNACKNOWLEDGED',
        severity: 'MINOR',
        peakValue: 95.5,
        source: { kind: 'PV', key: String(createPv.id), name: PV, experiment: EXP },
      },
    });
    const backAt = await sample(50);
    expect(await alarmAt(2)).toMatchObject({
      transition: { kind: 'RETURNED', at: backAt },
      alarm: { state: 'RETURNED_UNACKNOWLEDGED', count: 1 },
    });
    changes.unsubscribe();
  });

  it("the service's own health: ingestion rejects above the condition's rate raise a SERVICE alarm", async () => {
    await gql(
      'mutation($i: UpdateAlarmConditionInput!) { updateAlarmCondition(type: "INGESTION_REJECTS", input: $i) { type } }',
      { i: { parameters: [{ name: 'maxPerMinute', value: 2 }] } },
    );
    for (let k = 0; k < 3; k++)
      await device.publishAsync(`${PLANT}/machines/${CODE}/electrical`, '{not json', { qos: 1 });
    const alarm = await waitFor(
      async () => {
        const { alarms } = await gql(`query($f: AlarmListFilterInput) { alarms(filter: $f) { items { ${ALARM} } } }`, {
          f: { sourceKinds: ['SERVICE'], types: ['INGESTION_REJECTS'] },
        });
        return alarms.items[0];
      },
      { what: 'the ingestion rejects alarm', timeoutMs: 15_000, intervalMs: 200 },
    );
    expect(alarm).toMatchObject({
      state: 'ACTIVE_UNACKNOWLEDGED',
      severity: 'MAJOR',
      source: {
        kind: 'SERVICE',
        key: expect.stringMatching(/^ingestion@pg-test-/),
        name: expect.stringMatching(/^replica /),
      },
    });
    expect(alarm.peakValue).toBeGreaterThanOrEqual(3);
  });
});
