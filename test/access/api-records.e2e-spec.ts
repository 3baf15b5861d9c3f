import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync } from 'mqtt';
import { AppConfig } from '../../src/config/app-config.js';
import { startTestApp, type TestApp, errorOf } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * The access back office over GraphQL HTTP: authorisations, uses corrected by hand (with the
 * machine's hours), maintenance plans and interventions, unknown cards, boards, and what
 * deleting a machine takes with it. Every test makes its own machines, users and cards.
 */
const USE_FIELDS = `id machine { code name } user { id displayName } startedAt endedAt lastSeenAt durationSeconds
  countedSeconds replay origin closeReason anonymized`;
const PLAN_FIELDS = `id machine { code } description lcdMessage hoursBetween instructionsUrl lastInterventionAt
  usedHoursSince overdue overdueHours`;

let codeSeq = 40_000 + Math.floor(Math.random() * 20_000);
const HOUR = 3_600_000;

describe('access back office', () => {
  let t: TestApp;
  let admin: string;

  async function ok(query: string, variables?: Record<string, unknown>, token = admin) {
    const result = await t.graphql(query, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  async function machine(): Promise<{ id: number; code: string }> {
    const code = String(codeSeq++);
    const { createMachine } = await ok('mutation($i: CreateMachineInput!) { createMachine(input: $i) { id code } }', {
      i: { code, name: `Laser ${code}` },
    });
    return createMachine;
  }

  async function user(cardUid?: string, roles = ['member']): Promise<{ id: string; displayName: string }> {
    const name = `u${Math.random().toString(36).slice(2, 10)}`;
    const { createUser } = await ok('mutation($i: CreateUserInput!) { createUser(input: $i) { id displayName } }', {
      i: { email: `${name}@plantgraph.test`, displayName: name, roles, ...(cardUid ? { cardUid } : {}) },
    });
    return createUser;
  }

  const hoursOf = async (code: string) =>
    (await ok('query($c: String!) { machine(code: $c) { hours } }', { c: code })).machine.hours as number;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.login();
  });
  afterAll(() => t.close());

  it('lists, creates, bulk-adds and deletes authorisations, with clear errors', async () => {
    const m = await machine();
    const [ada, bob, cy] = [await user(), await user(), await user()];
    const CREATE =
      'mutation($i: CreateAuthorizationInput!) { createAuthorization(input: $i) { id user { id displayName } machine { code } } }';
    const { createAuthorization: created } = await ok(CREATE, { i: { userId: ada.id, machineCode: m.code } });
    expect(created).toMatchObject({ user: ada, machine: { code: m.code } });

    expect(errorOf(await t.graphql(CREATE, { i: { userId: ada.id, machineCode: m.code } }, admin)).code).toBe(
      'CONFLICT',
    );
    expect(errorOf(await t.graphql(CREATE, { i: { userId: ada.id, machineCode: 'nope' } }, admin)).code).toBe(
      'NOT_FOUND',
    );
    expect(
      errorOf(
        await t.graphql(CREATE, { i: { userId: '00000000-0000-4000-8000-000000000000', machineCode: m.code } }, admin),
      ).code,
    ).toBe('NOT_FOUND');

    const BULK = `mutation($c: String!, $u: [ID!]!) { bulkAddAuthorizations(machineCode: $c, userIds: $u) {
      added { user { id } } skippedUserIds } }`;
    const { bulkAddAuthorizations: bulk } = await ok(BULK, { c: m.code, u: [ada.id, bob.id, cy.id, bob.id] });
    expect(bulk.added.map((a: { user: { id: string } }) => a.user.id).sort()).toEqual([bob.id, cy.id].sort());
    expect(bulk.skippedUserIds).toEqual([ada.id]);

    const LIST = `query($c: String, $u: ID) { authorizations(machineCode: $c, userId: $u) {
      totalCount items { id user { id } machine { code } } } }`;
    expect((await ok(LIST, { c: m.code })).authorizations.totalCount).toBe(3);
    const ofBob = (await ok(LIST, { u: bob.id })).authorizations;
    expect(ofBob.items).toEqual([expect.objectContaining({ user: { id: bob.id }, machine: { code: m.code } })]);

    const DELETE = 'mutation($id: Int!) { deleteAuthorization(id: $id) { id } }';
    await ok(DELETE, { id: created.id });
    expect(errorOf(await t.graphql(DELETE, { id: created.id }, admin)).code).toBe('NOT_FOUND');
    expect((await ok(LIST, { c: m.code })).authorizations.totalCount).toBe(2);
  });

  it('corrects uses by hand, with and without the machine hours, refusing bad input', async () => {
    const m = await machine();
    const ada = await user();
    const start = new Date(Date.now() - 5 * HOUR);
    const CREATE = `mutation($i: CreateMachineUseInput!) { createMachineUse(input: $i) { ${USE_FIELDS} } }`;
    const at = (offsetMs: number) => new Date(start.getTime() + offsetMs).toISOString();

    const { createMachineUse: closed } = await ok(CREATE, {
      i: { userId: ada.id, machineCode: m.code, startedAt: at(0), endedAt: at(HOUR), correctMachineHours: true },
    });
    expect(closed).toMatchObject({
      machine: { code: m.code },
      user: ada,
      durationSeconds: 3600,
      countedSeconds: 3600,
      origin: 'api',
      closeReason: 'api',
      replay: false,
    });
    expect(await hoursOf(m.code)).toBe(1);

    // Without the hours: the use is recorded, the counter stays.
    await ok(CREATE, { i: { userId: ada.id, machineCode: m.code, startedAt: at(2 * HOUR), endedAt: at(2.5 * HOUR) } });
    expect(await hoursOf(m.code)).toBe(1);

    const backwards = await t.graphql(
      CREATE,
      { i: { userId: ada.id, machineCode: m.code, startedAt: at(HOUR), endedAt: at(0) } },
      admin,
    );
    expect(errorOf(backwards)).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { endedAt: 'must be after startedAt' },
    });

    // One open use per machine.
    const { createMachineUse: open } = await ok(CREATE, {
      i: { userId: ada.id, machineCode: m.code, startedAt: at(4 * HOUR) },
    });
    expect(open).toMatchObject({ endedAt: null, countedSeconds: null, closeReason: null });
    const second = await t.graphql(
      CREATE,
      { i: { userId: ada.id, machineCode: m.code, startedAt: at(4.5 * HOUR) } },
      admin,
    );
    expect(errorOf(second).code).toBe('CONFLICT');

    // Lengthen the first use by 30 min, correcting the hours by the difference.
    const UPDATE = `mutation($id: ID!, $i: UpdateMachineUseInput!) { updateMachineUse(id: $id, input: $i) { ${USE_FIELDS} } }`;
    const { updateMachineUse: longer } = await ok(UPDATE, {
      id: closed.id,
      i: { endedAt: at(1.5 * HOUR), correctMachineHours: true },
    });
    expect(longer).toMatchObject({ countedSeconds: 5400, closeReason: 'api' });
    expect(await hoursOf(m.code)).toBe(1.5);
    const inverted = await t.graphql(UPDATE, { id: closed.id, i: { startedAt: at(2 * HOUR) } }, admin);
    expect(errorOf(inverted)).toMatchObject({ code: 'BAD_USER_INPUT', fields: { endedAt: 'must be after startedAt' } });
    expect(errorOf(await t.graphql(UPDATE, { id: '999999999', i: {} }, admin)).code).toBe('NOT_FOUND');

    // Closing the open use by hand.
    const { updateMachineUse: ended } = await ok(UPDATE, { id: open.id, i: { endedAt: at(4.25 * HOUR) } });
    expect(ended).toMatchObject({ countedSeconds: 900, closeReason: 'api' });

    const LIST = `query($c: String, $u: ID, $open: Boolean, $from: DateTime, $to: DateTime) {
      machineUses(machineCode: $c, userId: $u, openOnly: $open, from: $from, to: $to) { totalCount items { id startedAt } } }`;
    const listed = (await ok(LIST, { c: m.code })).machineUses;
    expect(listed.totalCount).toBe(3);
    const starts = listed.items.map((u: { startedAt: string }) => u.startedAt);
    expect(starts).toEqual([...starts].sort().reverse());
    expect((await ok(LIST, { c: m.code, open: true })).machineUses.totalCount).toBe(0);
    expect((await ok(LIST, { c: m.code, from: at(2.2 * HOUR), to: at(3 * HOUR) })).machineUses.totalCount).toBe(1);

    const DELETE = 'mutation($id: ID!, $h: Boolean) { deleteMachineUse(id: $id, correctMachineHours: $h) { id } }';
    await ok(DELETE, { id: closed.id, h: true });
    expect(await hoursOf(m.code)).toBe(0);
    expect(errorOf(await t.graphql(DELETE, { id: closed.id }, admin)).code).toBe('NOT_FOUND');
  });

  it('computes overdue maintenance from the closed uses since the last intervention', async () => {
    const m = await machine();
    const ada = await user();
    const CREATE_PLAN = `mutation($i: CreateMaintenancePlanInput!) { createMaintenancePlan(input: $i) { ${PLAN_FIELDS} } }`;
    const { createMaintenancePlan: plan } = await ok(CREATE_PLAN, {
      i: {
        machineCode: m.code,
        description: 'Clean the lens',
        lcdMessage: 'Pulire lente',
        hoursBetween: 2,
        instructionsUrl: 'https://wiki.example/lens',
      },
    });
    expect(plan).toMatchObject({ overdue: false, usedHoursSince: 0, overdueHours: -2, lastInterventionAt: null });

    const bad = await t.graphql(
      CREATE_PLAN,
      {
        i: {
          machineCode: m.code,
          description: 'x',
          lcdMessage: 'x'.repeat(41),
          hoursBetween: 0,
          instructionsUrl: 'ftp://wiki.example',
        },
      },
      admin,
    );
    expect(errorOf(bad).code).toBe('BAD_USER_INPUT');
    expect(Object.keys(errorOf(bad).fields).sort()).toEqual(['hoursBetween', 'instructionsUrl', 'lcdMessage']);

    const base = Date.now() - 10 * HOUR;
    const use = (from: number, to: number) =>
      ok('mutation($i: CreateMachineUseInput!) { createMachineUse(input: $i) { id } }', {
        i: {
          userId: ada.id,
          machineCode: m.code,
          startedAt: new Date(base + from * HOUR).toISOString(),
          endedAt: new Date(base + to * HOUR).toISOString(),
        },
      });
    await use(0, 1.5);
    await use(2, 3);
    const PLANS = `query($c: String) { maintenancePlans(machineCode: $c) { ${PLAN_FIELDS} } }`;
    const [due] = (await ok(PLANS, { c: m.code })).maintenancePlans;
    expect(due).toMatchObject({ usedHoursSince: 2.5, overdue: true, overdueHours: 0.5 });

    const CREATE_INTERVENTION = `mutation($i: CreateInterventionInput!) { createIntervention(input: $i) {
      id planId machine { code } user { id } performedAt origin notes } }`;
    const { createIntervention: done } = await ok(CREATE_INTERVENTION, {
      i: { planId: plan.id, userId: ada.id, performedAt: new Date(base + 3.5 * HOUR).toISOString(), notes: 'ok' },
    });
    expect(done).toMatchObject({ planId: plan.id, origin: 'api', user: { id: ada.id }, notes: 'ok' });
    await use(4, 4.5);
    const [after] = (await ok(PLANS, { c: m.code })).maintenancePlans;
    expect(after).toMatchObject({ usedHoursSince: 0.5, overdue: false, overdueHours: -1.5 });

    // Moving the intervention before the second use makes that use count again.
    const UPDATE_INTERVENTION = `mutation($id: ID!, $i: UpdateInterventionInput!) { updateIntervention(id: $id, input: $i) { performedAt notes } }`;
    await ok(UPDATE_INTERVENTION, { id: done.id, i: { performedAt: new Date(base + 1.75 * HOUR).toISOString() } });
    expect((await ok(PLANS, { c: m.code })).maintenancePlans[0]).toMatchObject({ usedHoursSince: 1.5 });

    const LIST = `query($c: String, $p: Int) { interventions(machineCode: $c, planId: $p) { totalCount items { id } } }`;
    expect((await ok(LIST, { c: m.code, p: plan.id })).interventions.totalCount).toBe(1);
    await ok('mutation($id: ID!) { deleteIntervention(id: $id) { id } }', { id: done.id });
    expect((await ok(PLANS, { c: m.code })).maintenancePlans[0]).toMatchObject({ overdue: true, usedHoursSince: 3 });

    const UPDATE_PLAN = `mutation($id: Int!, $i: UpdateMaintenancePlanInput!) { updateMaintenancePlan(id: $id, input: $i) { ${PLAN_FIELDS} } }`;
    const { updateMaintenancePlan: relaxed } = await ok(UPDATE_PLAN, { id: plan.id, i: { hoursBetween: 10 } });
    expect(relaxed).toMatchObject({ hoursBetween: 10, overdue: false, lcdMessage: 'Pulire lente' });
    await ok('mutation($id: Int!) { deleteMaintenancePlan(id: $id) { id } }', { id: plan.id });
    expect((await ok(PLANS, { c: m.code })).maintenancePlans).toEqual([]);
    expect(errorOf(await t.graphql('mutation { deleteMaintenancePlan(id: 99999999) { id } }', {}, admin)).code).toBe(
      'NOT_FOUND',
    );
  });

  it('lists unknown cards newest first; convertUnknownCard and createUser with the card remove them', async () => {
    const m = await machine();
    const card = () =>
      Math.floor(Math.random() * 0xffffffff)
        .toString(16)
        .padStart(8, '0');
    const [first, second] = [card(), card()];
    const attempt = (uid: string, minutesAgo: number) =>
      t.db.query(
        `INSERT INTO access_unknown_cards (card_uid, machine_id, attempted_at) VALUES ($1, $2, now() - $3 * interval '1 minute')`,
        [uid, m.id, minutesAgo],
      );
    await attempt(first, 30);
    await attempt(second, 20);
    await attempt(first, 10);
    const LIST = `query($c: String) { unknownCards(machineCode: $c) { totalCount items { cardUid machine { code } attemptedAt } } }`;
    const listed = (await ok(LIST, { c: m.code })).unknownCards;
    expect(listed.items.map((a: { cardUid: string }) => a.cardUid)).toEqual([first, second, first]);
    expect(listed.items[0].machine).toEqual({ code: m.code });

    // A board's real checkuser with a card nobody holds is the newest attempt.
    const tapped = card();
    const board = await connectAsync(t.mqttUrl, { clientId: `board-${tapped}`, clean: true });
    await board.publishAsync(
      `${t.app.get(AppConfig).ACCESS_MQTT_ROOT}/${m.code}`,
      JSON.stringify({ action: 'checkuser', uid: tapped }),
    );
    await board.endAsync();
    await waitFor(async () => (await ok(LIST, { c: m.code })).unknownCards.items[0]?.cardUid === tapped, {
      what: 'the tapped card among the unknown cards',
    });
    await ok('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
      i: { email: `tap-${tapped}@plantgraph.test`, displayName: 'Tapped', cardUid: tapped },
    });
    await waitFor(async () => (await ok(LIST, { c: m.code })).unknownCards.totalCount === 3, {
      what: "the tapped card's attempt to go once a user holds it",
    });

    const CONVERT = `mutation($card: String!, $i: ConvertUnknownCardInput!) { convertUnknownCard(cardUid: $card, input: $i) {
      user { id displayName } email cardUid } }`;
    const { convertUnknownCard: converted } = await ok(CONVERT, {
      card: first.toUpperCase(),
      i: { email: `conv-${first}@plantgraph.test`, displayName: 'Converted' },
    });
    expect(converted).toMatchObject({ cardUid: first, user: { displayName: 'Converted' } });
    expect((await ok(LIST, { c: m.code })).unknownCards.items.map((a: { cardUid: string }) => a.cardUid)).toEqual([
      second,
    ]);

    await user(second.toUpperCase());
    await waitFor(async () => (await ok(LIST, { c: m.code })).unknownCards.totalCount === 0, {
      what: "the card's attempts to go once a user holds it",
    });
  });

  it('lists boards with their machine and whether it is online (90 s)', async () => {
    const [online, offline] = [await machine(), await machine()];
    for (const [m, seenSecondsAgo] of [
      [online, 10],
      [offline, 120],
    ] as const) {
      await t.db.query(
        `INSERT INTO access_boards (machine_id, firmware_version, ip, serial, heap, last_seen_at)
         VALUES ($1, 'hw-rev0,1.0.1', '192.168.1.50', 'dcda0c419794', 123456, now() - $2 * interval '1 second')`,
        [m.id, seenSecondsAgo],
      );
      await t.db.query(`UPDATE machines SET last_seen_at = now() - $2 * interval '1 second' WHERE id = $1`, [
        m.id,
        seenSecondsAgo,
      ]);
    }
    const { boards } = await ok(
      '{ boards { machine { code name } firmwareVersion ip serial heap lastSeenAt online } }',
    );
    const byCode = new Map(boards.map((b: { machine: { code: string } }) => [b.machine.code, b]));
    expect(byCode.get(online.code)).toMatchObject({
      machine: { code: online.code, name: `Laser ${online.code}` },
      firmwareVersion: 'hw-rev0,1.0.1',
      ip: '192.168.1.50',
      serial: 'dcda0c419794',
      heap: 123456,
      online: true,
    });
    expect(byCode.get(offline.code)).toMatchObject({ online: false });
  });

  it('deleting a machine says which access records went with it', async () => {
    const m = await machine();
    const ada = await user();
    await ok('mutation($i: CreateAuthorizationInput!) { createAuthorization(input: $i) { id } }', {
      i: { userId: ada.id, machineCode: m.code },
    });
    await ok('mutation($i: CreateMachineUseInput!) { createMachineUse(input: $i) { id } }', {
      i: { userId: ada.id, machineCode: m.code, startedAt: new Date(Date.now() - HOUR).toISOString() },
    });
    const { createMaintenancePlan: plan } = await ok(
      'mutation($i: CreateMaintenancePlanInput!) { createMaintenancePlan(input: $i) { id } }',
      { i: { machineCode: m.code, description: 'Oil', hoursBetween: 5 } },
    );
    await ok('mutation($p: Int!) { createIntervention(input: { planId: $p }) { id } }', { p: plan.id });
    await t.db.query(
      `INSERT INTO access_unknown_cards (card_uid, machine_id, attempted_at) VALUES ('0badcafe', $1, now())`,
      [m.id],
    );
    await t.db.query(`INSERT INTO access_boards (machine_id, last_seen_at) VALUES ($1, now())`, [m.id]);
    const { deleteMachine } = await ok('mutation($c: String!) { deleteMachine(code: $c) { removed { what count } } }', {
      c: m.code,
    });
    expect(deleteMachine.removed).toEqual(
      expect.arrayContaining([
        { what: 'access authorisations', count: 1 },
        { what: 'machine uses', count: 1 },
        { what: 'maintenance plans', count: 1 },
        { what: 'maintenance interventions', count: 1 },
        { what: 'unknown card attempts', count: 1 },
        { what: 'RFID boards', count: 1 },
      ]),
    );
  });

  it('lets an operator read but not write, as the permissions say', async () => {
    const email = `op-${Math.random().toString(36).slice(2)}@plantgraph.test`;
    await ok('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
      i: { email, displayName: 'Op', password: 'operator-pass-1', roles: ['operator'] },
    });
    const operator = await t.login(email, 'operator-pass-1');
    expect((await t.graphql('{ machineUses { totalCount } }', {}, operator)).errors).toBeUndefined();
    const write = await t.graphql('mutation { deleteMachineUse(id: "1") { id } }', {}, operator);
    expect(errorOf(write).code).toBe('FORBIDDEN');
  });
});
