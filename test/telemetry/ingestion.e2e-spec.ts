import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import pg from 'pg';
import { AppConfig } from '../../src/config/app-config.js';
import { MqttService } from '../../src/shared/mqtt/mqtt.service.js';
import { PartitionMaintenanceService } from '../../src/shared/ingestion/partition-maintenance.service.js';
import { SampleIngestion } from '../../src/shared/ingestion/sample-ingestion.service.js';
import type { AxisSample, ElectricalSample, ToolSample } from '../../src/telemetry/domain/samples.js';
import { collect, startTestApp, type TestApp, testPlantRoot } from '../harness/app.js';
import { metricSum } from '../harness/metrics.js';
import { createTestDatabase } from '../harness/database.js';
import { waitFor } from '../harness/wait-for.js';

/** This file's plant root topic (PLANT_MQTT_ROOT of its apps): devices publish under it. */
const PLANT = testPlantRoot();

/**
 * Plant telemetry end to end: a device publishes over MQTT (QoS 1) like a real one; rows,
 * `latestTelemetry`, subscriptions, rejections, unregistered sources, partitions, and a
 * service killed mid-stream that loses nothing it acknowledged.
 *
 * The broker is shared with every other test file running now, and each app subscribes to
 * every machine's topics: codes are unique per run, and counters are compared with a
 * baseline rather than expected exact.
 */
const RUN = randomBytes(3).toString('hex');
const CREATE_MACHINE = 'mutation($i: CreateMachineInput!) { createMachine(input: $i) { id code } }';
const ELECTRICAL_ADDED = `subscription($codes: [String!], $rate: Float) {
  electricalSampleAdded(machineCodes: $codes, maxRatePerSecond: $rate) { machineCode ts current voltage }
}`;
const AXIS_ADDED = `subscription($codes: [String!], $axes: [SampleAxis!]) {
  axisSampleAdded(machineCodes: $codes, axes: $axes) {
    machineCode axis ts actual target distanceToGo velocity acceleration homed
  }
}`;
const LATEST = `query($codes: [String!]) {
  latestTelemetry(machineCodes: $codes) {
    machine { code name }
    electrical { ts current voltage }
    axes { axis ts actual target distanceToGo velocity acceleration homed }
    tool { ts toolInUse toolOffset feedRate }
  }
}`;
const UNREGISTERED = `query($kind: UnregisteredSourceKind) {
  unregisteredSources(kind: $kind, limit: 500) { totalCount items { topic kind sourceKey part firstSeenAt lastSeenAt messageCount } }
}`;

type Subscription = ReturnType<typeof collect<Record<string, any>>>;

const axisReading = (actual: number, target: number) => ({
  actual,
  target,
  velocity: 12.5,
  acceleration: 0.5,
  homed: true,
});
const topicOf = (code: string, kind: 'electrical' | 'axes' | 'tool') => `${PLANT}/machines/${code}/${kind}`;

/** Devices and app sessions to end, so that persistent sessions do not pile up in the broker. */
async function forgetSession(mqttUrl: string, clientId: string): Promise<void> {
  const client = await connectAsync(mqttUrl, { clientId, clean: true, protocolVersion: 4, reconnectPeriod: 0 });
  await client.endAsync();
}

async function startDevice(mqttUrl: string): Promise<MqttClient> {
  return connectAsync(mqttUrl, { clientId: `dev-${randomBytes(5).toString('hex')}`, protocolVersion: 4, clean: true });
}

describe('plant telemetry ingestion', () => {
  let t: TestApp;
  let admin: string;
  let device: MqttClient;
  const CNC = `cnc-${RUN}`;
  const WELDER = `weld-${RUN}`;
  const ids: Record<string, number> = {};
  /** Distinct sample times: every test publishes later ones than the one before. */
  let clock = Date.now() - 60_000;
  const nextTs = () => (clock += 10);

  async function ok(query: string, variables?: Record<string, unknown>): Promise<Record<string, any>> {
    const result = await t.graphql(query, variables, admin);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  async function publish(code: string, kind: 'electrical' | 'axes' | 'tool', payload: unknown): Promise<void> {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    await device.publishAsync(topicOf(code, kind), body, { qos: 1 });
  }

  async function rows<T = Record<string, any>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await t.db.query(sql, params)) as T[];
  }

  /**
   * Subscribes and waits until the subscription provably receives events: publishes `primer`
   * samples until one arrives (through Redis, a SUBSCRIBE completes after the operation starts).
   */
  /**
   * A subscription that is live: primers are published until one comes back, then the test
   * waits for the last primer sent, so that no primer still on its way lands among the events
   * a test counts from here (the machine's samples arrive in order, and every primer after the
   * first that came back is delivered).
   */
  async function subscribed(
    query: string,
    variables: Record<string, unknown>,
    primer: (ts: number) => Promise<void>,
  ): Promise<Subscription> {
    const subscription = collect(t.wsClient(admin), query, variables);
    let lastPrimer = 0;
    await waitFor(
      async () => {
        if (subscription.events.length) return true;
        lastPrimer = nextTs();
        await primer(lastPrimer);
        return false;
      },
      { intervalMs: 200, what: 'a primer event' },
    );
    const last = new Date(lastPrimer).toISOString();
    await waitFor(
      () => subscription.events.some((e) => e.data && Object.values(e.data).some((sample: any) => sample.ts === last)),
      { what: 'the last primer event' },
    );
    return subscription;
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.login();
    device = await startDevice(t.mqttUrl);
    const axes = ['X', 'Y', 'Z'].map((name) => ({ name, maxVelocity: 100, maxAcceleration: 10 }));
    ids[CNC] = Number((await ok(CREATE_MACHINE, { i: { code: CNC, name: 'CNC mill', axes } })).createMachine.id);
    ids[WELDER] = Number((await ok(CREATE_MACHINE, { i: { code: WELDER, name: 'Welder' } })).createMachine.id);
  });

  afterAll(async () => {
    await device?.endAsync();
    const clientId = t.app.get(AppConfig).MQTT_CLIENT_ID;
    await t.close();
    await forgetSession(t.mqttUrl, clientId);
  });

  it("creates today's partitions (yesterday to a week ahead) before ingesting", async () => {
    const day = (offset: number) =>
      new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
    const names = (
      await rows<{ name: string }>("SELECT relname AS name FROM pg_class WHERE relname LIKE '%_samples_p%'")
    ).map((r) => r.name);
    for (const table of ['electrical_samples', 'axis_samples', 'tool_samples'])
      for (const offset of [-1, 0, 1, 7]) expect(names).toContain(`${table}_p${day(offset)}`);
  });

  it('stores electrical samples of single and batched messages, and answers latestTelemetry', async () => {
    const single = nextTs();
    const batch = [nextTs(), nextTs(), nextTs()];
    await publish(WELDER, 'electrical', { ts: new Date(single).toISOString(), current: 150.5, voltage: 24 });
    await publish(
      WELDER,
      'electrical',
      batch.map((ts, i) => ({ ts, current: 100 + i, voltage: 20 + i, unknown: 'ignored' })),
    );
    const stored = await waitFor(
      async () => {
        const found = await rows<{ ts: Date; current: number; voltage: number }>(
          'SELECT ts, current, voltage FROM electrical_samples WHERE machine_id = $1 ORDER BY ts',
          [ids[WELDER]],
        );
        return found.length === 4 && found;
      },
      { what: 'four electrical rows' },
    );
    expect(stored.map((r) => r.ts.getTime())).toEqual([single, ...batch]);
    expect(stored[0]).toMatchObject({ current: 150.5, voltage: 24 });
    expect(stored[3]).toMatchObject({ current: 102, voltage: 22 });

    const { latestTelemetry } = await ok(LATEST, { codes: [WELDER] });
    expect(latestTelemetry).toEqual([
      {
        machine: { code: WELDER, name: 'Welder' },
        electrical: { ts: new Date(batch[2]).toISOString(), current: 102, voltage: 22 },
        axes: [],
        tool: null,
      },
    ]);
    await waitFor(
      async () =>
        (await ok('query($c: String!) { machine(code: $c) { lastSeenAt } }', { c: WELDER })).machine.lastSeenAt,
      {
        what: "the machine's last seen time",
      },
    );
  });

  it('stores a subset of axes with distance to go computed, leaving out an axis the machine lacks', async () => {
    const dropped = await metricSum(t, 'plantgraph_ingestion_samples_dropped_total', { reason: 'unknown_axis' });
    const ts = nextTs();
    await publish(CNC, 'axes', {
      ts,
      axes: { X: axisReading(10, 25.5), Z: axisReading(-3, -1), A: axisReading(1, 1) },
    });
    const stored = await waitFor(
      async () => {
        const found = await rows(
          `SELECT axis, actual, target, distance_to_go, velocity, acceleration, homed FROM axis_samples
           WHERE machine_id = $1 AND ts = $2 ORDER BY axis`,
          [ids[CNC], new Date(ts)],
        );
        return found.length === 2 && found;
      },
      { what: 'two axis rows' },
    );
    expect(stored).toEqual([
      { axis: 'X', actual: 10, target: 25.5, distance_to_go: 15.5, velocity: 12.5, acceleration: 0.5, homed: true },
      { axis: 'Z', actual: -3, target: -1, distance_to_go: 2, velocity: 12.5, acceleration: 0.5, homed: true },
    ]);
    expect(await metricSum(t, 'plantgraph_ingestion_samples_dropped_total', { reason: 'unknown_axis' })).toBe(
      dropped + 1,
    );

    const rejected = await metricSum(t, 'plantgraph_mqtt_messages_rejected_total', { reason: 'unknown_axis' });
    await publish(CNC, 'axes', { ts: nextTs(), axes: { C: axisReading(1, 2) } });
    await waitFor(
      async () =>
        (await metricSum(t, 'plantgraph_mqtt_messages_rejected_total', { reason: 'unknown_axis' })) > rejected,
      { what: 'a message with only unknown axes to be refused' },
    );
  });

  it('stores tool samples, any of the three fields, and serves every kind from latestTelemetry', async () => {
    const [first, second] = [nextTs(), nextTs()];
    await publish(CNC, 'tool', [
      { ts: first, toolInUse: 3, toolOffset: 1.25, feedrate: 800 },
      { ts: second, feedrate: 650 },
    ]);
    const stored = await waitFor(
      async () => {
        const found = await rows(
          'SELECT tool_in_use, tool_offset, feed_rate FROM tool_samples WHERE machine_id = $1 ORDER BY ts',
          [ids[CNC]],
        );
        return found.length === 2 && found;
      },
      { what: 'two tool rows' },
    );
    expect(stored).toEqual([
      { tool_in_use: 3, tool_offset: 1.25, feed_rate: 800 },
      { tool_in_use: null, tool_offset: null, feed_rate: 650 },
    ]);
    const { latestTelemetry } = await ok(LATEST, { codes: [CNC] });
    expect(latestTelemetry[0].tool).toEqual({
      ts: new Date(second).toISOString(),
      toolInUse: null,
      toolOffset: null,
      feedRate: 650,
    });
    expect(latestTelemetry[0].axes.map((a: { axis: string }) => a.axis)).toEqual(['X', 'Z']);
    expect(latestTelemetry[0].axes[0]).toMatchObject({ actual: 10, target: 25.5, distanceToGo: 15.5, homed: true });

    // What a restarted service loads into memory: the same newest samples, read back from the tables.
    const ingestion = t.app.get(SampleIngestion);
    const since = new Date(Date.now() - 86_400_000);
    const load = <S extends { ts: Date }>(kind: string) => ingestion.kind<S>(kind).stored.latest([ids[CNC]], since);
    expect(await load<ElectricalSample>('electrical')).toEqual([]);
    expect((await load<AxisSample>('axis')).map((a) => [a.axis, a.actual]).sort()).toEqual([
      ['X', 10],
      ['Z', -3],
    ]);
    expect(await load<ToolSample>('tool')).toEqual([
      { machineId: ids[CNC], ts: new Date(second), toolInUse: null, toolOffset: null, feedRate: 650 },
    ]);

    const unknown = await t.graphql(LATEST, { codes: [CNC, 'no-such-machine'] }, admin);
    expect(unknown.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('streams new samples to subscribers, filtered by machine and by axis', async () => {
    const primeWelder = (ts: number) => publish(WELDER, 'electrical', { ts, current: 1, voltage: 1 });
    const primeCnc = (ts: number) => publish(CNC, 'axes', { ts, axes: { X: axisReading(0, 0) } });
    const welderOnly = await subscribed(ELECTRICAL_ADDED, { codes: [WELDER] }, primeWelder);
    const everyMachine = await subscribed(ELECTRICAL_ADDED, {}, primeWelder);
    const xOnly = await subscribed(AXIS_ADDED, { codes: [CNC], axes: ['X'] }, primeCnc);
    const [welderFrom, everyFrom, xFrom] = [welderOnly, everyMachine, xOnly].map((s) => s.events.length);

    const axesTs = nextTs();
    await publish(CNC, 'axes', { ts: axesTs, axes: { X: axisReading(5, 7), Y: axisReading(1, 0) } });
    const batch = [nextTs(), nextTs()];
    await publish(WELDER, 'electrical', [
      { ts: batch[0], current: 201, voltage: 31 },
      { ts: batch[1], current: 202, voltage: 32 },
    ]);
    await waitFor(() => welderOnly.events.length >= welderFrom + 2 && everyMachine.events.length >= everyFrom + 2, {
      what: 'the electrical events',
    });
    await waitFor(() => xOnly.events.length >= xFrom + 1, { what: 'the X axis event' });

    expect(welderOnly.events.slice(welderFrom).map((e) => e.data!.electricalSampleAdded)).toEqual([
      { machineCode: WELDER, ts: new Date(batch[0]).toISOString(), current: 201, voltage: 31 },
      { machineCode: WELDER, ts: new Date(batch[1]).toISOString(), current: 202, voltage: 32 },
    ]);
    expect(xOnly.events.slice(xFrom).map((e) => e.data!.axisSampleAdded)).toEqual([
      {
        machineCode: CNC,
        axis: 'X',
        ts: new Date(axesTs).toISOString(),
        actual: 5,
        target: 7,
        distanceToGo: 2,
        velocity: 12.5,
        acceleration: 0.5,
        homed: true,
      },
    ]);
    for (const subscription of [welderOnly, everyMachine, xOnly]) subscription.unsubscribe();
  });

  it('stores and publishes a duplicate message (same ts) once', async () => {
    const subscription = await subscribed(ELECTRICAL_ADDED, { codes: [WELDER] }, (ts) =>
      publish(WELDER, 'electrical', { ts, current: 1, voltage: 1 }),
    );
    const from = subscription.events.length;
    const duplicates = await metricSum(t, 'plantgraph_batch_duplicates_total', { table: 'electrical_samples' });
    const ts = nextTs();
    await publish(WELDER, 'electrical', { ts, current: 77, voltage: 7 });
    await publish(WELDER, 'electrical', { ts, current: 77, voltage: 7 });
    await waitFor(
      async () =>
        (await metricSum(t, 'plantgraph_batch_duplicates_total', { table: 'electrical_samples' })) > duplicates,
      { what: 'the duplicate to be skipped' },
    );
    await waitFor(() => subscription.events.length > from, { what: 'the event' });
    const stored = await rows('SELECT count(*)::int AS n FROM electrical_samples WHERE machine_id = $1 AND ts = $2', [
      ids[WELDER],
      new Date(ts),
    ]);
    expect(stored).toEqual([{ n: 1 }]);
    expect(
      subscription.events.slice(from).filter((e) => e.data!.electricalSampleAdded.ts === new Date(ts).toISOString()),
    ).toHaveLength(1);
    subscription.unsubscribe();
  });

  it('refuses and counts malformed messages, and stores the next good one', async () => {
    const route = `${PLANT}/machines/+code/electrical`;
    const badJson = await metricSum(t, 'plantgraph_mqtt_messages_rejected_total', { route, reason: 'invalid_json' });
    const badField = await metricSum(t, 'plantgraph_mqtt_messages_rejected_total', { route, reason: 'invalid_field' });
    await publish(WELDER, 'electrical', '{"current": 12, "voltage":');
    await publish(WELDER, 'electrical', { ts: nextTs(), current: '12', voltage: 230 });
    const good = nextTs();
    await publish(WELDER, 'electrical', { ts: good, current: 12, voltage: 230 });
    await waitFor(
      async () =>
        (
          await rows('SELECT 1 FROM electrical_samples WHERE machine_id = $1 AND ts = $2', [
            ids[WELDER],
            new Date(good),
          ])
        ).length === 1,
      { what: 'the good message after the bad ones' },
    );
    await waitFor(
      async () =>
        (await metricSum(t, 'plantgraph_mqtt_messages_rejected_total', { route, reason: 'invalid_json' })) ===
          badJson + 1 &&
        (await metricSum(t, 'plantgraph_mqtt_messages_rejected_total', { route, reason: 'invalid_field' })) ===
          badField + 1,
      { what: 'both rejections counted' },
    );
  });

  it('lists a topic of an unknown machine with its count and times, and registers it as a machine', async () => {
    const ghost = `ghost-${RUN}`;
    const topic = topicOf(ghost, 'electrical');
    const before = new Date();
    for (let i = 0; i < 3; i++) await publish(ghost, 'electrical', { ts: nextTs(), current: 1, voltage: 1 });
    await publish(ghost, 'axes', { ts: nextTs(), axes: { X: axisReading(0, 1) } });
    const listed = await waitFor(
      async () => {
        const { unregisteredSources } = await ok(UNREGISTERED, { kind: 'MACHINE' });
        const items = unregisteredSources.items.filter((i: { sourceKey: string }) => i.sourceKey === ghost);
        return (
          items.length === 2 &&
          items.find((i: { topic: string; messageCount: number }) => i.topic === topic && i.messageCount === 3)
        );
      },
      { what: 'the unregistered topics', timeoutMs: 15_000 },
    );
    expect(listed).toMatchObject({ kind: 'MACHINE', sourceKey: ghost, messageCount: 3 });
    expect(new Date(listed.firstSeenAt).getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect(new Date(listed.lastSeenAt).getTime()).toBeGreaterThanOrEqual(new Date(listed.firstSeenAt).getTime());

    const { registerUnregisteredSource } = await ok(
      'mutation($t: String!, $i: RegisterUnregisteredSourceInput) { registerUnregisteredSource(topic: $t, input: $i) { code name } }',
      { t: topic, i: { name: 'Found welder', axes: [{ name: 'X' }] } },
    );
    expect(registerUnregisteredSource).toEqual({ code: ghost, name: 'Found welder' });
    const { machine } = await ok('query($c: String!) { machine(code: $c) { id name axes { name maxVelocity } } }', {
      c: ghost,
    });
    expect(machine).toMatchObject({ name: 'Found welder', axes: [{ name: 'X', maxVelocity: 1000 }] });
    const { unregisteredSources } = await ok(UNREGISTERED, {});
    expect(unregisteredSources.items.filter((i: { sourceKey: string }) => i.sourceKey === ghost)).toEqual([]);

    const ts = nextTs();
    await publish(ghost, 'electrical', { ts, current: 5, voltage: 6 });
    await waitFor(
      async () =>
        (await rows('SELECT 1 FROM electrical_samples WHERE machine_id = $1 AND ts = $2', [machine.id, new Date(ts)]))
          .length,
      { what: 'samples of the registered machine' },
    );
    const invalidTopics = await metricSum(t, 'plantgraph_mqtt_messages_rejected_total', { reason: 'invalid_topic' });
    await publish(`no code ${RUN}`, 'electrical', { current: 1, voltage: 1 });
    await waitFor(
      async () =>
        (await metricSum(t, 'plantgraph_mqtt_messages_rejected_total', { reason: 'invalid_topic' })) > invalidTopics,
      { what: 'a topic without a valid code to be refused' },
    );
    const after = await ok(UNREGISTERED, {});
    expect(after.unregisteredSources.items.filter((i: { sourceKey: string }) => i.sourceKey.includes(' '))).toEqual([]);

    const missing = await t.graphql(
      'mutation($t: String!) { registerUnregisteredSource(topic: $t) { code } }',
      { t: topicOf(`nobody-${RUN}`, 'tool') },
      admin,
    );
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('lists an axis its machine lacks (machine and axis), and registers it in one step', async () => {
    const code = `axisless-${RUN}`;
    const { createMachine } = await ok(CREATE_MACHINE, {
      i: { code, name: 'Lathe', axes: [{ name: 'X', maxVelocity: 1, maxAcceleration: 1 }] },
    });
    await publish(code, 'axes', { ts: nextTs(), axes: { X: axisReading(1, 2), Y: axisReading(3, 4) } });
    await publish(code, 'axes', { ts: nextTs(), axes: { Y: axisReading(5, 6) } });
    const entry = await waitFor(
      async () => {
        const { unregisteredSources } = await ok(UNREGISTERED, { kind: 'AXIS' });
        return unregisteredSources.items.find(
          (i: { sourceKey: string; messageCount: number }) => i.sourceKey === code && i.messageCount === 2,
        );
      },
      { what: 'the missing axis listed', timeoutMs: 15_000 },
    );
    expect(entry).toMatchObject({ kind: 'AXIS', sourceKey: code, part: 'Y', topic: topicOf(code, 'axes') });

    const { registerUnregisteredSource } = await ok(
      'mutation($t: String!, $p: String, $i: RegisterUnregisteredSourceInput) { registerUnregisteredSource(topic: $t, part: $p, input: $i) { code } }',
      { t: entry.topic, p: 'Y', i: { axes: [{ name: 'Y', maxVelocity: 40, maxAcceleration: 80 }] } },
    );
    expect(registerUnregisteredSource).toEqual({ code });
    const { machine } = await ok(
      'query($c: String!) { machine(code: $c) { axes { name maxVelocity maxAcceleration } } }',
      { c: code },
    );
    expect(machine.axes).toEqual([
      { name: 'X', maxVelocity: 1, maxAcceleration: 1 },
      { name: 'Y', maxVelocity: 40, maxAcceleration: 80 },
    ]);
    const { unregisteredSources } = await ok(UNREGISTERED, { kind: 'AXIS' });
    expect(unregisteredSources.items.filter((i: { sourceKey: string }) => i.sourceKey === code)).toEqual([]);

    const ts = nextTs();
    await publish(code, 'axes', { ts, axes: { Y: axisReading(7, 8) } });
    await waitFor(
      async () =>
        (
          await rows(`SELECT 1 FROM axis_samples WHERE machine_id = $1 AND axis = 'Y' AND ts = $2`, [
            createMachine.id,
            new Date(ts),
          ])
        ).length,
      { what: 'samples of the registered axis' },
    );
  });

  it('coalesces to maxRatePerSecond: a burst of 50 samples reaches a dashboard as a few events, the last one the newest', async () => {
    const prime = (ts: number) => publish(WELDER, 'electrical', { ts, current: 1, voltage: 1 });
    const dashboard = await subscribed(ELECTRICAL_ADDED, { codes: [WELDER], rate: 2 }, prime);
    const everything = await subscribed(ELECTRICAL_ADDED, { codes: [WELDER] }, prime);
    const [dashboardFrom, everythingFrom] = [dashboard.events.length, everything.events.length];
    const burst = Array.from({ length: 50 }, () => nextTs());
    const burstAt = Date.now();
    await Promise.all(burst.map((ts, i) => publish(WELDER, 'electrical', { ts, current: 300 + i, voltage: 40 })));
    const newest = new Date(burst[49]).toISOString();
    await waitFor(() => everything.events.length - everythingFrom === 50, { what: 'all 50 events unthrottled' });
    await waitFor(() => dashboard.events.at(-1)?.data?.electricalSampleAdded.ts === newest, {
      what: 'the newest sample on the dashboard',
    });
    const received = dashboard.events.length - dashboardFrom;
    expect(received).toBeGreaterThanOrEqual(1);
    // 2 a second: a few for a burst that arrives at once; on a loaded machine it may take seconds to arrive.
    expect(received).toBeLessThanOrEqual(Math.max(6, 2 * Math.ceil((Date.now() - burstAt) / 1000) + 2));
    expect(dashboard.events.at(-1)!.data!.electricalSampleAdded).toMatchObject({ current: 349 });
    dashboard.unsubscribe();
    everything.unsubscribe();
  });

  it('moves rows that sit in the DEFAULT partition into the partition it creates for their day', async () => {
    const dayMs = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 3 * 86_400_000;
    const day = new Date(dayMs).toISOString().slice(0, 10);
    const partition = `electrical_samples_p${day.replaceAll('-', '')}`;
    const ts = new Date(dayMs + 3_600_000);
    await rows('INSERT INTO electrical_samples (machine_id, ts, current, voltage) VALUES ($1, $2, 9, 9)', [
      ids[WELDER],
      ts,
    ]);
    const where = () =>
      rows<{ partition: string }>(
        'SELECT tableoid::regclass::text AS partition FROM electrical_samples WHERE machine_id = $1 AND ts = $2',
        [ids[WELDER], ts],
      );
    expect(await where()).toEqual([{ partition: 'electrical_samples_default' }]);

    const report = await t.app.get(PartitionMaintenanceService).run();
    expect(report.created).toContainEqual({ table: 'electrical_samples', day, movedRows: 1 });
    // Its rollups moved alike, and were not counted again on the way.
    expect(report.created).toContainEqual({ table: 'electrical_rollup_1s', day, movedRows: 1 });
    expect(
      await rows('SELECT n FROM electrical_rollup_1m WHERE machine_id = $1 AND ts = $2', [ids[WELDER], ts]),
    ).toEqual([{ n: 1 }]);
    expect(await where()).toEqual([{ partition }]);
    expect(await rows('SELECT count(*)::int AS n FROM electrical_samples_default')).toEqual([{ n: 0 }]);
  });

  it('counts and deletes the samples of a deleted machine', async () => {
    const code = `gone-${RUN}`;
    const { id } = (await ok(CREATE_MACHINE, { i: { code, name: 'Short-lived' } })).createMachine;
    await publish(code, 'electrical', [
      { ts: nextTs(), current: 1, voltage: 1 },
      { ts: nextTs(), current: 2, voltage: 2 },
    ]);
    await waitFor(
      async () => (await rows('SELECT 1 FROM electrical_samples WHERE machine_id = $1', [id])).length === 2,
      {
        what: 'the samples',
      },
    );
    const { deleteMachine } = await ok('mutation($c: String!) { deleteMachine(code: $c) { removed { what count } } }', {
      c: code,
    });
    expect(deleteMachine.removed).toEqual(
      expect.arrayContaining([
        { what: 'electrical samples', count: 2 },
        { what: 'axis samples', count: 0 },
        { what: 'tool samples', count: 0 },
      ]),
    );
    expect(await rows('SELECT 1 FROM electrical_samples WHERE machine_id = $1', [id])).toEqual([]);
  });

  it('keeps messages while PostgreSQL refuses connections, and stores them once it accepts again', async () => {
    const superuser = new pg.Client({ connectionString: process.env.TEST_PG_ADMIN_URL });
    await superuser.connect();
    const failures = await metricSum(t, 'plantgraph_batch_flush_failures_total', {
      table: 'electrical_samples',
      kind: 'unavailable',
    });
    const ts = nextTs();
    try {
      await superuser.query(`ALTER DATABASE "${t.db.name}" WITH ALLOW_CONNECTIONS false`);
      await superuser.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'plantgraph'",
        [t.db.name],
      );
      await publish(WELDER, 'electrical', { ts, current: 55, voltage: 5 });
      await waitFor(
        async () =>
          (await metricSum(t, 'plantgraph_batch_flush_failures_total', {
            table: 'electrical_samples',
            kind: 'unavailable',
          })) > failures,
        { what: 'a failed write' },
      );
    } finally {
      await superuser.query(`ALTER DATABASE "${t.db.name}" WITH ALLOW_CONNECTIONS true`);
      await superuser.end();
    }
    await waitFor(
      async () =>
        (
          await rows('SELECT current FROM electrical_samples WHERE machine_id = $1 AND ts = $2', [
            ids[WELDER],
            new Date(ts),
          ])
        ).length,
      { what: 'the message stored after the outage', timeoutMs: 20_000 },
    );
  });
});

describe('unregistered sources, bounded', () => {
  it('keeps at most UNREGISTERED_SOURCES_MAX of them, counting the messages of the others', async () => {
    const t = await startTestApp({ UNREGISTERED_SOURCES_MAX: '5' });
    const device = await startDevice(t.mqttUrl);
    try {
      const admin = await t.login();
      const flood = `flood-${randomBytes(3).toString('hex')}`;
      const notKept = () => metricSum(t, 'plantgraph_ingestion_unregistered_not_kept_total');
      const before = await notKept();
      for (let i = 0; i < 40; i++)
        await device.publishAsync(topicOf(`${flood}-${i}`, 'electrical'), JSON.stringify({ current: 1, voltage: 1 }), {
          qos: 1,
        });
      await waitFor(async () => (await notKept()) - before >= 35, { what: 'the overflow counted', timeoutMs: 15_000 });
      const { data } = await t.graphql<{ unregisteredSources: { totalCount: number } }>(UNREGISTERED, {}, admin);
      expect(data!.unregisteredSources.totalCount).toBe(5);
    } finally {
      await device.endAsync();
      await t.close();
    }
  });
});

describe('a service killed mid-stream', () => {
  it('loses no acknowledged message and stores none twice after a restart with the same session', async () => {
    const db = await createTestDatabase();
    const clientId = `pg-crash-${randomBytes(4).toString('hex')}`;
    let t = await startTestApp({ MQTT_CLIENT_ID: clientId }, db);
    const device = await startDevice(t.mqttUrl);
    try {
      const admin = await t.login();
      const code = `crash-${RUN}`;
      const created = await t.graphql(CREATE_MACHINE, { i: { code, name: 'Crash test' } }, admin);
      const machineId = Number(created.data!.createMachine.id);

      // A paced stream (~250 messages/s): Mosquitto queues at most 1000 messages for an
      // offline session by default (max_queued_messages), and the restart takes a second or two.
      const TOTAL = 2000;
      const start = Date.now() - 3_600_000;
      const acknowledged: number[] = [];
      let crashed = false;
      const stream = (async () => {
        for (let i = 0; i < TOTAL; i += 10) {
          await Promise.all(
            Array.from({ length: 10 }, async (_, k) => {
              const ts = start + (i + k) * 100;
              await device.publishAsync(
                topicOf(code, 'electrical'),
                JSON.stringify({ ts, current: i + k, voltage: 1 }),
                {
                  qos: 1,
                },
              );
              acknowledged.push(ts);
            }),
          );
          await new Promise((resolve) => setTimeout(resolve, 40));
        }
      })();

      const stored = async () =>
        (
          await db.query<{ n: number }>('SELECT count(*)::int AS n FROM electrical_samples WHERE machine_id = $1', [
            machineId,
          ])
        )[0].n;
      await waitFor(async () => (await stored()) >= 500, {
        what: '500 samples stored before the crash',
        timeoutMs: 30_000,
      });

      // The crash: the connection drops without DISCONNECT, PUBACKs of messages still being handled never leave.
      const client = (t.app.get(MqttService) as unknown as { client: MqttClient }).client;
      client.end(true);
      crashed = true;
      await t.app.close();

      t = await startTestApp({ MQTT_CLIENT_ID: clientId }, db);
      await stream;
      expect(crashed).toBe(true);
      expect(acknowledged).toHaveLength(TOTAL);

      await waitFor(async () => (await stored()) === TOTAL, {
        what: 'every acknowledged message stored',
        timeoutMs: 60_000,
      });
      const [check] = await db.query<{ n: number; distinct_ts: number; min: Date; max: Date }>(
        `SELECT count(*)::int AS n, count(DISTINCT ts)::int AS distinct_ts, min(ts) AS min, max(ts) AS max
           FROM electrical_samples WHERE machine_id = $1`,
        [machineId],
      );
      expect(check).toEqual({
        n: TOTAL,
        distinct_ts: TOTAL,
        min: new Date(Math.min(...acknowledged)),
        max: new Date(Math.max(...acknowledged)),
      });
    } finally {
      await device.endAsync();
      await t.close();
      await db.drop();
      await forgetSession(t.mqttUrl, clientId);
    }
  }, 120_000);
});
