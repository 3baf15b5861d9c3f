import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import { AccessStatusService } from '../../src/access/application/access-status.service.js';
import { AppConfig } from '../../src/config/app-config.js';
import { collect, startTestApp, type TestApp, errorOf } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * The live side of the access API: the status board (query and subscription over
 * graphql-ws), remote start/stop received by a board over the real broker, usage reports
 * against hand-computed figures, the weekly summary and the privacy purge.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let codeSeq = 60_000 + Math.floor(Math.random() * 20_000);
const randomCard = () => randomBytes(4).toString('hex');

describe('access status, remote commands, reports and purge', () => {
  let t: TestApp;
  let admin: string;
  let status: AccessStatusService;

  async function ok(query: string, variables?: Record<string, unknown>, token = admin) {
    const result = await t.graphql(query, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  async function machine(): Promise<{ id: number; code: string }> {
    const code = String(codeSeq++);
    const { createMachine } = await ok('mutation($i: CreateMachineInput!) { createMachine(input: $i) { id code } }', {
      i: { code, name: `M${code}` },
    });
    return createMachine;
  }

  async function user(extra: Record<string, unknown> = {}): Promise<{ id: string; displayName: string }> {
    const name = `u${Math.random().toString(36).slice(2, 10)}`;
    const { createUser } = await ok('mutation($i: CreateUserInput!) { createUser(input: $i) { id displayName } }', {
      i: { email: `${name}@plantgraph.test`, displayName: name, roles: ['member'], ...extra },
    });
    return createUser;
  }

  const seen = (m: { id: number }, secondsAgo: number) =>
    t.db.query(`UPDATE machines SET last_seen_at = now() - $2 * interval '1 second' WHERE id = $1`, [m.id, secondsAgo]);

  const createUse = (userId: string, machineCode: string, startedAt: Date, endedAt?: Date) =>
    ok('mutation($i: CreateMachineUseInput!) { createMachineUse(input: $i) { id } }', {
      i: { userId, machineCode, startedAt: startedAt.toISOString(), endedAt: endedAt?.toISOString() },
    }).then((d) => d.createMachineUse.id as string);

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.login();
    status = t.app.get(AccessStatusService);
  });
  afterAll(() => t.close());

  it('shows each machine IN_USE > BLOCKED > MAINTENANCE > OFFLINE > FREE, with counts', async () => {
    const [inUse, blocked, maintenance, offline, free] = [
      await machine(),
      await machine(),
      await machine(),
      await machine(),
      await machine(),
    ];
    const ada = await user();
    for (const m of [inUse, blocked, maintenance, free]) await seen(m, 5);
    await seen(offline, 120);
    const since = new Date(Date.now() - 10 * 60_000);
    await createUse(ada.id, inUse.code, since);
    for (const m of [inUse, blocked])
      await ok('mutation($c: String!) { updateMachine(code: $c, input: { blocked: true }) { id } }', { c: m.code });
    await ok(
      'mutation($c: String!) { createMaintenancePlan(input: { machineCode: $c, description: "Belt", lcdMessage: "Cinghia", hoursBetween: 0.5 }) { id } }',
      { c: maintenance.code },
    );
    await createUse(ada.id, maintenance.code, new Date(Date.now() - 3 * HOUR), new Date(Date.now() - 2 * HOUR));

    const codes = [inUse, blocked, maintenance, offline, free].map((m) => m.code);
    const { machineAccessStatus: board } = await ok(
      `query($c: [String!]) { machineAccessStatus(machineCodes: $c) {
        counts { inUse blocked maintenance offline free total }
        machines { machine { code } status user { id displayName } since blocked maintenanceDue maintenanceMessage online } } }`,
      { c: codes },
    );
    const byCode = Object.fromEntries(board.machines.map((s: { machine: { code: string } }) => [s.machine.code, s]));
    expect(byCode[inUse.code]).toMatchObject({
      status: 'IN_USE',
      user: ada,
      since: since.toISOString(),
      blocked: true,
    });
    expect(byCode[blocked.code]).toMatchObject({ status: 'BLOCKED', user: null });
    expect(byCode[maintenance.code]).toMatchObject({
      status: 'MAINTENANCE',
      maintenanceDue: true,
      maintenanceMessage: 'Cinghia',
    });
    expect(byCode[offline.code]).toMatchObject({ status: 'OFFLINE', online: false });
    expect(byCode[free.code]).toMatchObject({ status: 'FREE', online: true });
    expect(board.counts).toEqual({ inUse: 1, blocked: 1, maintenance: 1, offline: 1, free: 1, total: 5 });

    const unknown = await t.graphql('{ machineAccessStatus(machineCodes: ["no-such"]) { at } }', {}, admin);
    expect(errorOf(unknown)).toMatchObject({ code: 'BAD_USER_INPUT', fields: { machineCodes: 'unknown: no-such' } });
  });

  it('delivers status changes: IN_USE when a use opens, FREE when it closes, OFFLINE after 90 s of silence', async () => {
    const m = await machine();
    const ada = await user();
    await seen(m, 0);
    const subscription = collect(
      t.wsClient(admin),
      `subscription($c: [String!]) {
      machineAccessStatusChanged(machineCodes: $c) { machine { code } status user { id displayName } since online } }`,
      {
        c: [m.code],
      },
    );
    // Until the subscription provably receives: flip the machine between silent and seen.
    let silent = false;
    await waitFor(
      async () => {
        if (subscription.events.length) return true;
        silent = !silent;
        await seen(m, silent ? 120 : 0);
        await status.checkAll();
        return false;
      },
      { intervalMs: 100, what: 'a first status event' },
    );
    await seen(m, 0);
    await status.checkAll();
    await waitFor(() => subscription.events.at(-1)?.data?.machineAccessStatusChanged.status === 'FREE', {
      what: 'FREE',
    });
    const mark = subscription.events.length;

    const since = new Date(Date.now() - 60_000);
    const useId = await createUse(ada.id, m.code, since);
    await waitFor(() => subscription.events.length > mark, { what: 'IN_USE' });
    expect(subscription.events[mark].data!.machineAccessStatusChanged).toEqual({
      machine: { code: m.code },
      status: 'IN_USE',
      user: ada,
      since: since.toISOString(),
      online: true,
    });

    await ok('mutation($id: ID!, $e: DateTime!) { updateMachineUse(id: $id, input: { endedAt: $e }) { id } }', {
      id: useId,
      e: new Date().toISOString(),
    });
    await waitFor(() => subscription.events.length > mark + 1, { what: 'FREE after the use closed' });
    expect(subscription.events[mark + 1].data!.machineAccessStatusChanged).toMatchObject({
      status: 'FREE',
      user: null,
    });

    // Silent for more than 90 s: no message comes, the periodic check notices.
    await seen(m, 91);
    await status.checkAll();
    await waitFor(() => subscription.events.length > mark + 2, { what: 'OFFLINE' });
    expect(subscription.events[mark + 2].data!.machineAccessStatusChanged).toMatchObject({
      status: 'OFFLINE',
      online: false,
    });
    expect(subscription.events).toHaveLength(mark + 3);
    subscription.unsubscribe();
  });

  it("sends remote start/stop with the caller's card to an online board, refusing offline machines and callers without a card", async () => {
    const m = await machine();
    const card = randomCard();
    const { me } = await ok('{ me { id } }');
    await ok('mutation($id: ID!, $c: String!) { updateUser(id: $id, input: { cardUid: $c }) { id } }', {
      id: me.id,
      c: card.toUpperCase(),
    });
    const root = t.app.get(AppConfig).ACCESS_MQTT_ROOT;
    const board: MqttClient = await connectAsync(t.mqttUrl, { clientId: `board-${randomCard()}`, clean: true });
    const received: Array<{ topic: string; payload: string }> = [];
    board.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
    await board.subscribeAsync(`${root}/${m.code}/request`, { qos: 0 });
    try {
      const START = 'mutation($c: String!) { remoteStartMachine(code: $c) { machineCode requestType cardUid } }';
      const STOP = 'mutation($c: String!) { remoteStopMachine(code: $c) { requestType } }';

      await seen(m, 120);
      expect(errorOf(await t.graphql(START, { c: m.code }, admin))).toMatchObject({
        code: 'CONFLICT',
        reason: 'MACHINE_OFFLINE',
      });

      await seen(m, 5);
      expect((await ok(START, { c: m.code })).remoteStartMachine).toEqual({
        machineCode: m.code,
        requestType: 'start',
        cardUid: card,
      });
      await ok(STOP, { c: m.code });
      await waitFor(() => received.length >= 2, { what: 'two commands on the request topic' });
      expect(received.map((r) => r.topic)).toEqual([`${root}/${m.code}/request`, `${root}/${m.code}/request`]);
      expect(received.map((r) => JSON.parse(r.payload))).toEqual([
        { request_type: 'start', uid: card },
        { request_type: 'stop', uid: card },
      ]);

      const email = `sup-${randomCard()}@plantgraph.test`;
      await user({ email, password: 'supervisor-pass-1', roles: ['supervisor'] });
      const supervisor = await t.login(email, 'supervisor-pass-1');
      expect(errorOf(await t.graphql(START, { c: m.code }, supervisor))).toMatchObject({
        code: 'CONFLICT',
        reason: 'NO_CARD',
      });
      expect(errorOf(await t.graphql(START, { c: 'lathe-1' }, admin))).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: { machineCode: expect.any(String) },
      });
      expect(errorOf(await t.graphql(START, { c: '99999999' }, admin)).code).toBe('NOT_FOUND');
      expect(received).toHaveLength(2);
    } finally {
      await board.endAsync();
    }
  });

  it('reports hours per machine and per user over a window, clipped to it, also as CSV; and the weekly summary', async () => {
    const [x, y] = [await machine(), await machine()];
    const [ugo, eva] = [await user(), await user()];
    // A Monday at least two weeks back: this test's week, which no other test writes into.
    const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
    const monday = new Date(today.getTime() - (((today.getUTCDay() + 6) % 7) + 14) * DAY);
    const at = (hours: number) => new Date(monday.getTime() + hours * HOUR);
    await createUse(ugo.id, x.code, at(-1), at(1)); // 1 h inside
    await createUse(eva.id, x.code, at(2), at(4)); // 2 h
    await createUse(ugo.id, y.code, at(167), at(169)); // 1 h inside (the week ends at 168 h)
    await createUse(eva.id, y.code, at(200), at(201)); // outside

    const REPORT = `query($from: DateTime!, $to: DateTime!, $g: UsageGrouping) { usageReport(from: $from, to: $to, groupBy: $g) {
      groupBy totalHours rows { machine { code } user { id displayName } uses seconds hours } } }`;
    const window = { from: at(0).toISOString(), to: at(168).toISOString() };
    const ours = (rows: Array<{ machine?: { code: string }; user?: { id: string } }>) =>
      rows.filter(
        (r) => [x.code, y.code].includes(r.machine?.code ?? '') || [ugo.id, eva.id].includes(r.user?.id ?? ''),
      );
    const byMachine = (await ok(REPORT, { ...window, g: 'MACHINE' })).usageReport;
    expect(ours(byMachine.rows)).toEqual([
      { machine: { code: x.code }, user: null, uses: 2, seconds: 10800, hours: 3 },
      { machine: { code: y.code }, user: null, uses: 1, seconds: 3600, hours: 1 },
    ]);
    const byUser = (await ok(REPORT, { ...window, g: 'USER' })).usageReport;
    expect(ours(byUser.rows).sort((a, b) => (a.user!.id < b.user!.id ? -1 : 1))).toEqual(
      [
        { machine: null, user: ugo, uses: 2, seconds: 7200, hours: 2 },
        { machine: null, user: eva, uses: 1, seconds: 7200, hours: 2 },
      ].sort((a, b) => (a.user.id < b.user.id ? -1 : 1)),
    );

    const csv: string = (
      await ok('query($from: DateTime!, $to: DateTime!) { usageReportCsv(from: $from, to: $to) }', window)
    ).usageReportCsv;
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('machine_code,machine_name,from,to,uses,seconds,hours');
    expect(lines).toContain(`${x.code},M${x.code},${window.from},${window.to},2,10800,3`);
    expect(lines).toContain(`${y.code},M${y.code},${window.from},${window.to},1,3600,1`);

    const empty = await t.graphql(REPORT, { from: window.to, to: window.from }, admin);
    expect(errorOf(empty)).toMatchObject({ code: 'BAD_USER_INPUT', fields: { to: 'must be after from' } });

    // The week's unknown cards, and maintenance overdue now.
    const [often, once] = [randomCard(), randomCard()];
    for (const [card, m, hours] of [
      [often, x, 5],
      [often, x, 6],
      [often, y, 7],
      [once, x, 8],
      [once, x, 170],
    ] as const)
      await t.db.query('INSERT INTO access_unknown_cards (card_uid, machine_id, attempted_at) VALUES ($1, $2, $3)', [
        card,
        m.id,
        at(hours),
      ]);
    await ok(
      'mutation($c: String!) { createMaintenancePlan(input: { machineCode: $c, description: "Lens", hoursBetween: 1, instructionsUrl: "https://wiki.example/lens" }) { id } }',
      { c: x.code },
    );
    const { weeklyAccessSummary: week } = await ok(
      `query($w: DateTime) { weeklyAccessSummary(weekStart: $w) { from to usage { machine { code } hours }
        overdueMaintenance { machine { code } description overdueHours instructionsUrl }
        unknownCards { cardUid machines { code } attempts } } }`,
      { w: at(50).toISOString() },
    );
    expect(week.from).toBe(monday.toISOString());
    expect(week.to).toBe(at(168).toISOString());
    expect(ours(week.usage)).toEqual([
      { machine: { code: x.code }, hours: 3 },
      { machine: { code: y.code }, hours: 1 },
    ]);
    expect(week.overdueMaintenance.filter((p: { machine: { code: string } }) => p.machine.code === x.code)).toEqual([
      { machine: { code: x.code }, description: 'Lens', overdueHours: 3, instructionsUrl: 'https://wiki.example/lens' },
    ]);
    expect(week.unknownCards.filter((c: { cardUid: string }) => [often, once].includes(c.cardUid))).toEqual([
      { cardUid: often, machines: [{ code: x.code }, { code: y.code }], attempts: 3 },
      { cardUid: once, machines: [{ code: x.code }], attempts: 1 },
    ]);

    // By default, the last full week.
    const { weeklyAccessSummary: last } = await ok('{ weeklyAccessSummary { from to } }');
    expect(new Date(last.to).getTime() - new Date(last.from).getTime()).toBe(7 * DAY);
    expect(new Date(last.from).getUTCDay()).toBe(1);
    expect(new Date(last.to).getTime()).toBeLessThanOrEqual(Date.now());
    expect(new Date(last.to).getTime()).toBeGreaterThan(Date.now() - 7 * DAY);
  });

  it('purges: anonymises only closed uses and interventions past the retention, deletes old unknown cards', async () => {
    const m = await machine();
    const ada = await user();
    const ago = (days: number) => new Date(Date.now() - days * DAY);
    const oldUse = await createUse(ada.id, m.code, ago(401), ago(400));
    const recentUse = await createUse(ada.id, m.code, ago(11), ago(10));
    const openUse = await createUse(ada.id, m.code, ago(400));
    const { createMaintenancePlan: plan } = await ok(
      'mutation($c: String!) { createMaintenancePlan(input: { machineCode: $c, description: "Oil", hoursBetween: 100 }) { id } }',
      { c: m.code },
    );
    const intervention = (days: number) =>
      ok('mutation($i: CreateInterventionInput!) { createIntervention(input: $i) { id } }', {
        i: { planId: plan.id, userId: ada.id, performedAt: ago(days).toISOString() },
      }).then((d) => d.createIntervention.id as string);
    const [oldIntervention, recentIntervention] = [await intervention(366), await intervention(2)];
    const [oldCard, recentCard] = [randomCard(), randomCard()];
    for (const [card, days] of [
      [oldCard, 31],
      [recentCard, 29],
    ] as const)
      await t.db.query('INSERT INTO access_unknown_cards (card_uid, machine_id, attempted_at) VALUES ($1, $2, $3)', [
        card,
        m.id,
        ago(days),
      ]);

    const { purgeAccessRecords: report } = await ok(
      'mutation { purgeAccessRecords { usesAnonymized interventionsAnonymized unknownCardAttemptsDeleted } }',
    );
    expect(report).toEqual({ usesAnonymized: 1, interventionsAnonymized: 1, unknownCardAttemptsDeleted: 1 });

    const uses = await t.db.query<{ id: string; user_id: string | null; anonymized: boolean }>(
      'SELECT id::text, user_id, anonymized FROM access_uses WHERE machine_id = $1',
      [m.id],
    );
    const use = (id: string) => uses.find((u) => u.id === id);
    expect(use(oldUse)).toMatchObject({ user_id: null, anonymized: true });
    expect(use(recentUse)).toMatchObject({ user_id: ada.id, anonymized: false });
    expect(use(openUse)).toMatchObject({ user_id: ada.id, anonymized: false });
    const { interventions } = await ok(
      'query($p: Int) { interventions(planId: $p) { items { id user { id } anonymized } } }',
      { p: plan.id },
    );
    expect(interventions.items).toEqual([
      { id: recentIntervention, user: { id: ada.id }, anonymized: false },
      { id: oldIntervention, user: null, anonymized: true },
    ]);
    const cards = await t.db.query<{ card_uid: string }>(
      'SELECT card_uid FROM access_unknown_cards WHERE machine_id = $1',
      [m.id],
    );
    expect(cards.map((c) => c.card_uid)).toEqual([recentCard]);

    // A second pass finds nothing left to do.
    expect((await ok('mutation { purgeAccessRecords { usesAnonymized } }')).purgeAccessRecords.usesAnonymized).toBe(0);
  });
});
