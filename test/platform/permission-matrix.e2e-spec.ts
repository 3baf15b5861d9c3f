import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { PubSub } from '../../src/shared/pubsub/pub-sub.js';
import {
  MACHINE_STATE_CHANGED,
  type MachineStateChangedEvent,
} from '../../src/telemetry/application/machine-state.service.js';
import {
  AXIS_SAMPLES_ADDED,
  ELECTRICAL_SAMPLES_ADDED,
  type SamplesAdded,
} from '../../src/telemetry/application/live-telemetry.js';
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
  variables?: (t: Fixtures) => Promise<Record<string, unknown>> | Record<string, unknown>;
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
        machineId: 0,
        machineCode: 'matrix',
        samples: [{ machineId: 0, machineCode: 'matrix', ts: new Date(), current: 1, voltage: 1 }],
      }),
  },
  axisSampleAdded: {
    query: 'subscription { axisSampleAdded { machineCode axis } }',
    trigger: (f) =>
      f.app.app.get(PubSub).publish<SamplesAdded<object>>(AXIS_SAMPLES_ADDED, {
        machineId: 0,
        machineCode: 'matrix',
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
        const variables = (await sample.variables?.(fixtures)) ?? {};
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
