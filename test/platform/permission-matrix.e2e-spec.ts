import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { PubSub } from '../../src/shared/pubsub/pub-sub.js';
import { AlarmSignals } from '../../src/alarms/application/alarm-signals.js';
import {
  MACHINE_STATE_CHANGED,
  type MachineStateChangedEvent,
} from '../../src/telemetry/application/machine-state.service.js';
import {
  ANOMALY_LEVELS_ADDED,
  LEAK_INVESTIGATION_ADDED,
  PPMV_READINGS_ADDED,
  SENSOR_EVENT_ADDED,
  SYSTEM_EVENT_ADDED,
} from '../../src/leak-detection/application/leak-kinds.js';
import { PV_VALUES_ADDED } from '../../src/experiments/application/pv-kinds.js';
import { PV_THRESHOLD_EVENT, type PvThresholdEvent } from '../../src/experiments/application/pv-thresholds.service.js';
import type { SamplesAdded } from '../../src/shared/ingestion/sample-kind.js';
import {
  AXIS_SAMPLES_ADDED,
  ELECTRICAL_SAMPLES_ADDED,
} from '../../src/telemetry/application/live-telemetry.service.js';
import { collect, startTestApp, type TestApp } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * The README's permission matrix is the specification: every root field of the schema has
 * a row, and every protected operation is run as every seeded role and as an anonymous
 * client; the guard's answer must match the row.
 */
const ROLES = ['admin', 'manager', 'supervisor', 'operator', 'member', 'anonymous'] as const;
type Caller = (typeof ROLES)[number];

function readMatrix(): Map<string, Record<Caller, boolean>> {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.split('<!-- permission-matrix:start -->')[1]?.split('<!-- permission-matrix:end -->')[0];
  if (!section) throw new Error('README.md has no permission matrix section');
  const rows = section.split('\n').filter((l) => /^\|\s*`/.test(l));
  return new Map(
    rows.map((row) => {
      const [operation, ...cells] = row
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
      if (cells.length !== ROLES.length) throw new Error(`README matrix row has ${cells.length} cells: ${row}`);
      return [
        operation.replace(/`/g, ''),
        Object.fromEntries(ROLES.map((r, i) => [r, cells[i] === '✓'])) as Record<Caller, boolean>,
      ];
    }),
  );
}

interface Sample {
  query: string;
  /** `token` is the caller's (undefined when anonymous): for samples that need something of the caller's own. */
  variables?: (t: Fixtures, token?: string) => Promise<Record<string, unknown>> | Record<string, unknown>;
  /** Subscriptions: makes an event happen so that an accepted subscription shows it. */
  trigger?: (t: Fixtures) => Promise<unknown>;
}

interface Fixtures {
  app: TestApp;
  adminToken: string;
  password(caller: Caller): string;
  email(caller: Caller): string;
  throwawayUser(): Promise<string>;
  throwawayRole(): Promise<string>;
}

const randomName = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

let matrixPv: Promise<{ id: number; name: string }> | undefined;

/** A PV of an experiment every matrix user is assigned to: what pvValueAdded streams to whoever may read it. */
function experimentPv(f: Fixtures): Promise<{ id: number; name: string }> {
  matrixPv ??= (async () => {
    const name = `${randomName('matrix').replace('-', '')}:Value`;
    const created = await f.app.graphql(
      'mutation($n: String!) { createPv(input: { name: $n }) { id name experimentName } }',
      { n: name },
      f.adminToken,
    );
    const { id, experimentName } = created.data!.createPv;
    const users = await f.app.graphql('{ users(text: "matrix-", limit: 500) { items { id } } }', {}, f.adminToken);
    for (const { id: userId } of users.data!.users.items as Array<{ id: string }>)
      await f.app.graphql(
        'mutation($e: String!, $u: String!) { assignUserToExperiment(experimentName: $e, userId: $u) { name } }',
        { e: experimentName, u: userId },
        f.adminToken,
      );
    return { id, name };
  })();
  return matrixPv;
}

/** A machine made by the admin, with an axis and a tool, for the machine samples to change or delete. */
async function throwawayMachine(f: Fixtures): Promise<{ code: string; axisId: number; toolId: number }> {
  const input = {
    code: randomName('tmp'),
    name: 'Throwaway',
    axes: [{ name: 'X', maxVelocity: 60, maxAcceleration: 200 }],
    tools: [{ number: 1 }],
  };
  const created = await f.app.graphql(
    'mutation($i: CreateMachineInput!) { createMachine(input: $i) { code axes { id } tools { id } } }',
    { i: input },
    f.adminToken,
  );
  const { code, axes, tools } = created.data!.createMachine;
  return { code, axisId: axes[0].id, toolId: tools[0].id };
}

async function throwawayMachineType(f: Fixtures): Promise<number> {
  const created = await f.app.graphql(
    'mutation($n: String!) { createMachineType(input: { name: $n }) { id } }',
    { n: randomName('tmp-type') },
    f.adminToken,
  );
  return created.data!.createMachineType.id;
}

const elementTypeInput = () => ({
  name: randomName('element'),
  currentMin: 180,
  currentMax: 270,
  voltageMin: 20,
  voltageMax: 30,
});

async function throwawayElementType(f: Fixtures): Promise<number> {
  const created = await f.app.graphql(
    'mutation($i: CreateElementTypeInput!) { createElementType(input: $i) { id } }',
    { i: elementTypeInput() },
    f.adminToken,
  );
  return created.data!.createElementType.id;
}

/** A sensor made by the admin on a template of its own, for an import to target. */
async function throwawayLeakSensor(f: Fixtures): Promise<string> {
  const { leakFields } = (await f.app.graphql('{ leakFields { id } }', {}, f.adminToken)).data!;
  const template = await f.app.graphql(
    'mutation($f: Int!, $n: String!) { createLeakTemplate(fieldId: $f, input: { name: $n, angleFromNorth: 0 }) { id } }',
    { f: leakFields[0].id, n: randomName('matrix') },
    f.adminToken,
  );
  const name = randomName('matrix');
  await f.app.graphql(
    'mutation($t: Int!, $n: String!) { createLeakSensor(templateId: $t, input: { name: $n, x: 0, y: 0, z: 0 }) { id } }',
    { t: template.data!.createLeakTemplate.id, n: name },
    f.adminToken,
  );
  return name;
}

const SAMPLES: Record<string, Sample> = {
  login: {
    query: 'mutation($i: LoginInput!) { login(input: $i) { accessToken } }',
    variables: () => ({ i: { email: 'x@plantgraph.test', password: 'wrong-one' } }),
  },
  refreshToken: { query: 'mutation { refreshToken(token: "00000000-0000-0000-0000-000000000000.x") { accessToken } }' },
  me: { query: '{ me { id } }' },
  logout: { query: 'mutation { logout(refreshToken: "00000000-0000-0000-0000-000000000000.x") }' },
  logoutEverywhere: { query: 'mutation { logoutEverywhere }' },
  changePassword: {
    query:
      'mutation { changePassword(input: { currentPassword: "not-it", newPassword: "whatever-1" }) { accessToken } }',
  },
  users: { query: '{ users { totalCount } }' },
  user: {
    query: 'query($id: ID!) { user(id: $id) { id } }',
    variables: async (f) => ({ id: await f.throwawayUser() }),
  },
  createUser: {
    query: 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
    variables: () => ({
      i: { email: `new-${Math.random().toString(36).slice(2)}@plantgraph.test`, displayName: 'New' },
    }),
  },
  updateUser: {
    query: 'mutation($id: ID!) { updateUser(id: $id, input: { displayName: "Renamed" }) { id } }',
    variables: async (f) => ({ id: await f.throwawayUser() }),
  },
  deleteUser: {
    query: 'mutation($id: ID!) { deleteUser(id: $id) { id } }',
    variables: async (f) => ({ id: await f.throwawayUser() }),
  },
  roles: { query: '{ roles { id } }' },
  createRole: {
    query: 'mutation($n: String!) { createRole(input: { name: $n }) { id } }',
    variables: () => ({ n: `r${Math.random().toString(36).slice(2, 10)}` }),
  },
  updateRole: {
    query: 'mutation($id: ID!) { updateRole(id: $id, input: { description: "d" }) { id } }',
    variables: async (f) => ({ id: await f.throwawayRole() }),
  },
  deleteRole: {
    query: 'mutation($id: ID!) { deleteRole(id: $id) { id } }',
    variables: async (f) => ({ id: await f.throwawayRole() }),
  },
  userChanged: {
    query: 'subscription { userChanged { kind user { id } } }',
    trigger: (f) => f.throwawayUser(),
  },
  machines: { query: '{ machines { totalCount } }' },
  machine: {
    query: 'query($c: String!) { machine(code: $c) { id } }',
    variables: async (f) => ({ c: (await throwawayMachine(f)).code }),
  },
  machineTypes: { query: '{ machineTypes { id } }' },
  elementTypes: { query: '{ elementTypes(includeInactive: true) { id } }' },
  createMachine: {
    query: 'mutation($i: CreateMachineInput!) { createMachine(input: $i) { id } }',
    variables: () => ({ i: { code: randomName('new'), name: 'New machine' } }),
  },
  updateMachine: {
    query: 'mutation($c: String!) { updateMachine(code: $c, input: { name: "Renamed" }) { id } }',
    variables: async (f) => ({ c: (await throwawayMachine(f)).code }),
  },
  deleteMachine: {
    query: 'mutation($c: String!) { deleteMachine(code: $c) { machine { code } } }',
    variables: async (f) => ({ c: (await throwawayMachine(f)).code }),
  },
  createMachineType: {
    query: 'mutation($n: String!) { createMachineType(input: { name: $n }) { id } }',
    variables: () => ({ n: randomName('type') }),
  },
  updateMachineType: {
    query: 'mutation($id: Int!) { updateMachineType(id: $id, input: { graceMinutes: 2 }) { id } }',
    variables: async (f) => ({ id: await throwawayMachineType(f) }),
  },
  deleteMachineType: {
    query: 'mutation($id: Int!) { deleteMachineType(id: $id) { id } }',
    variables: async (f) => ({ id: await throwawayMachineType(f) }),
  },
  createElementType: {
    query: 'mutation($i: CreateElementTypeInput!) { createElementType(input: $i) { id } }',
    variables: () => ({ i: elementTypeInput() }),
  },
  updateElementType: {
    query: 'mutation($id: Int!) { updateElementType(id: $id, input: { range: "6-10 mm" }) { id } }',
    variables: async (f) => ({ id: await throwawayElementType(f) }),
  },
  deleteElementType: {
    query: 'mutation($id: Int!) { deleteElementType(id: $id) { id } }',
    variables: async (f) => ({ id: await throwawayElementType(f) }),
  },
  createAxis: {
    query:
      'mutation($c: String!) { createAxis(machineCode: $c, input: { name: Y, maxVelocity: 60, maxAcceleration: 200 }) { id } }',
    variables: async (f) => ({ c: (await throwawayMachine(f)).code }),
  },
  updateAxis: {
    query: 'mutation($id: Int!) { updateAxis(id: $id, input: { maxVelocity: 50 }) { id } }',
    variables: async (f) => ({ id: (await throwawayMachine(f)).axisId }),
  },
  deleteAxis: {
    query: 'mutation($id: Int!) { deleteAxis(id: $id) { id } }',
    variables: async (f) => ({ id: (await throwawayMachine(f)).axisId }),
  },
  createTool: {
    query: 'mutation($c: String!) { createTool(machineCode: $c, input: { number: 2 }) { id } }',
    variables: async (f) => ({ c: (await throwawayMachine(f)).code }),
  },
  updateTool: {
    query: 'mutation($id: Int!) { updateTool(id: $id, input: { feedRate: 1200 }) { id } }',
    variables: async (f) => ({ id: (await throwawayMachine(f)).toolId }),
  },
  deleteTool: {
    query: 'mutation($id: Int!) { deleteTool(id: $id) { id } }',
    variables: async (f) => ({ id: (await throwawayMachine(f)).toolId }),
  },
  electricalHistory: { query: '{ electricalHistory(machineCodes: [], lastMinutes: 15) { from } }' },
  axisHistory: { query: '{ axisHistory(machineCodes: [], lastMinutes: 15, axes: [X]) { from } }' },
  electricalHistoryCompact: {
    query: '{ electricalHistoryCompact(machineCodes: [], lastMinutes: 15) { from } }',
  },
  axisHistoryCompact: { query: '{ axisHistoryCompact(machineCodes: [], lastMinutes: 15, axes: [X]) { from } }' },
  toolHistory: { query: '{ toolHistory(machineCodes: [], lastMinutes: 15) { from } }' },
  machineStateBands: { query: '{ machineStateBands { state } }' },
  updateMachineStateBand: {
    query: 'mutation { updateMachineStateBand(state: IDLE, input: { color: "#f9a825" }) { state } }',
  },
  machineStates: { query: '{ machineStates { state } }' },
  machineStateTimeline: {
    query: 'query($c: [String!]!) { machineStateTimeline(machineCodes: $c, lastMinutes: 15) { state } }',
    variables: async (f) => ({ c: [(await throwawayMachine(f)).code] }),
  },
  outOfStandardEpisodes: {
    query: 'query($c: [String!]!) { outOfStandardEpisodes(machineCodes: $c, lastMinutes: 15) { id } }',
    variables: async (f) => ({ c: [(await throwawayMachine(f)).code] }),
  },
  machineStateChanged: {
    query: 'subscription { machineStateChanged { machineCode state } }',
    trigger: (f) =>
      f.app.app.get(PubSub).publish<MachineStateChangedEvent>(MACHINE_STATE_CHANGED, {
        machineId: 0,
        machineCode: 'matrix',
        state: 'IDLE',
        previousState: null,
        since: new Date(),
        alert: false,
        at: new Date(),
      }),
  },
  operators: { query: '{ operators { totalCount } }' },
  createOperator: {
    query: 'mutation($i: CreateOperatorInput!) { createOperator(input: $i) { id } }',
    variables: () => ({ i: { name: 'New operator', number: Math.floor(Math.random() * 2e9) + 1 } }),
  },
  updateOperator: { query: 'mutation { updateOperator(id: 999999, input: { qualification: "6G" }) { id } }' },
  deleteOperator: { query: 'mutation { deleteOperator(id: 999999) { outcome } }' },
  shifts: { query: '{ shifts { totalCount } }' },
  createShift: {
    query: 'mutation($i: CreateShiftInput!) { createShift(input: $i) { id } }',
    variables: () => ({
      i: {
        machineCode: 'no-such-machine',
        operatorId: 1,
        elementTypeId: 1,
        startsAt: '2026-01-05T06:00:00Z',
        endsAt: '2026-01-05T14:00:00Z',
      },
    }),
  },
  updateShift: { query: 'mutation { updateShift(id: 999999, input: { remarks: "r" }) { id } }' },
  deleteShift: { query: 'mutation { deleteShift(id: 999999) { id } }' },
  instructions: { query: '{ instructions { totalCount } }' },
  createInstruction: {
    query: 'mutation($t: String!) { createInstruction(input: { text: $t }) { id } }',
    variables: () => ({ t: randomName('instruction') }),
  },
  deleteInstruction: { query: 'mutation { deleteInstruction(id: 999999) { id } }' },
  productionReport: { query: '{ productionReport(shiftId: 999999) { samples } }' },
  productionReportCsv: { query: '{ productionReportCsv(shiftId: 999999) }' },
  machineDayReport: { query: '{ machineDayReport(machineCode: "no-such-machine", date: "2026-01-05") { samples } }' },
  machineDayReportCsv: { query: '{ machineDayReportCsv(machineCode: "no-such-machine", date: "2026-01-05") }' },
  latestTelemetry: { query: '{ latestTelemetry { machine { code } } }' },
  electricalSampleAdded: {
    query: 'subscription { electricalSampleAdded { machineCode current } }',
    trigger: (f) =>
      f.app.app.get(PubSub).publish<SamplesAdded<object>>(ELECTRICAL_SAMPLES_ADDED, {
        sourceId: 0,
        sourceCode: 'matrix',
        samples: [{ machineId: 0, machineCode: 'matrix', ts: new Date(), current: 1, voltage: 1 }],
      }),
  },
  axisSampleAdded: {
    query: 'subscription { axisSampleAdded { machineCode axis } }',
    trigger: (f) =>
      f.app.app.get(PubSub).publish<SamplesAdded<object>>(AXIS_SAMPLES_ADDED, {
        sourceId: 0,
        sourceCode: 'matrix',
        samples: [
          {
            machineId: 0,
            machineCode: 'matrix',
            axis: 'X',
            ts: new Date(),
            actual: 0,
            target: 0,
            distanceToGo: 0,
            velocity: 0,
            acceleration: 0,
            homed: true,
          },
        ],
      }),
  },
  authorizations: { query: '{ authorizations { totalCount } }' },
  createAuthorization: {
    query:
      'mutation { createAuthorization(input: { userId: "00000000-0000-4000-8000-000000000000", machineCode: "no-such-machine" }) { id } }',
  },
  bulkAddAuthorizations: {
    query: 'mutation { bulkAddAuthorizations(machineCode: "no-such-machine", userIds: ["x"]) { skippedUserIds } }',
  },
  deleteAuthorization: { query: 'mutation { deleteAuthorization(id: 999999) { id } }' },
  machineUses: { query: '{ machineUses { totalCount } }' },
  createMachineUse: {
    query:
      'mutation { createMachineUse(input: { userId: "x", machineCode: "no-such-machine", startedAt: "2026-01-05T06:00:00Z" }) { id } }',
  },
  updateMachineUse: { query: 'mutation { updateMachineUse(id: "999999", input: {}) { id } }' },
  deleteMachineUse: { query: 'mutation { deleteMachineUse(id: "999999") { id } }' },
  maintenancePlans: { query: '{ maintenancePlans { id } }' },
  createMaintenancePlan: {
    query:
      'mutation { createMaintenancePlan(input: { machineCode: "no-such-machine", description: "d", hoursBetween: 1 }) { id } }',
  },
  updateMaintenancePlan: { query: 'mutation { updateMaintenancePlan(id: 999999, input: { hoursBetween: 2 }) { id } }' },
  deleteMaintenancePlan: { query: 'mutation { deleteMaintenancePlan(id: 999999) { id } }' },
  interventions: { query: '{ interventions { totalCount } }' },
  createIntervention: { query: 'mutation { createIntervention(input: { planId: 999999 }) { id } }' },
  updateIntervention: { query: 'mutation { updateIntervention(id: "999999", input: { notes: "n" }) { id } }' },
  deleteIntervention: { query: 'mutation { deleteIntervention(id: "999999") { id } }' },
  unknownCards: { query: '{ unknownCards { totalCount } }' },
  convertUnknownCard: {
    query:
      'mutation($c: String!, $e: String!) { convertUnknownCard(cardUid: $c, input: { email: $e, displayName: "Card" }) { email } }',
    variables: () => ({
      c: Math.floor(Math.random() * 0xffffffff)
        .toString(16)
        .padStart(8, '0'),
      e: `card-${Math.random().toString(36).slice(2)}@plantgraph.test`,
    }),
  },
  boards: { query: '{ boards { online } }' },
  remoteStartMachine: { query: 'mutation { remoteStartMachine(code: "no-such-machine") { sentAt } }' },
  remoteStopMachine: { query: 'mutation { remoteStopMachine(code: "no-such-machine") { sentAt } }' },
  machineAccessStatus: { query: '{ machineAccessStatus { counts { total } } }' },
  machineAccessStatusChanged: {
    query: 'subscription { machineAccessStatusChanged { status } }',
    // A new machine with a numeric code is a status the board has not shown yet.
    trigger: (f) =>
      f.app.graphql(
        'mutation($c: String!) { createMachine(input: { code: $c, name: "Board" }) { id } }',
        { c: String(Math.floor(Math.random() * 1e9)) },
        f.adminToken,
      ),
  },
  usageReport: { query: '{ usageReport(from: "2026-01-05T00:00:00Z", to: "2026-01-06T00:00:00Z") { totalHours } }' },
  usageReportCsv: { query: '{ usageReportCsv(from: "2026-01-05T00:00:00Z", to: "2026-01-06T00:00:00Z") }' },
  weeklyAccessSummary: { query: '{ weeklyAccessSummary { from } }' },
  purgeAccessRecords: { query: 'mutation { purgeAccessRecords { usesAnonymized } }' },
  unregisteredSources: { query: '{ unregisteredSources { totalCount } }' },
  registerUnregisteredSource: {
    query: 'mutation { registerUnregisteredSource(topic: "plant/machines/nobody/electrical") { code } }',
  },
  leakFields: { query: '{ leakFields { id } }' },
  createLeakField: {
    query: 'mutation($n: String!) { createLeakField(input: { name: $n }) { id } }',
    variables: () => ({ n: randomName('field') }),
  },
  updateLeakField: { query: 'mutation { updateLeakField(id: 999999, input: { description: "d" }) { id } }' },
  deleteLeakField: { query: 'mutation { deleteLeakField(id: 999999) { deleted } }' },
  leakTemplates: { query: '{ leakTemplates { totalCount } }' },
  leakTemplate: { query: '{ leakTemplate(id: 999999) { id } }' },
  createLeakTemplate: {
    query: 'mutation { createLeakTemplate(fieldId: 999999, input: { name: "T", angleFromNorth: 10 }) { id } }',
  },
  updateLeakTemplate: { query: 'mutation { updateLeakTemplate(id: 999999, input: { name: "T2" }) { id } }' },
  deleteLeakTemplate: { query: 'mutation { deleteLeakTemplate(id: 999999) { deleted } }' },
  leakSensors: { query: '{ leakSensors { totalCount } }' },
  leakSensor: { query: '{ leakSensor(name: "no-such-sensor") { id } }' },
  createLeakSensor: {
    query: 'mutation { createLeakSensor(templateId: 999999, input: { name: "S", x: 0, y: 0, z: 0 }) { id } }',
  },
  updateLeakSensor: { query: 'mutation { updateLeakSensor(id: 999999, input: { pinned: true }) { id } }' },
  deleteLeakSensor: { query: 'mutation { deleteLeakSensor(id: 999999) { deleted } }' },
  registerUnregisteredSensor: {
    query:
      'mutation { registerUnregisteredSensor(topic: "plant/sensors/nobody/ppmv", templateId: 999999, input: { x: 0, y: 0, z: 0 }) { id } }',
  },
  leakCandidates: { query: '{ leakCandidates(templateId: 999999) { totalCount } }' },
  leakCandidate: { query: '{ leakCandidate(id: 999999) { id } }' },
  createLeakCandidate: {
    query:
      'mutation { createLeakCandidate(templateId: 999999, input: { name: "C", x: 0, y: 0, z: 0, rate: 0, duration: 1 }) { id } }',
  },
  updateLeakCandidate: { query: 'mutation { updateLeakCandidate(id: 999999, input: { rate: 1 }) { id } }' },
  deleteLeakCandidate: { query: 'mutation { deleteLeakCandidate(id: 999999) { id } }' },
  importLeakSeaCurrents: {
    query:
      'mutation { importLeakSeaCurrents(templateId: 999999, csv: "u,v\\n0,0", startsAt: "2026-01-05T00:00:00Z") { imported } }',
  },
  leakSeaCurrents: {
    query:
      '{ leakSeaCurrents(templateId: 999999, from: "2026-01-05T00:00:00Z", to: "2026-01-06T00:00:00Z") { totalCount } }',
  },
  leakPlumeParameters: { query: '{ leakPlumeParameters { a } }' },
  // a: 0 is refused by the service (BAD_USER_INPUT) after the guard: the seeded values stay.
  updateLeakPlumeParameters: { query: 'mutation { updateLeakPlumeParameters(input: { a: 0 }) { a } }' },
  leakCandidateSimulation: { query: '{ leakCandidateSimulation(sensorName: "no-such-sensor") { supported } }' },
  latestPpmv: { query: '{ latestPpmv { ppmv } }' },
  ppmvHistory: { query: '{ ppmvHistory(sensorNames: [], lastMinutes: 15) { sensorName } }' },
  ppmvReadingAdded: {
    query: 'subscription { ppmvReadingAdded { sensorName ppmv } }',
    trigger: (f) =>
      f.app.app.get(PubSub).publish<SamplesAdded<object>>(PPMV_READINGS_ADDED, {
        sourceId: 0,
        sourceCode: 'matrix',
        samples: [{ sensorId: 0, sensorName: 'matrix', ts: new Date(), ppmv: 1 }],
      }),
  },
  leakSensorEvents: { query: '{ leakSensorEvents { totalCount } }' },
  leakSystemEvents: { query: '{ leakSystemEvents { totalCount } }' },
  setSensorFeedbackMode: {
    query: 'mutation { setSensorFeedbackMode(sensorName: "no-such-sensor", on: false) { id } }',
  },
  anomalyLevelAdded: {
    query: 'subscription { anomalyLevelAdded { sensorName level } }',
    trigger: (f) =>
      f.app.app.get(PubSub).publish<SamplesAdded<object>>(ANOMALY_LEVELS_ADDED, {
        sourceId: 0,
        sourceCode: 'matrix',
        samples: [
          { sensorId: 0, sensorName: 'matrix', ts: new Date(), ppmv: 1, level: 'OK', percent: 1, feedback: false },
        ],
      }),
  },
  leakSensorEventAdded: {
    query: 'subscription { leakSensorEventAdded { sensorName level } }',
    trigger: (f) =>
      f.app.app.get(PubSub).publish(SENSOR_EVENT_ADDED, {
        id: '0',
        sensorId: 0,
        sensorName: 'matrix',
        level: 'OK',
        previousLevel: null,
        at: new Date(),
        ppmv: 1,
        percent: 1,
      }),
  },
  leakInvestigations: { query: '{ leakInvestigations { totalCount } }' },
  investigateLeak: {
    query: 'mutation { investigateLeak(sensorName: "no-such-sensor", at: "2026-01-01T00:00:00Z") { id } }',
  },
  leakInvestigationAdded: {
    query: 'subscription { leakInvestigationAdded { sensorName result } }',
    trigger: (f) =>
      f.app.app.get(PubSub).publish(LEAK_INVESTIGATION_ADDED, {
        id: '0',
        sensorId: 0,
        sensorName: 'matrix',
        at: new Date(),
        trigger: 'REQUEST',
        result: 'UNDEFINED',
        reason: 'NO_CANDIDATES',
        confirmedCandidateId: null,
        confirmedName: null,
        details: {},
        createdAt: new Date(),
      }),
  },
  leakSensorBaseline: { query: '{ leakSensorBaseline(sensorName: "no-such-sensor") { name } }' },
  selectSensorBaseline: { query: 'mutation { selectSensorBaseline(sensorName: "no-such-sensor") { id } }' },
  augmentSensorBaseline: { query: 'mutation { augmentSensorBaseline(sensorName: "no-such-sensor") { id } }' },
  outboxMessages: { query: '{ outboxMessages { totalCount } }' },
  resendOutboxMessage: { query: 'mutation { resendOutboxMessage(id: "999999999") { state } }' },
  leakSystemEventAdded: {
    query: 'subscription { leakSystemEventAdded { type message } }',
    trigger: (f) =>
      f.app.app.get(PubSub).publish(SYSTEM_EVENT_ADDED, {
        id: '0',
        type: 'INFO',
        message: 'matrix',
        sensorId: null,
        sensorName: null,
        at: new Date(),
      }),
  },
  experiments: { query: '{ experiments { totalCount } }' },
  experiment: { query: '{ experiment(name: "NoSuchExperiment") { id } }' },
  createExperiment: {
    query: 'mutation($n: String!) { createExperiment(input: { name: $n }) { id } }',
    variables: () => ({ n: randomName('mx').replace('-', '') }),
  },
  updateExperiment: {
    query: 'mutation { updateExperiment(name: "NoSuchExperiment", input: { displayName: "d" }) { id } }',
  },
  deleteExperiment: { query: 'mutation { deleteExperiment(name: "NoSuchExperiment") { deleted } }' },
  experimentAssignments: { query: '{ experimentAssignments(experimentName: "NoSuchExperiment") { totalCount } }' },
  assignUserToExperiment: {
    query: 'mutation($u: String!) { assignUserToExperiment(experimentName: "NoSuchExperiment", userId: $u) { id } }',
    variables: async (f) => ({ u: await f.throwawayUser() }),
  },
  unassignUserFromExperiment: {
    query:
      'mutation($u: String!) { unassignUserFromExperiment(experimentName: "NoSuchExperiment", userId: $u) { id } }',
    variables: async (f) => ({ u: await f.throwawayUser() }),
  },
  pvs: { query: '{ pvs { totalCount } }' },
  pv: { query: '{ pv(name: "NoSuch:Pv") { id } }' },
  createPv: {
    query: 'mutation($n: String!) { createPv(input: { name: $n }) { id } }',
    variables: () => ({ n: `${randomName('mx').replace('-', '')}:Pv` }),
  },
  registerUnregisteredPv: {
    query: 'mutation { registerUnregisteredPv(topic: "plant/pv/Nobody/Pv", input: {}) { id } }',
  },
  updatePv: { query: 'mutation { updatePv(name: "NoSuch:Pv", input: { unit: "u" }) { id } }' },
  deletePv: { query: 'mutation { deletePv(name: "NoSuch:Pv") { deleted } }' },
  latestPvValues: { query: '{ latestPvValues(pvNames: ["NoSuch:Pv"]) { pvName } }' },
  pvHistory: { query: '{ pvHistory(pvNames: [], lastMinutes: 15) { pvName } }' },
  pvSets: { query: '{ pvSets { totalCount } }' },
  setPv: { query: 'mutation { setPv(name: "NoSuch:Pv", value: "1") { id } }' },
  pvArchiveHistory: { query: '{ pvArchiveHistory(pvName: "NoSuch:Pv", from: "2022-01-15 14:00") { pvName } }' },
  // No archiver is configured: BAD_USER_INPUT once the guard let the caller through.
  pvInArchive: { query: '{ pvInArchive(pvName: "NoSuch:Pv") }' },
  myPvThresholdSubscriptions: { query: '{ myPvThresholdSubscriptions { totalCount } }' },
  pvThresholdSubscriptions: { query: '{ pvThresholdSubscriptions { totalCount } }' },
  pvThresholdEpisodes: { query: '{ pvThresholdEpisodes(pvName: "NoSuch:Pv") { totalCount } }' },
  subscribePvThreshold: { query: 'mutation { subscribePvThreshold(pvName: "NoSuch:Pv") { id } }' },
  updatePvThresholdSubscription: {
    query: 'mutation { updatePvThresholdSubscription(pvName: "NoSuch:Pv", input: { min: 1 }) { id } }',
  },
  unsubscribePvThreshold: { query: 'mutation { unsubscribePvThreshold(pvName: "NoSuch:Pv") { id } }' },
  pvThresholdEvent: {
    // Each caller sees their own subscriptions' events: one for every matrix user, on a PV they are assigned to.
    query: 'subscription { pvThresholdEvent { pvName } }',
    trigger: async (f) => {
      const pv = await experimentPv(f);
      const users = await f.app.graphql('{ users(text: "matrix-", limit: 500) { items { id } } }', {}, f.adminToken);
      for (const { id: userId } of users.data!.users.items as Array<{ id: string }>)
        await f.app.app.get(PubSub).publish<PvThresholdEvent>(PV_THRESHOLD_EVENT, {
          kind: 'STARTED',
          episodeId: '0',
          subscriptionId: 0,
          userId,
          pvId: pv.id,
          pvName: pv.name,
          limit: 'MAX',
          limitValue: 1,
          value: 2,
          peak: 2,
          at: new Date(),
        });
    },
  },
  pvValueAdded: {
    query: 'subscription($n: [String!]) { pvValueAdded(pvNames: $n) { pvName value } }',
    variables: async (f) => ({ n: [(await experimentPv(f)).name] }),
    trigger: async (f) => {
      const pv = await experimentPv(f);
      await f.app.app.get(PubSub).publish<SamplesAdded<object>>(PV_VALUES_ADDED, {
        sourceId: pv.id,
        sourceCode: pv.name,
        samples: [{ pvId: pv.id, pvName: pv.name, ts: new Date(), value: 1, text: null }],
      });
    },
  },
  job: { query: '{ job(id: "00000000-0000-0000-0000-000000000000") { id } }' },
  jobs: { query: '{ jobs { totalCount } }' },
  cancelJob: { query: 'mutation { cancelJob(id: "00000000-0000-0000-0000-000000000000") { id } }' },
  jobProgress: {
    // A job the caller may read: one they started (an import, for leaks:write), else the admin's, which they may not.
    query: 'subscription($id: ID!) { jobProgress(id: $id) { state } }',
    variables: async (f, token) => {
      const sensorName = await throwawayLeakSensor(f);
      const start = (as?: string) =>
        f.app.graphql(
          'mutation($s: String!) { importSensorReadings(sensorName: $s, csv: "index,Time,Values\\n") { id } }',
          { s: sensorName },
          as,
        );
      const own = await start(token);
      return { id: (own.data ?? (await start(f.adminToken)).data!).importSensorReadings.id };
    },
  },
  importSensorReadings: {
    query: 'mutation($s: String!) { importSensorReadings(sensorName: $s, csv: "index,Time,Values\\n") { id } }',
    variables: async (f) => ({ s: await throwawayLeakSensor(f) }),
  },
  ppmvMatrixProfile: { query: '{ ppmvMatrixProfile(sensorName: "nobody", window: 3) { points } }' },
  exportExperimentsConfig: { query: '{ exportExperimentsConfig(format: JSON) }' },
  importExperimentsConfig: {
    query: 'mutation { importExperimentsConfig(content: "# nothing\\n", dryRun: true) { report { dryRun } } }',
  },
  alarms: { query: '{ alarms { totalCount } }' },
  alarm: { query: '{ alarm(id: "999999999") { id } }' },
  alarmHistory: { query: '{ alarmHistory(alarmId: "999999999") { totalCount } }' },
  alarmSummary: { query: '{ alarmSummary { open } }' },
  alarmHealth: { query: '{ alarmHealth(from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z") { hours } }' },
  acknowledgeAlarm: { query: 'mutation { acknowledgeAlarm(id: "999999999") { id } }' },
  assignAlarm: { query: 'mutation { assignAlarm(id: "999999999", userId: null) { id } }' },
  shelveAlarm: {
    query: 'mutation { shelveAlarm(id: "999999999", until: "2099-01-01T00:00:00Z", note: "matrix") { id } }',
  },
  unshelveAlarm: { query: 'mutation { unshelveAlarm(id: "999999999") { id } }' },
  setAlarmSourceOutOfService: {
    query:
      'mutation($k: String!) { setAlarmSourceOutOfService(kind: SERVICE, key: $k, outOfService: true) { outOfService } }',
    variables: () => ({ k: randomName('matrix') }),
  },
  alarmChanged: {
    query: 'subscription { alarmChanged(filter: { sourceKeys: ["matrix"] }) { alarm { id } } }',
    trigger: (f) =>
      f.app.app.get(AlarmSignals).raise({
        source: { kind: 'SERVICE', key: 'matrix', name: 'matrix' },
        type: 'MATRIX',
        severity: 'WARNING',
        message: 'matrix',
        at: new Date(),
      }),
  },
  alarmConditions: { query: '{ alarmConditions { type } }' },
  updateAlarmCondition: {
    query: 'mutation { updateAlarmCondition(type: "NO_SUCH_CONDITION", input: { enabled: true }) { type } }',
  },
  notificationChannels: { query: '{ notificationChannels { totalCount } }' },
  createNotificationChannel: {
    query:
      'mutation($n: String!) { createNotificationChannel(input: { name: $n, kind: EMAIL, recipients: ["matrix@plant.example"] }) { id } }',
    variables: () => ({ n: randomName('matrix') }),
  },
  updateNotificationChannel: {
    query: 'mutation { updateNotificationChannel(id: 999999999, input: { name: "matrix" }) { id } }',
  },
  deleteNotificationChannel: { query: 'mutation { deleteNotificationChannel(id: 999999999) { id } }' },
  notificationRules: { query: '{ notificationRules { totalCount } }' },
  // An unknown channel: BAD_USER_INPUT once the guard let the caller through.
  createNotificationRule: {
    query:
      'mutation($n: String!) { createNotificationRule(input: { name: $n, transitions: [RAISED], channelIds: [999999999] }) { id } }',
    variables: () => ({ n: randomName('matrix') }),
  },
  updateNotificationRule: {
    query: 'mutation { updateNotificationRule(id: 999999999, input: { enabled: false }) { id } }',
  },
  deleteNotificationRule: { query: 'mutation { deleteNotificationRule(id: 999999999) { id } }' },
  alarmNotifications: { query: '{ alarmNotifications { totalCount } }' },
  // An unknown rule: NOT_FOUND once the guard let the caller through.
  sendAlarmDigest: {
    query: 'mutation { sendAlarmDigest(ruleId: 999999999, weekStart: "2026-01-05T00:00:00Z") { ruleId } }',
  },
};

describe('permission matrix (README) against every role', () => {
  let app: TestApp;
  let fixtures: Fixtures;
  const matrix = readMatrix();
  const tokens = new Map<Caller, string>();

  beforeAll(async () => {
    app = await startTestApp({ LOGIN_MAX_FAILURES_PER_CLIENT: '10000' });
    const adminToken = await app.login();
    const email = (c: Caller) => `matrix-${c}@plantgraph.test`;
    const password = (c: Caller) => `matrix-${c}-password`;
    fixtures = {
      app,
      adminToken,
      email,
      password,
      throwawayUser: async () =>
        (
          await app.graphql(
            'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
            { i: { email: `tmp-${Math.random().toString(36).slice(2)}@plantgraph.test`, displayName: 'Tmp' } },
            adminToken,
          )
        ).data!.createUser.id,
      throwawayRole: async () =>
        (
          await app.graphql(
            'mutation($n: String!) { createRole(input: { name: $n }) { id } }',
            { n: `tmp${Math.random().toString(36).slice(2, 10)}` },
            adminToken,
          )
        ).data!.createRole.id,
    };
    for (const role of ROLES.filter((r) => r !== 'anonymous')) {
      await app.graphql(
        'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
        { i: { email: email(role), displayName: role, password: password(role), roles: [role] } },
        adminToken,
      );
    }
  });
  afterAll(() => app.close());

  const freshToken = async (caller: Caller) =>
    caller === 'anonymous' ? undefined : app.login(fixtures.email(caller), fixtures.password(caller));

  it('has a README row for every root field of the schema, and no other', () => {
    const schema = app.app.get(GraphQLSchemaHost).schema;
    const fields = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]
      .flatMap((type) => (type ? Object.keys(type.getFields()) : []))
      .sort();
    expect([...matrix.keys()].sort()).toEqual(fields);
    expect(Object.keys(SAMPLES).sort()).toEqual(fields);
  });

  for (const caller of ROLES) {
    it(`answers ${caller} as the matrix says`, async () => {
      tokens.set(caller, (await freshToken(caller)) ?? '');
      const outcomes: Record<string, boolean> = {};
      const expected: Record<string, boolean> = {};
      // logoutEverywhere ends every session of the caller, so it runs last.
      const ordered = Object.entries(SAMPLES).sort(
        ([a], [b]) => Number(a === 'logoutEverywhere') - Number(b === 'logoutEverywhere'),
      );
      for (const [operation, sample] of ordered) {
        expected[operation] = matrix.get(operation)![caller];
        // Operations that end sessions get a token of their own.
        const token = tokens.get(caller) || undefined;
        const variables = (await sample.variables?.(fixtures, token)) ?? {};
        outcomes[operation] = sample.query.startsWith('subscription')
          ? await subscriptionAccepted(sample, variables, token)
          : accepted(await app.graphql(sample.query, variables, token));
      }
      expect(outcomes).toEqual(expected);
    });
  }

  function accepted(result: { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }): boolean {
    return !result.errors?.some(
      (e) =>
        e.extensions?.code === 'FORBIDDEN' ||
        (e.extensions?.code === 'UNAUTHENTICATED' && e.message === 'Authentication required'),
    );
  }

  async function subscriptionAccepted(
    sample: Sample,
    variables: Record<string, unknown>,
    token?: string,
  ): Promise<boolean> {
    let closeCode: number | undefined;
    const client = app.wsClient(token, {
      on: { closed: (event) => void (closeCode = (event as { code: number }).code) },
    });
    const subscription = collect(client, sample.query, variables);
    try {
      return await waitFor(
        async () => {
          if (closeCode === 4401 || closeCode === 4403) return 'refused' as const;
          if (subscription.error || subscription.events.some((e) => e.errors?.length)) return 'refused' as const;
          if (subscription.events.some((e) => e.data)) return 'accepted' as const;
          await sample.trigger?.(fixtures);
          return undefined;
        },
        { what: 'the subscription to be accepted or refused', intervalMs: 100 },
      ).then((outcome) => outcome === 'accepted');
    } finally {
      subscription.unsubscribe();
      await client.dispose();
    }
  }
});
