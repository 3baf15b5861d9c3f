import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import { collect, errorOf, startTestApp, type TestApp, testPlantRoot } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';

/** This file's plant root topic (PLANT_MQTT_ROOT of its apps): devices publish under it. */
const PLANT = testPlantRoot();

/**
 * Experiments from outside: the registry over GraphQL (validation naming the field, deletion
 * reports, only administrators change anything), PV values published over MQTT like a lab
 * gateway (numbers and texts): stored, latest, history raw and bucketed, live per experiment
 * and per PV; a user who is not assigned gets NOT_FOUND everywhere, exactly as for an
 * experiment that does not exist, subscriptions included; unassigning ends a running
 * subscription; setPv arrives on the set topic at a real MQTT client and every refusal leaves
 * nothing recorded; an unknown PV is listed and registered in one step.
 *
 * The broker is shared with every other test file: names are unique per run.
 */
const RUN = randomBytes(3).toString('hex');
const EXP = `Exp${RUN}`;
const FAN = `${EXP}:Machine3:FanSpeed1`;
const STATE = `${EXP}:Machine3:State`;
const TEMP = `${EXP}:Temp`;
const PV_FIELDS = 'id name experimentName displayName unit writable type thresholdMin thresholdMax setMin setMax';

describe('experiments: registry, values, access, sets', () => {
  let t: TestApp;
  let admin: string;
  let alice: string;
  let aliceId: string;
  let bob: string;
  let device: MqttClient;
  let clock = Date.now() - 3_600_000;
  const nextTs = () => (clock += 1000);

  async function ok(query: string, variables?: Record<string, unknown>, token = admin): Promise<Record<string, any>> {
    const result = await t.graphql(query, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  async function publish(pv: string, payload: unknown): Promise<void> {
    await device.publishAsync(`${PLANT}/pv/${pv.replaceAll(':', '/')}`, JSON.stringify(payload), { qos: 1 });
  }

  const stored = async (pvId: number) =>
    Number((await t.db.query<{ n: string }>('SELECT count(*) AS n FROM pv_samples WHERE pv_id = $1', [pvId]))[0].n);
  const setsRecorded = async () => Number((await t.db.query<{ n: string }>('SELECT count(*) AS n FROM pv_sets'))[0].n);

  async function user(name: string, roles = ['operator']): Promise<{ id: string; token: string }> {
    const email = `${name}-${RUN}@plantgraph.test`;
    const password = `${name}-password-${RUN}`;
    const { createUser } = await ok('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
      i: { email, displayName: name, password, roles },
    });
    return { id: createUser.id, token: await t.login(email, password) };
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.login();
    device = await connectAsync(t.mqttUrl, { protocolVersion: 4, clientId: `lab-${RUN}`, clean: true });
    ({ id: aliceId, token: alice } = await user('alice'));
    ({ token: bob } = await user('bob'));
    await ok('mutation($i: CreateExperimentInput!) { createExperiment(input: $i) { name } }', {
      i: { name: EXP, displayName: 'Fan test bench' },
    });
    await ok(`mutation($i: CreatePvInput!) { createPv(input: $i) { ${PV_FIELDS} } }`, {
      i: {
        name: FAN,
        displayName: 'Fan speed',
        unit: 'rpm',
        writable: true,
        setMin: 0,
        setMax: 100,
        thresholdMin: 10,
        thresholdMax: 90,
      },
    });
    await ok(`mutation($i: CreatePvInput!) { createPv(input: $i) { name } }`, {
      i: { name: STATE, type: 'TEXT', writable: true },
    });
    await ok(`mutation($i: CreatePvInput!) { createPv(input: $i) { name } }`, { i: { name: TEMP, unit: '°C' } });
    await ok('mutation($e: String!, $u: String!) { assignUserToExperiment(experimentName: $e, userId: $u) { name } }', {
      e: EXP,
      u: aliceId,
    });
  });

  afterAll(async () => {
    await device?.endAsync();
    await t?.close();
  });

  it('creates experiments and PVs, refuses bad ones naming the field, and lets only administrators change them', async () => {
    const { pv } = await ok(`query($n: String!) { pv(name: $n) { ${PV_FIELDS} } }`, { n: FAN });
    expect(pv).toMatchObject({ experimentName: EXP, unit: 'rpm', writable: true, type: 'NUMBER', setMax: 100 });

    const bands = await t.graphql(
      'mutation { createPv(input: { name: "' +
        `${EXP}:Bad` +
        '", thresholdMin: 5, thresholdMax: 5, type: TEXT, setMin: 1 }) { id } }',
      {},
      admin,
    );
    expect(errorOf(bands)).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(Object.keys(errorOf(bands).fields).sort()).toEqual(['setMin', 'thresholdMax']);
    const badName = await t.graphql('mutation { createPv(input: { name: "a::b/c" }) { id } }', {}, admin);
    expect(errorOf(badName)).toMatchObject({ code: 'BAD_USER_INPUT', fields: { name: expect.any(String) } });
    const duplicate = await t.graphql(
      'mutation($n: String!) { createPv(input: { name: $n }) { id } }',
      { n: FAN },
      admin,
    );
    expect(errorOf(duplicate)).toMatchObject({ code: 'CONFLICT' });

    // A PV of a new prefix brings its experiment.
    const other = `Other${RUN}:Level`;
    await ok('mutation($n: String!) { createPv(input: { name: $n }) { experimentName } }', { n: other });
    const { experiment } = await ok('query($n: String!) { experiment(name: $n) { name displayName } }', {
      n: `Other${RUN}`,
    });
    expect(experiment).toEqual({ name: `Other${RUN}`, displayName: null });

    // Alice is assigned but no administrator: she reads, she does not change or delete.
    for (const mutation of [
      `mutation { deleteExperiment(name: "${EXP}") { deleted } }`,
      `mutation { updatePv(name: "${FAN}", input: { writable: false }) { name } }`,
      `mutation { createExperiment(input: { name: "Mine${RUN}" }) { name } }`,
    ])
      expect(errorOf(await t.graphql(mutation, {}, alice))).toMatchObject({ code: 'FORBIDDEN' });
    const { pvs } = await ok(
      'query($e: String!) { pvs(experimentName: $e) { totalCount items { name } } }',
      { e: EXP },
      alice,
    );
    expect(pvs.items.map((p: { name: string }) => p.name)).toEqual([FAN, STATE, TEMP]);
    const { updatePv } = await ok(
      `mutation { updatePv(name: "${TEMP}", input: { thresholdMax: 80 }) { thresholdMax } }`,
    );
    expect(updatePv.thresholdMax).toBe(80);
  });

  it('stores numbers and texts published over MQTT and serves latest values and history', async () => {
    const { pv: fan } = await ok('query($n: String!) { pv(name: $n) { id } }', { n: FAN });
    const { pv: state } = await ok('query($n: String!) { pv(name: $n) { id } }', { n: STATE });
    const times = Array.from({ length: 4 }, nextTs);
    await publish(FAN, { ts: times[0], value: 10 });
    await publish(FAN, [
      { ts: times[1], value: 20.5 },
      { ts: times[2], value: 'fast' },
      { ts: times[3], value: 30 },
    ]);
    await publish(STATE, { ts: times[0], value: 'IDLE' });
    await publish(STATE, [
      { ts: times[2], value: 'RUNNING' },
      { ts: times[3], value: 7 },
    ]);
    await waitFor(async () => (await stored(fan.id)) === 3 && (await stored(state.id)) === 3, {
      what: 'three values of each PV stored (the text of the number PV left out)',
    });

    const { latestPvValues } = await ok(
      'query($e: String) { latestPvValues(experimentName: $e) { pvName ts value text } }',
      { e: EXP },
      alice,
    );
    expect(latestPvValues).toEqual([
      { pvName: FAN, ts: new Date(times[3]).toISOString(), value: 30, text: null },
      { pvName: STATE, ts: new Date(times[3]).toISOString(), value: null, text: '7' },
    ]);

    const window = { from: new Date(times[0]).toISOString(), to: new Date(times[3] + 1).toISOString() };
    const { pvHistory: raw } = await ok(
      'query($n: [String!]!, $from: DateTime, $to: DateTime) { pvHistory(pvNames: $n, from: $from, to: $to) { pvName truncated samples { value text } } }',
      { n: [FAN, STATE], ...window },
      alice,
    );
    expect(raw[0].samples.map((s: { value: number }) => s.value)).toEqual([10, 20.5, 30]);
    expect(raw[1].samples.map((s: { text: string }) => s.text)).toEqual(['IDLE', 'RUNNING', '7']);
    const { pvHistory: bucketed } = await ok(
      'query($n: [String!]!, $from: DateTime, $to: DateTime) { pvHistory(pvNames: $n, from: $from, to: $to, maxPoints: 2) { pvName buckets { count min max avg lastText } } }',
      { n: [FAN, STATE], ...window },
      alice,
    );
    const fanBuckets = bucketed[0].buckets as Array<{ count: number; min: number; max: number }>;
    expect(fanBuckets.reduce((sum, b) => sum + b.count, 0)).toBe(3);
    expect(Math.min(...fanBuckets.map((b) => b.min))).toBe(10);
    expect(Math.max(...fanBuckets.map((b) => b.max))).toBe(30);
    expect(bucketed[1].buckets.at(-1)).toMatchObject({ lastText: '7', min: null });
  });

  it('streams new values per experiment and per PV to an assigned user', async () => {
    const client = t.wsClient(alice);
    const perExperiment = collect(
      client,
      'subscription($e: String) { pvValueAdded(experimentName: $e) { pvName value text } }',
      {
        e: EXP,
      },
    );
    const perPv = collect(client, 'subscription($n: [String!]) { pvValueAdded(pvNames: $n) { pvName value text } }', {
      n: [STATE],
    });
    await waitFor(
      async () => {
        if (perExperiment.events.length && perPv.events.length) return true;
        await publish(STATE, { ts: nextTs(), value: 'STOPPED' });
        return false;
      },
      { intervalMs: 200, what: 'a live value on both subscriptions' },
    );
    expect(perPv.events[0]).toEqual({ data: { pvValueAdded: { pvName: STATE, value: null, text: 'STOPPED' } } });
    expect(perExperiment.events[0].data).toEqual({ pvValueAdded: { pvName: STATE, value: null, text: 'STOPPED' } });
    perExperiment.unsubscribe();
    perPv.unsubscribe();
  });

  it('answers a user who is not assigned NOT_FOUND everywhere, exactly as for an experiment that does not exist', async () => {
    const missing = `Missing${RUN}`;
    const probes: Array<[string, (name: string, pv: string) => Record<string, unknown>]> = [
      ['query($e: String!) { experiment(name: $e) { name } }', (e) => ({ e })],
      ['query($p: String!) { pv(name: $p) { name } }', (_e, p) => ({ p })],
      ['query($e: String!) { pvs(experimentName: $e) { totalCount } }', (e) => ({ e })],
      ['query($e: String) { latestPvValues(experimentName: $e) { pvName } }', (e) => ({ e })],
      ['query($p: [String!]!) { pvHistory(pvNames: $p, lastMinutes: 60) { pvName } }', (_e, p) => ({ p: [p] })],
      ['query($e: String!) { pvSets(experimentName: $e) { totalCount } }', (e) => ({ e })],
      ['mutation($p: String!) { setPv(name: $p, value: "1") { id } }', (_e, p) => ({ p })],
    ];
    for (const [query, variables] of probes) {
      const hidden = errorOf(await t.graphql(query, variables(EXP, FAN), bob));
      const absent = errorOf(await t.graphql(query, variables(missing, `${missing}:X`), bob));
      expect({ query, code: hidden.code }).toEqual({ query, code: 'NOT_FOUND' });
      expect({ query, code: absent.code }).toEqual({ query, code: 'NOT_FOUND' });
      expect(Object.keys(hidden).sort()).toEqual(Object.keys(absent).sort());
    }
    const { experiments } = await ok('{ experiments(limit: 500) { items { name } } }', {}, bob);
    expect(experiments.items).toEqual([]);
    const { pvSets } = await ok('{ pvSets { totalCount } }', {}, bob);
    expect(pvSets.totalCount).toBe(0);

    const client = t.wsClient(bob);
    for (const [query, variables] of [
      ['subscription($e: String) { pvValueAdded(experimentName: $e) { pvName } }', { e: EXP }],
      ['subscription($n: [String!]) { pvValueAdded(pvNames: $n) { pvName } }', { n: [FAN] }],
    ] as const) {
      const subscription = collect(client, query, variables);
      await waitFor(() => subscription.events.length > 0 || Boolean(subscription.error), {
        what: 'the subscription refused',
      });
      expect(subscription.events[0]?.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    }
  });

  it('sets a writable PV: a real MQTT client receives the plain text on the set topic, and the set is recorded', async () => {
    const listener = await connectAsync(t.mqttUrl, { protocolVersion: 4, clientId: `set-${RUN}`, clean: true });
    const received: Array<{ topic: string; payload: string }> = [];
    listener.on('message', (topic, payload) => received.push({ topic, payload: payload.toString('utf8') }));
    await listener.subscribeAsync(`plant/pv-set/${EXP}/#`, { qos: 1 });
    try {
      const { setPv } = await ok(
        'mutation($n: String!) { setPv(name: $n, value: " 42.50 ") { pvName value userId userDisplayName at } }',
        { n: FAN },
        alice,
      );
      expect(setPv).toMatchObject({ pvName: FAN, value: '42.5', userId: aliceId, userDisplayName: 'alice' });
      await ok('mutation($n: String!) { setPv(name: $n, value: "OPEN; valve & co") { id } }', { n: STATE }, alice);
      await waitFor(() => received.length === 2, { what: 'both sets on the set topic' });
      expect(received).toEqual([
        { topic: `plant/pv-set/${EXP}/Machine3/FanSpeed1`, payload: '42.5' },
        { topic: `plant/pv-set/${EXP}/Machine3/State`, payload: 'OPEN; valve & co' },
      ]);
      const { pvSets } = await ok(
        'query($p: String!) { pvSets(pvName: $p) { totalCount items { pvName value userDisplayName } } }',
        { p: FAN },
        alice,
      );
      expect(pvSets).toEqual({ totalCount: 1, items: [{ pvName: FAN, value: '42.5', userDisplayName: 'alice' }] });
    } finally {
      await listener.endAsync();
    }
  });

  it('refuses a set that is not writable, of the wrong type or out of range, or by a user not assigned, recording nothing', async () => {
    const before = await setsRecorded();
    const refusals: Array<[string, string, string, Record<string, unknown>]> = [
      [TEMP, '20', alice, { code: 'FORBIDDEN', reason: 'NOT_WRITABLE' }],
      [FAN, 'fast', alice, { code: 'BAD_USER_INPUT', reason: 'WRONG_TYPE', fields: { value: expect.any(String) } }],
      [FAN, '0x10', alice, { code: 'BAD_USER_INPUT', reason: 'WRONG_TYPE' }],
      [FAN, '150', alice, { code: 'BAD_USER_INPUT', reason: 'OUT_OF_RANGE', fields: { value: 'must be at most 100' } }],
      [FAN, '-1', alice, { code: 'BAD_USER_INPUT', reason: 'OUT_OF_RANGE' }],
      [FAN, '50', bob, { code: 'NOT_FOUND' }],
    ];
    for (const [name, value, token, expected] of refusals) {
      const result = await t.graphql(
        'mutation($n: String!, $v: String!) { setPv(name: $n, value: $v) { id } }',
        { n: name, v: value },
        token,
      );
      expect({ name, value, error: errorOf(result) }).toEqual({
        name,
        value,
        error: expect.objectContaining(expected),
      });
    }
    expect(await setsRecorded()).toBe(before);
  });

  it('ends a running subscription with NOT_FOUND when its user is unassigned', async () => {
    const { createExperiment } = await ok('mutation($n: String!) { createExperiment(input: { name: $n }) { name } }', {
      n: `Gone${RUN}`,
    });
    const pv = `${createExperiment.name}:Pressure`;
    await ok('mutation($n: String!) { createPv(input: { name: $n }) { id } }', { n: pv });
    await ok('mutation($e: String!, $u: String!) { assignUserToExperiment(experimentName: $e, userId: $u) { name } }', {
      e: createExperiment.name,
      u: aliceId,
    });
    const subscription = collect(
      t.wsClient(alice),
      'subscription($e: String) { pvValueAdded(experimentName: $e) { pvName value } }',
      { e: createExperiment.name },
    );
    await waitFor(
      async () => {
        if (subscription.events.length) return true;
        await publish(pv, { ts: nextTs(), value: 1.5 });
        return false;
      },
      { intervalMs: 200, what: 'the subscription running' },
    );
    await ok(
      'mutation($e: String!, $u: String!) { unassignUserFromExperiment(experimentName: $e, userId: $u) { name } }',
      {
        e: createExperiment.name,
        u: aliceId,
      },
    );
    const ended = await waitFor(() => subscription.error ?? subscription.events.find((e) => e.errors?.length), {
      what: 'the subscription ended',
    });
    expect(JSON.stringify(ended)).toContain('NOT_FOUND');
    const after = subscription.events.length;
    await publish(pv, { ts: nextTs(), value: 2.5 });
    await waitFor(
      async () => {
        const { latestPvValues } = await ok('query($n: [String!]) { latestPvValues(pvNames: $n) { value } }', {
          n: [pv],
        });
        return latestPvValues[0]?.value === 2.5;
      },
      { what: 'the value after unassignment stored' },
    );
    expect(subscription.events.length).toBe(after);
  });

  it('ends the subscription of an administrator who is not assigned once a role change takes experiments:write away', async () => {
    const carol = await user('carol', ['admin']);
    const subscription = collect(
      t.wsClient(carol.token),
      'subscription($e: String) { pvValueAdded(experimentName: $e) { pvName } }',
      { e: EXP },
    );
    await waitFor(
      async () => {
        if (subscription.events.length) return true;
        await publish(TEMP, { ts: nextTs(), value: 21 });
        return false;
      },
      { intervalMs: 200, what: 'the administrator streaming an experiment she is not assigned to' },
    );
    await ok('mutation($id: ID!) { updateUser(id: $id, input: { roles: ["operator"] }) { id } }', { id: carol.id });
    const ended = await waitFor(() => subscription.error ?? subscription.events.find((e) => e.errors?.length), {
      what: 'the subscription ended',
    });
    expect(JSON.stringify(ended)).toContain('NOT_FOUND');
  });

  it("removes a deleted user's assignments", async () => {
    const dave = await user('dave');
    await ok('mutation($e: String!, $u: String!) { assignUserToExperiment(experimentName: $e, userId: $u) { name } }', {
      e: EXP,
      u: dave.id,
    });
    const assigned = async () =>
      (
        await ok(
          'query($e: String!) { experimentAssignments(experimentName: $e, limit: 500) { items { userId displayName } } }',
          {
            e: EXP,
          },
        )
      ).experimentAssignments.items as Array<{ userId: string; displayName: string }>;
    expect(await assigned()).toEqual(expect.arrayContaining([{ userId: dave.id, displayName: 'dave' }]));
    await ok('mutation($id: ID!) { deleteUser(id: $id) { id } }', { id: dave.id });
    await waitFor(async () => !(await assigned()).some((a) => a.userId === dave.id), {
      what: "the deleted user's assignment removed",
    });
  });

  it('lists values of an unknown PV as an unregistered source, and registers the PV in one step', async () => {
    const name = `${EXP}:New:Sensor`;
    await publish(name, 3.25);
    const listed = await waitFor(
      async () => {
        const { unregisteredSources } = await ok(
          '{ unregisteredSources(kind: PV, limit: 500) { items { topic sourceKey } } }',
        );
        return unregisteredSources.items.find((i: { sourceKey: string }) => i.sourceKey === name);
      },
      { what: 'the unknown PV listed', timeoutMs: 15_000 },
    );
    expect(listed.topic).toBe(`${PLANT}/pv/${EXP}/New/Sensor`);
    expect(errorOf(await t.graphql('{ unregisteredSources(kind: PV) { totalCount } }', {}, alice))).toMatchObject({
      code: 'FORBIDDEN',
    });
    const { registerUnregisteredPv } = await ok(
      'mutation($topic: String!) { registerUnregisteredPv(topic: $topic, input: { unit: "bar" }) { id name unit experimentName } }',
      { topic: listed.topic },
    );
    expect(registerUnregisteredPv).toMatchObject({ name, unit: 'bar', experimentName: EXP });
    await publish(name, 3.5);
    await waitFor(async () => (await stored(registerUnregisteredPv.id)) === 1, { what: 'the registered PV value' });
  });

  it('deletes a PV and an experiment with what goes with them, and says so', async () => {
    const exp = `Doomed${RUN}`;
    const { createPv } = await ok('mutation($n: String!) { createPv(input: { name: $n, writable: true }) { id } }', {
      n: `${exp}:Flow`,
    });
    await ok('mutation($e: String!, $u: String!) { assignUserToExperiment(experimentName: $e, userId: $u) { name } }', {
      e: exp,
      u: aliceId,
    });
    await publish(`${exp}:Flow`, [
      { ts: nextTs(), value: 1 },
      { ts: nextTs(), value: 2 },
    ]);
    await waitFor(async () => (await stored(createPv.id)) === 2, { what: 'the doomed values' });
    await ok('mutation($n: String!) { setPv(name: $n, value: "3") { id } }', { n: `${exp}:Flow` }, alice);
    const { deleteExperiment } = await ok(
      'mutation($e: String!) { deleteExperiment(name: $e) { deleted removed { what count } } }',
      {
        e: exp,
      },
    );
    expect(deleteExperiment.deleted).toBe(`experiment ${exp}`);
    expect(deleteExperiment.removed).toEqual(
      expect.arrayContaining([
        { what: 'pvs', count: 1 },
        { what: 'assignments', count: 1 },
        { what: 'values', count: 2 },
        { what: 'sets', count: 1 },
      ]),
    );
    expect(await stored(createPv.id)).toBe(0);
    expect(
      errorOf(await t.graphql('query($e: String!) { experiment(name: $e) { name } }', { e: exp }, admin)),
    ).toMatchObject({
      code: 'NOT_FOUND',
    });
    const { pv: temp } = await ok('query($n: String!) { pv(name: $n) { id } }', { n: TEMP });
    const tempValues = await stored(temp.id);
    const { deletePv } = await ok('mutation($n: String!) { deletePv(name: $n) { deleted removed { what count } } }', {
      n: TEMP,
    });
    expect(await stored(temp.id)).toBe(0);
    expect(deletePv).toEqual({
      deleted: `PV ${TEMP}`,
      removed: [
        { what: 'threshold subscriptions', count: 0 },
        { what: 'values', count: tempValues },
        { what: 'sets', count: 0 },
      ],
    });
  });
});
