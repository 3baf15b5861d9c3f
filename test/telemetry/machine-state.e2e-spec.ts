import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import { PubSub } from '../../src/shared/pubsub/pub-sub.js';
import { STATE_BANDS_CHANGED } from '../../src/telemetry/application/state-bands.service.js';
import { collect, startTestApp, type TestApp, testPlantRoot } from '../harness/app.js';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
import { waitFor } from '../harness/wait-for.js';

/** This file's plant root topic (PLANT_MQTT_ROOT of its apps): devices publish under it. */
const PLANT = testPlantRoot();

/**
 * Machine state end to end: a device publishes electrical readings over MQTT; the timeline,
 * the current states, the alerts of an active shift, the episodes and the live events follow,
 * and all of it survives a restart of the service on the same database.
 */
const T0 = Date.parse('2026-11-20T08:00:00.000Z');
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();
const CODE = `ms-${randomBytes(3).toString('hex')}`;
const OFF = [0, 0] as const;
const IDLE = [40, 15] as const;
const WELD = [200, 25] as const;

const TIMELINE = `query($codes: [String!]!, $from: DateTime, $to: DateTime) {
  machineStateTimeline(machineCodes: $codes, from: $from, to: $to) { machineCode state start end durationSeconds open } }`;
const STATES = `query($codes: [String!]) { machineStates(machineCodes: $codes) { machineCode state since alert lastSampleAt } }`;
const CHANGES = `subscription($codes: [String!]) {
  machineStateChanged(machineCodes: $codes) { machineCode state previousState since alert at } }`;

describe('machine state (e2e, MQTT → timeline, alerts, events, restart)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let token: string;
  let device: MqttClient;
  let machineId: number;

  async function gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const result = await t.graphql<T>(query, variables, token);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  }

  /** Publishes readings like a PLC gateway: one JSON array per message, QoS 1. */
  async function publish(readings: ReadonlyArray<readonly [seconds: number, current: number, voltage: number]>) {
    const payload = readings.map(([s, current, voltage]) => ({ ts: T0 + s * 1000, current, voltage }));
    await device.publishAsync(`${PLANT}/machines/${CODE}/electrical`, JSON.stringify(payload), { qos: 1 });
  }

  const timeline = async (fromS = -60, toS = 600) =>
    (await gql(TIMELINE, { codes: [CODE], from: iso(fromS), to: iso(toS) })).machineStateTimeline as any[];

  /** Waits until the open segment has taken the reading at `s` into account. */
  const processedUpTo = (s: number) =>
    waitFor(async () => (await timeline()).at(-1)?.end === iso(s), { what: `the reading at +${s}s` });

  async function start(): Promise<void> {
    t = await startTestApp({}, db);
    token = await t.login();
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    await start();
    device = await connectAsync(t.mqttUrl, {
      protocolVersion: 4,
      clientId: `device-${randomBytes(4).toString('hex')}`,
      reconnectPeriod: 0,
    });
    machineId = (
      await gql('mutation($i: CreateMachineInput!) { createMachine(input: $i) { id } }', {
        i: { code: CODE, name: 'Welder 1' },
      })
    ).createMachine.id;
  });

  afterAll(async () => {
    await device?.endAsync();
    await t?.close();
    await db?.drop();
  });

  it('derives OFF / IDLE / PRODUCTION segments and announces each change', async () => {
    const pubsub = t.app.get(PubSub);
    const before = pubsub.activeSubscriptions();
    const events = collect(t.wsClient(token), CHANGES, { codes: [CODE] });
    await waitFor(() => pubsub.activeSubscriptions() === before + 1, { what: 'the subscription to start' });

    await publish([
      [0, ...OFF],
      [1, ...OFF],
      [2, ...OFF],
      [3, ...IDLE],
      [4, ...IDLE],
      [5, ...IDLE],
      [6, ...WELD],
      [7, ...WELD],
      [8, ...WELD],
      [9, ...WELD],
    ]);
    await processedUpTo(9);

    expect(await timeline()).toEqual([
      { machineCode: CODE, state: 'OFF', start: iso(0), end: iso(3), durationSeconds: 3, open: false },
      { machineCode: CODE, state: 'IDLE', start: iso(3), end: iso(6), durationSeconds: 3, open: false },
      { machineCode: CODE, state: 'PRODUCTION', start: iso(6), end: iso(9), durationSeconds: 3, open: true },
    ]);
    await waitFor(() => events.events.length >= 3, { what: 'three state changes' });
    expect(events.events.map((e) => e.data!.machineStateChanged)).toEqual([
      { machineCode: CODE, state: 'OFF', previousState: null, since: iso(0), alert: false, at: iso(0) },
      { machineCode: CODE, state: 'IDLE', previousState: 'OFF', since: iso(3), alert: false, at: iso(3) },
      { machineCode: CODE, state: 'PRODUCTION', previousState: 'IDLE', since: iso(6), alert: false, at: iso(6) },
    ]);
    events.unsubscribe();
  });

  it('keeps the open segment current while the state holds, with one open segment', async () => {
    await publish([
      [10, ...WELD],
      [11, ...WELD],
      [12, ...WELD],
    ]);
    await processedUpTo(12);
    expect((await timeline()).at(-1)).toEqual({
      machineCode: CODE,
      state: 'PRODUCTION',
      start: iso(6),
      end: iso(12),
      durationSeconds: 6,
      open: true,
    });
    const open = await db.query(
      'SELECT count(*)::int AS n FROM machine_state_segments WHERE machine_id = $1 AND ended_at IS NULL',
      [machineId],
    );
    expect(open[0].n).toBe(1);
  });

  it('clips segments to the window asked for', async () => {
    expect(await timeline(4, 7)).toEqual([
      { machineCode: CODE, state: 'IDLE', start: iso(4), end: iso(6), durationSeconds: 2, open: false },
      { machineCode: CODE, state: 'PRODUCTION', start: iso(6), end: iso(7), durationSeconds: 1, open: true },
    ]);
  });

  it('stores a late reading but does not let it rewrite the timeline', async () => {
    const before = await timeline();
    await device.publishAsync(
      `${PLANT}/machines/${CODE}/electrical`,
      JSON.stringify({ ts: T0 + 4500, current: 0, voltage: 0 }),
      { qos: 1 },
    );
    await publish([[13, ...WELD]]);
    await processedUpTo(13);
    const stored = await db.query('SELECT current FROM electrical_samples WHERE machine_id = $1 AND ts = $2', [
      machineId,
      iso(4.5),
    ]);
    expect(stored).toEqual([{ current: 0 }]);
    const after = await timeline();
    expect(after.slice(0, -1)).toEqual(before.slice(0, -1));
    expect(after.at(-1)).toMatchObject({ state: 'PRODUCTION', start: iso(6), end: iso(13) });
  });

  it('answers the current state of a machine from memory', async () => {
    const states = (await gql(STATES, { codes: [CODE] })).machineStates;
    expect(states).toEqual([
      { machineCode: CODE, state: 'PRODUCTION', since: iso(6), alert: false, lastSampleAt: iso(13) },
    ]);
    const unknown = await t.graphql(STATES, { codes: ['no-such-machine'] }, token);
    expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('raises the alert outside the standard of the active shift, and records the episode with its peaks', async () => {
    const elementTypeId = (
      await gql('mutation($i: CreateElementTypeInput!) { createElementType(input: $i) { id } }', {
        i: { name: `std-${CODE}`, currentMin: 180, currentMax: 270, voltageMin: 15, voltageMax: 35 },
      })
    ).createElementType.id;
    const operatorId = (
      await gql('mutation($i: CreateOperatorInput!) { createOperator(input: $i) { id } }', {
        i: { name: 'Ravi', number: 101 },
      })
    ).createOperator.id;
    const shiftId = (
      await gql('mutation($i: CreateShiftInput!) { createShift(input: $i) { id } }', {
        i: { machineCode: CODE, operatorId, elementTypeId, startsAt: iso(20), endsAt: iso(60) },
      })
    ).createShift.id;

    const pubsub = t.app.get(PubSub);
    const before = pubsub.activeSubscriptions();
    const events = collect(t.wsClient(token), CHANGES, { codes: [CODE] });
    await waitFor(() => pubsub.activeSubscriptions() === before + 1, { what: 'the subscription to start' });
    await publish([
      [20, 200, 25],
      [21, 300, 25],
      [22, 320, 30],
      [23, 290, 38],
      [24, 200, 25],
      [25, 210, 25],
    ]);
    await processedUpTo(25);

    await waitFor(() => events.events.length >= 2, { what: 'the alert to rise and fall' });
    expect(events.events.map((e) => e.data!.machineStateChanged)).toEqual([
      { machineCode: CODE, state: 'PRODUCTION', previousState: 'PRODUCTION', since: iso(6), alert: true, at: iso(21) },
      { machineCode: CODE, state: 'PRODUCTION', previousState: 'PRODUCTION', since: iso(6), alert: false, at: iso(24) },
    ]);
    events.unsubscribe();

    const episodes = await gql(
      `query($codes: [String!]!, $from: DateTime) { outOfStandardEpisodes(machineCodes: $codes, from: $from) {
        machineCode shiftId start end durationSeconds open peakCurrent peakVoltage sampleCount } }`,
      { codes: [CODE], from: iso(0) },
    );
    expect(episodes.outOfStandardEpisodes).toEqual([
      {
        machineCode: CODE,
        shiftId,
        start: iso(21),
        end: iso(24),
        durationSeconds: 3,
        open: false,
        peakCurrent: 320,
        peakVoltage: 38,
        sampleCount: 3,
      },
    ]);
    // The timeline does not split on alerts: still the one PRODUCTION segment.
    expect((await timeline()).at(-1)).toMatchObject({ state: 'PRODUCTION', start: iso(6), end: iso(25) });
  });

  it('survives a restart: catches up on stored readings and extends the same open segment', async () => {
    await t.close();
    // Readings committed by the ingestion but never applied to the state (a crash in between).
    await db.query(
      `INSERT INTO electrical_samples (machine_id, ts, current, voltage)
       SELECT $1, $2::timestamptz + make_interval(secs => s), 200, 25 FROM generate_series(0, 2) s`,
      [machineId, iso(26)],
    );
    await start();

    // Catching up runs once this replica owns the machine's key: it does not hold up start-up.
    await processedUpTo(28);
    expect((await timeline()).at(-1)).toEqual({
      machineCode: CODE,
      state: 'PRODUCTION',
      start: iso(6),
      end: iso(28),
      durationSeconds: 22,
      open: true,
    });
    await publish([
      [29, ...WELD],
      // Welding above the standard of the shift: an episode opens.
      [30, 300, 25],
    ]);
    await processedUpTo(30);
    expect((await gql(STATES, { codes: [CODE] })).machineStates[0]).toMatchObject({
      state: 'PRODUCTION',
      alert: true,
    });
    expect((await timeline()).at(-1)).toMatchObject({ state: 'PRODUCTION', start: iso(6), end: iso(30), open: true });
    const openRows = () =>
      db.query('SELECT state, started_at FROM machine_state_segments WHERE machine_id = $1 AND ended_at IS NULL', [
        machineId,
      ]);
    expect(await openRows()).toEqual([{ state: 'PRODUCTION', started_at: new Date(iso(6)) }]);

    await publish([[31, ...IDLE]]);
    await processedUpTo(31);
    const segments = await timeline();
    expect(segments.map((s) => [s.state, s.start, s.end, s.open])).toEqual([
      ['OFF', iso(0), iso(3), false],
      ['IDLE', iso(3), iso(6), false],
      ['PRODUCTION', iso(6), iso(31), false],
      ['IDLE', iso(31), iso(31), true],
    ]);
    expect(await openRows()).toEqual([{ state: 'IDLE', started_at: new Date(iso(31)) }]);
    // The standard applies in PRODUCTION only: 40 A idle is below 180 A but raises no alert,
    // and the episode open when the machine left PRODUCTION ends at that reading.
    expect((await gql(STATES, { codes: [CODE] })).machineStates[0]).toMatchObject({ state: 'IDLE', alert: false });
    const episodes = await gql(
      `query($codes: [String!]!, $from: DateTime) { outOfStandardEpisodes(machineCodes: $codes, from: $from) {
        start end durationSeconds open peakCurrent peakVoltage sampleCount } }`,
      { codes: [CODE], from: iso(0) },
    );
    expect(episodes.outOfStandardEpisodes).toEqual([
      {
        start: iso(21),
        end: iso(24),
        durationSeconds: 3,
        open: false,
        peakCurrent: 320,
        peakVoltage: 38,
        sampleCount: 3,
      },
      {
        start: iso(30),
        end: iso(31),
        durationSeconds: 1,
        open: false,
        peakCurrent: 300,
        peakVoltage: 25,
        sampleCount: 1,
      },
    ]);
  });

  it('classifies with the bands as data: a change applies at once here, and on the event elsewhere', async () => {
    const BANDS = '{ machineStateBands { state priority currentMin currentMax voltageMin voltageMax } }';
    expect((await gql(BANDS)).machineStateBands).toEqual([
      { state: 'PRODUCTION', priority: 1, currentMin: 100, currentMax: null, voltageMin: null, voltageMax: null },
      { state: 'OFF', priority: 2, currentMin: null, currentMax: 5, voltageMin: null, voltageMax: 5 },
      { state: 'IDLE', priority: 3, currentMin: null, currentMax: null, voltageMin: null, voltageMax: null },
    ]);
    const invalid = await t.graphql(
      'mutation { updateMachineStateBand(state: OFF, input: { currentMin: 5 }) { state } }',
      {},
      token,
    );
    expect(invalid.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { currentMax: 'must be greater than currentMin (5)' },
    });

    await gql('mutation { updateMachineStateBand(state: PRODUCTION, input: { currentMin: 250 }) { currentMin } }');
    await publish([
      [32, ...WELD],
      [33, 260, 25],
    ]);
    await processedUpTo(33);
    expect((await timeline()).slice(-2).map((s) => [s.state, s.start, s.end, s.open])).toEqual([
      ['IDLE', iso(31), iso(33), false],
      ['PRODUCTION', iso(33), iso(33), true],
    ]);

    // Another replica changed the band: this one reloads when the event arrives.
    await db.query(`UPDATE machine_state_bands SET current_min = 300 WHERE state = 'PRODUCTION'`);
    await t.app.get(PubSub).publish(STATE_BANDS_CHANGED, { origin: 'another-replica' });
    await waitFor(async () => (await gql(BANDS)).machineStateBands[0].currentMin === 300, {
      what: 'the bands to reload',
    });
    await publish([[34, 260, 25]]);
    await processedUpTo(34);
    expect((await timeline()).at(-1)).toMatchObject({ state: 'IDLE', start: iso(34), open: true });
  });
});
