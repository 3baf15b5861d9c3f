import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AlarmSignals, type AlarmCondition } from '../../src/alarms/application/alarm-signals.js';
import { Transactions } from '../../src/shared/database/transactions.js';
import { collect, errorOf, startTestApp, type TestApp } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * The alarm lifecycle end to end: conditions raised and cleared through AlarmSignals as a
 * source does, everything else as a client does (GraphQL over HTTP and graphql-ws).
 */
const ALARM_FIELDS = `id state severity message count peakValue suppression shelvedUntil shelveNote assigneeId closedAt
  source { kind key name experiment } type`;

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

function condition(key: string, type: string, at: Date, extra: Partial<AlarmCondition> = {}): AlarmCondition {
  return {
    source: { kind: 'MACHINE', key, name: `Welder ${key}` },
    type,
    severity: 'MAJOR',
    message: 'Current out of standard',
    value: 10,
    at,
    ...extra,
  };
}

describe('alarm lifecycle', () => {
  let t: TestApp;
  let admin: string;
  let operator: string;
  let member: string;
  let signals: AlarmSignals;

  const ok = async (query: string, variables?: Record<string, unknown>, token = admin) => {
    const result = await t.graphql(query, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data!;
  };
  const alarmsOf = async (key: string) =>
    (
      await ok(`query($k: [String!]) { alarms(filter: { sourceKeys: $k }) { totalCount items { ${ALARM_FIELDS} } } }`, {
        k: [key],
      })
    ).alarms as { totalCount: number; items: Array<Record<string, any>> };

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.login();
    signals = t.app.get(AlarmSignals);
    const user = async (role: string) => {
      const email = `${unique(role)}@plantgraph.test`;
      await ok('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
        i: { email, displayName: role, password: `${role}-password-1`, roles: [role] },
      });
      return t.login(email, `${role}-password-1`);
    };
    operator = await user('operator');
    member = await user('member');
  });
  afterAll(() => t.close());

  it('raises one alarm, re-raises it while open, acknowledges and clears it, with alarmChanged to a filtered client', async () => {
    const key = unique('m');
    const client = t.wsClient(operator);
    const mine = collect(
      client,
      `subscription($k: [String!]) { alarmChanged(filter: { sourceKinds: [MACHINE], sourceKeys: $k, types: ["OUT_OF_STANDARD", "PROBE"] }) {
        transition { kind byUserName note } alarm { id type state count } } }`,
      { k: [key] },
    );
    const critical = collect(
      client,
      `subscription($k: [String!]) { alarmChanged(filter: { sourceKeys: $k, severities: [CRITICAL] }) { alarm { type } } }`,
      { k: [key] },
    );
    // Subscriptions listen once the server has them: a probe condition is raised (each time a
    // newer event, so that each counts) until both have shown it.
    const t0 = new Date(Date.now() - 60_000);
    let probes = 0;
    await waitFor(
      async () => {
        await signals.raise(
          condition(key, 'PROBE', new Date(t0.getTime() - 10_000 + probes++), { severity: 'CRITICAL' }),
        );
        return mine.events.length > 0 && critical.events.length > 0;
      },
      { what: 'the probe in both subscriptions', intervalMs: 200 },
    );
    const ofType = (type: string) =>
      mine.events.map((e) => e.data!.alarmChanged).filter((c: { alarm: { type: string } }) => c.alarm.type === type);

    await signals.raise(condition(key, 'OUT_OF_STANDARD', t0));
    // Another type of the same source is not for the first subscription.
    await signals.raise(condition(key, 'BOARD_OFFLINE', t0, { severity: 'MINOR' }));

    let [alarm] = (await alarmsOf(key)).items.filter((a) => a.type === 'OUT_OF_STANDARD');
    expect(alarm).toMatchObject({ state: 'ACTIVE_UNACKNOWLEDGED', count: 1, peakValue: 10, severity: 'MAJOR' });
    expect(alarm.source).toEqual({ kind: 'MACHINE', key, name: `Welder ${key}`, experiment: null });
    await waitFor(() => ofType('OUT_OF_STANDARD').length > 0, { what: 'the alarm raised' });
    expect(ofType('OUT_OF_STANDARD')[0]).toEqual({
      transition: { kind: 'RAISED', byUserName: null, note: null },
      alarm: { id: alarm.id, type: 'OUT_OF_STANDARD', state: 'ACTIVE_UNACKNOWLEDGED', count: 1 },
    });

    // Raised again while open: the same alarm, counted, the peak kept; the same event again is not counted.
    await signals.raise(condition(key, 'OUT_OF_STANDARD', new Date(t0.getTime() + 1000), { value: 7 }));
    await signals.raise(condition(key, 'OUT_OF_STANDARD', new Date(t0.getTime() + 1000), { value: 7 }));
    const reraised = await alarmsOf(key);
    expect(reraised.totalCount).toBe(3);
    alarm = reraised.items.find((a) => a.type === 'OUT_OF_STANDARD')!;
    expect(alarm).toMatchObject({ count: 2, peakValue: 10, state: 'ACTIVE_UNACKNOWLEDGED' });

    const acknowledged = await ok(
      'mutation($id: ID!) { acknowledgeAlarm(id: $id, note: "on it") { state } }',
      { id: alarm.id },
      operator,
    );
    expect(acknowledged.acknowledgeAlarm.state).toBe('ACTIVE_ACKNOWLEDGED');
    const again = await t.graphql(
      'mutation($id: ID!) { acknowledgeAlarm(id: $id) { state } }',
      { id: alarm.id },
      operator,
    );
    expect(errorOf(again).code).toBe('CONFLICT');

    await signals.clear({ kind: 'MACHINE', key }, 'OUT_OF_STANDARD', new Date(t0.getTime() + 2000), 'back in band');
    const cleared = await ok(`query($id: ID!) { alarm(id: $id) { ${ALARM_FIELDS} } }`, { id: alarm.id });
    expect(cleared.alarm).toMatchObject({ state: 'NORMAL', count: 2 });
    expect(cleared.alarm.closedAt).not.toBeNull();

    const history = await ok(
      'query($id: ID!) { alarmHistory(alarmId: $id) { totalCount items { kind byUserName note stateAfter } } }',
      { id: alarm.id },
    );
    expect(history.alarmHistory.items.reverse()).toEqual([
      { kind: 'RAISED', byUserName: null, note: null, stateAfter: 'ACTIVE_UNACKNOWLEDGED' },
      { kind: 'RERAISED', byUserName: null, note: null, stateAfter: 'ACTIVE_UNACKNOWLEDGED' },
      { kind: 'ACKNOWLEDGED', byUserName: 'operator', note: 'on it', stateAfter: 'ACTIVE_ACKNOWLEDGED' },
      { kind: 'CLEARED', byUserName: null, note: 'back in band', stateAfter: 'NORMAL' },
    ]);

    await waitFor(() => ofType('OUT_OF_STANDARD').length >= 4, { what: 'four alarmChanged events' });
    expect(ofType('OUT_OF_STANDARD').map((c: { transition: { kind: string } }) => c.transition.kind)).toEqual([
      'RAISED',
      'RERAISED',
      'ACKNOWLEDGED',
      'CLEARED',
    ]);
    expect(ofType('OUT_OF_STANDARD')[2].transition).toEqual({
      kind: 'ACKNOWLEDGED',
      byUserName: 'operator',
      note: 'on it',
    });
    expect(ofType('BOARD_OFFLINE')).toEqual([]);
    // The MAJOR alarm never reached the subscription for CRITICAL ones.
    expect(new Set(critical.events.map((e) => e.data!.alarmChanged.alarm.type))).toEqual(new Set(['PROBE']));

    // A new raise after the alarm closed is a new alarm; a replay of an old event is not.
    await signals.raise(condition(key, 'OUT_OF_STANDARD', new Date(t0.getTime() + 1000)));
    expect((await alarmsOf(key)).totalCount).toBe(3);
    await signals.raise(condition(key, 'OUT_OF_STANDARD', new Date(t0.getTime() + 3000)));
    expect((await alarmsOf(key)).totalCount).toBe(4);
  });

  it("raises inside a source's own transaction: rolled back, no alarm and no alarmChanged", async () => {
    const key = unique('tx');
    const changes = collect(
      t.wsClient(admin),
      'subscription($k: [String!]) { alarmChanged(filter: { sourceKeys: $k }) { transition { kind } alarm { type count } } }',
      { k: [key] },
    );
    const at = Date.now();
    let probes = 0;
    await waitFor(
      async () => {
        await signals.raise(condition(key, 'PROBE', new Date(at - 10_000 + probes++)));
        return changes.events.length > 0;
      },
      { what: 'the probe', intervalMs: 200 },
    );
    const rolledBack = t.app.get(Transactions).run(async () => {
      await signals.raise(condition(key, 'OUT_OF_STANDARD', new Date(at)));
      throw new Error('the source failed');
    });
    await expect(rolledBack).rejects.toThrow('the source failed');
    expect((await alarmsOf(key)).items.map((a) => a.type)).toEqual(['PROBE']);

    await t.app.get(Transactions).run(() => signals.raise(condition(key, 'OUT_OF_STANDARD', new Date(at))));
    const ofType = () =>
      changes.events
        .map((e) => e.data!.alarmChanged)
        .filter((c: { alarm: { type: string } }) => c.alarm.type !== 'PROBE');
    await waitFor(() => ofType().length > 0, { what: 'the committed raise' });
    expect(ofType()).toEqual([{ transition: { kind: 'RAISED' }, alarm: { type: 'OUT_OF_STANDARD', count: 1 } }]);
  });

  it('lists alarms by state, severity, type, suppression and time window', async () => {
    const key = unique('list');
    const at = new Date();
    await signals.raise(condition(key, 'A', at, { severity: 'CRITICAL' }));
    await signals.raise(condition(key, 'B', at, { severity: 'MINOR' }));
    await signals.raise(condition(key, 'C', at, { severity: 'MINOR' }));
    await signals.clear({ kind: 'MACHINE', key }, 'C', new Date(at.getTime() + 1));
    const types = async (filter: Record<string, unknown>) =>
      (
        await ok('query($f: AlarmListFilterInput) { alarms(filter: $f) { totalCount items { type } } }', {
          f: { sourceKeys: [key], ...filter },
        })
      ).alarms.items
        .map((a: { type: string }) => a.type)
        .sort();
    expect(await types({})).toEqual(['A', 'B', 'C']);
    expect(await types({ severities: ['MINOR'] })).toEqual(['B', 'C']);
    expect(await types({ states: ['RETURNED_UNACKNOWLEDGED'] })).toEqual(['C']);
    expect(await types({ types: ['A', 'B'] })).toEqual(['A', 'B']);
    expect(await types({ suppressed: true })).toEqual([]);
    expect(await types({ from: new Date(at.getTime() + 60_000).toISOString() })).toEqual(['A', 'B', 'C']);
    expect(await types({ to: at.toISOString() })).toEqual([]);
    const page = await ok(
      'query($k: [String!]) { alarms(filter: { sourceKeys: $k }, limit: 2) { totalCount hasMore } }',
      {
        k: [key],
      },
    );
    expect(page.alarms).toEqual({ totalCount: 3, hasMore: true });
  });

  it('returns an unacknowledged alarm to RETURNED_UNACKNOWLEDGED; acknowledging closes it', async () => {
    const key = unique('r');
    const at = new Date();
    await signals.raise(condition(key, 'OUT_OF_STANDARD', at));
    await signals.clear({ kind: 'MACHINE', key }, 'OUT_OF_STANDARD', new Date(at.getTime() + 10));
    const [alarm] = (await alarmsOf(key)).items;
    expect(alarm.state).toBe('RETURNED_UNACKNOWLEDGED');
    const acked = await ok('mutation($id: ID!) { acknowledgeAlarm(id: $id) { state closedAt } }', { id: alarm.id });
    expect(acked.acknowledgeAlarm.state).toBe('NORMAL');
  });

  it('escalates severity while open and asks for a new acknowledgement', async () => {
    const key = unique('e');
    const at = new Date();
    await signals.raise(condition(key, 'ANOMALY', at, { severity: 'WARNING' }));
    const [alarm] = (await alarmsOf(key)).items;
    await ok('mutation($id: ID!) { acknowledgeAlarm(id: $id) { state } }', { id: alarm.id });
    await signals.raise(condition(key, 'ANOMALY', new Date(at.getTime() + 1), { severity: 'CRITICAL', value: 20 }));
    expect((await alarmsOf(key)).items[0]).toMatchObject({
      severity: 'CRITICAL',
      state: 'ACTIVE_UNACKNOWLEDGED',
      peakValue: 20,
    });
    await signals.raise(condition(key, 'ANOMALY', new Date(at.getTime() + 2), { severity: 'MINOR' }));
    expect((await alarmsOf(key)).items[0]).toMatchObject({ severity: 'CRITICAL', count: 3 });
  });

  it('assigns an alarm to a user and back to nobody', async () => {
    const key = unique('a');
    await signals.raise(condition(key, 'OUT_OF_STANDARD', new Date()));
    const [alarm] = (await alarmsOf(key)).items;
    const me = (await ok('{ me { id } }', {}, operator)).me.id;
    const assigned = await ok(
      'mutation($id: ID!, $u: String) { assignAlarm(id: $id, userId: $u) { assigneeId } }',
      { id: alarm.id, u: me },
      operator,
    );
    expect(assigned.assignAlarm.assigneeId).toBe(me);
    const unknown = await t.graphql(
      'mutation($id: ID!, $u: String) { assignAlarm(id: $id, userId: $u) { id } }',
      {
        id: alarm.id,
        u: '00000000-0000-4000-8000-000000000000',
      },
      operator,
    );
    expect(errorOf(unknown).code).toBe('NOT_FOUND');
    const none = await ok(
      'mutation($id: ID!) { assignAlarm(id: $id, userId: null) { assigneeId } }',
      { id: alarm.id },
      operator,
    );
    expect(none.assignAlarm.assigneeId).toBeNull();
  });

  it('shelves an alarm with a reason until a time, and un-shelves it when the time runs out', async () => {
    const key = unique('s');
    await signals.raise(condition(key, 'OUT_OF_STANDARD', new Date()));
    const [alarm] = (await alarmsOf(key)).items;
    const shelve = (until: Date, note: string) =>
      t.graphql(
        'mutation($id: ID!, $u: DateTime!, $n: String!) { shelveAlarm(id: $id, until: $u, note: $n) { suppression shelvedUntil shelveNote } }',
        { id: alarm.id, u: until.toISOString(), n: note },
        operator,
      );

    const past = await shelve(new Date(Date.now() - 1000), 'too late');
    expect(errorOf(past)).toMatchObject({ code: 'BAD_USER_INPUT', fields: { until: 'must be in the future' } });
    const tooFar = await shelve(new Date(Date.now() + 31 * 86_400_000), 'forever');
    expect(errorOf(tooFar).code).toBe('BAD_USER_INPUT');
    expect(errorOf(await shelve(new Date(Date.now() + 60_000), ' ')).code).toBe('BAD_USER_INPUT');

    const until = new Date(Date.now() + 1500);
    const shelved = await shelve(until, 'welder under maintenance');
    expect(shelved.errors).toBeUndefined();
    expect(shelved.data!.shelveAlarm).toEqual({
      suppression: 'SHELVED',
      shelvedUntil: until.toISOString(),
      shelveNote: 'welder under maintenance',
    });
    expect((await ok('{ alarmSummary { suppressed } }')).alarmSummary.suppressed).toBeGreaterThan(0);

    const unshelved = await waitFor(
      async () => {
        const [a] = (await alarmsOf(key)).items;
        return a.suppression === null ? a : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200, what: 'the shelf to run out' },
    );
    expect(unshelved.shelvedUntil).toBeNull();
    const history = await ok(
      'query($id: ID!) { alarmHistory(alarmId: $id, limit: 1) { items { kind byUserId note } } }',
      { id: alarm.id },
    );
    expect(history.alarmHistory.items).toEqual([{ kind: 'UNSHELVED', byUserId: null, note: 'the shelf ran out' }]);

    // Un-shelving by hand, and refusing to un-shelve what is not shelved.
    expect((await shelve(new Date(Date.now() + 60_000), 'again')).errors).toBeUndefined();
    const by = await ok(
      'mutation($id: ID!) { unshelveAlarm(id: $id, note: "fixed") { suppression } }',
      { id: alarm.id },
      operator,
    );
    expect(by.unshelveAlarm.suppression).toBeNull();
    const twice = await t.graphql(
      'mutation($id: ID!) { unshelveAlarm(id: $id) { suppression } }',
      { id: alarm.id },
      operator,
    );
    expect(errorOf(twice).code).toBe('CONFLICT');
  });

  it('suppresses the alarms of a source out of service, still recording them', async () => {
    const key = unique('o');
    await signals.raise(condition(key, 'OUT_OF_STANDARD', new Date()));
    const set = (on: boolean) =>
      t.graphql(
        'mutation($k: String!, $on: Boolean!) { setAlarmSourceOutOfService(kind: MACHINE, key: $k, outOfService: $on, note: "rebuild") { outOfService alarmsAffected note } }',
        { k: key, on },
        admin,
      );
    expect((await set(true)).data!.setAlarmSourceOutOfService).toEqual({
      outOfService: true,
      alarmsAffected: 1,
      note: 'rebuild',
    });
    expect(errorOf(await set(true)).code).toBe('CONFLICT');
    await signals.raise(condition(key, 'BOARD_OFFLINE', new Date()));
    const suppressed = await alarmsOf(key);
    expect(suppressed.items.map((a) => a.suppression)).toEqual(['OUT_OF_SERVICE', 'OUT_OF_SERVICE']);
    expect((await set(false)).data!.setAlarmSourceOutOfService).toMatchObject({
      outOfService: false,
      alarmsAffected: 2,
    });
    expect((await alarmsOf(key)).items.map((a) => a.suppression)).toEqual([null, null]);
  });

  it('makes one alarm when two app instances raise the same condition at once', async () => {
    const second = await startTestApp({}, t.db);
    try {
      const key = unique('c');
      const at = new Date();
      const both = [signals, second.app.get(AlarmSignals)];
      // The same event seen by both replicas, many times over: one alarm, counted once.
      await Promise.all(Array.from({ length: 10 }, (_, i) => both[i % 2].raise(condition(key, 'OUT_OF_STANDARD', at))));
      expect((await alarmsOf(key)).items.map((a) => a.count)).toEqual([1]);
      // Different events at once: still one alarm, each counted.
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          both[i % 2].raise(condition(key, 'OUT_OF_STANDARD', new Date(at.getTime() + 1 + i))),
        ),
      );
      const [alarm] = (await alarmsOf(key)).items;
      expect(alarm.count).toBeGreaterThanOrEqual(2);
      expect((await alarmsOf(key)).totalCount).toBe(1);
      const rows = await t.db.query<{ count: string }>(
        "SELECT count(*) FROM alarm_transitions WHERE alarm_id = $1 AND kind IN ('RAISED', 'RERAISED')",
        [alarm.id],
      );
      expect(Number(rows[0].count)).toBe(alarm.count);
    } finally {
      await second.close();
    }
  });

  it('computes the health figures of a seeded history exactly', async () => {
    const from = new Date('2025-03-01T00:00:00Z');
    const at = (minutes: number) => new Date(from.getTime() + minutes * 60_000).toISOString();
    const seed = async (
      key: string,
      firstMinutes: number,
      closedMinutes: number | null,
      transitions: Array<[string, number, string]>,
    ) => {
      const [{ id }] = await t.db.query<{ id: string }>(
        `INSERT INTO alarms (source_kind, source_key, source_name, type, severity, message, state, first_raised_at,
           last_raised_at, last_changed_at, count, closed_at)
         VALUES ('SENSOR', $1, $1, 'SEEDED', 'MINOR', 'seeded', $2, $3, $3, $3, 1, $4) RETURNING id`,
        [
          key,
          closedMinutes === null ? 'ACTIVE_UNACKNOWLEDGED' : 'NORMAL',
          at(firstMinutes),
          closedMinutes === null ? null : at(closedMinutes),
        ],
      );
      for (const [kind, minutes, stateAfter] of transitions)
        await t.db.query(
          `INSERT INTO alarm_transitions (alarm_id, kind, at, state_after, severity) VALUES ($1, $2, $3, $4, 'MINOR')`,
          [id, kind, at(minutes), stateAfter],
        );
      return id;
    };
    const ACTIVE = 'ACTIVE_UNACKNOWLEDGED';
    // Chattering: raised 3 times within 40 s, then closed.
    const chatter = await seed(unique('h'), 10, 12, [
      ['RAISED', 10, ACTIVE],
      ['RETURNED', 10.2, 'RETURNED_UNACKNOWLEDGED'],
      ['RERAISED', 10.4, ACTIVE],
      ['RERAISED', 10.6, ACTIVE],
      ['ACKNOWLEDGED', 11, 'ACTIVE_ACKNOWLEDGED'],
      ['CLEARED', 12, 'NORMAL'],
    ]);
    // A flood: 11 alarms between minutes 30 and 35.
    for (let i = 0; i < 11; i++)
      await seed(unique('f'), 30 + i * 0.5, 50, [
        ['RAISED', 30 + i * 0.5, ACTIVE],
        ['CLEARED', 50, 'NORMAL'],
      ]);
    // Stale: raised two days before the window, still active.
    const stale = await seed(unique('st'), -2 * 24 * 60, null, [['RAISED', -2 * 24 * 60, ACTIVE]]);
    // Outside the window: not counted.
    await seed(unique('x'), 200, 210, [
      ['RAISED', 200, ACTIVE],
      ['CLEARED', 210, 'NORMAL'],
    ]);

    const health = await ok(
      `query($f: DateTime!, $t: DateTime!) { alarmHealth(from: $f, to: $t) { hours annunciations alarmsPerHour
        peakPer10Minutes peakPeriodStart floodPeriods chatteringAlarmIds staleAlarmIds } }`,
      { f: at(0), t: at(120) },
    );
    expect(health.alarmHealth).toEqual({
      hours: 2,
      annunciations: 14,
      alarmsPerHour: 7,
      peakPer10Minutes: 11,
      peakPeriodStart: at(30),
      floodPeriods: 1,
      chatteringAlarmIds: [chatter],
      staleAlarmIds: [stale],
    });
    const wrong = await t.graphql(
      'query($f: DateTime!) { alarmHealth(from: $f, to: $f) { hours } }',
      { f: at(0) },
      admin,
    );
    expect(errorOf(wrong).code).toBe('BAD_USER_INPUT');
  });

  it('counts open alarms by state and severity', async () => {
    const summary = (await ok('{ alarmSummary { open byState { state count } bySeverity { severity count } } }'))
      .alarmSummary;
    const [{ count }] = await t.db.query<{ count: string }>("SELECT count(*) FROM alarms WHERE state <> 'NORMAL'");
    expect(summary.open).toBe(Number(count));
    expect(summary.byState.map((s: { state: string }) => s.state)).toEqual([
      'ACTIVE_UNACKNOWLEDGED',
      'ACTIVE_ACKNOWLEDGED',
      'RETURNED_UNACKNOWLEDGED',
    ]);
    expect(summary.bySeverity.reduce((sum: number, s: { count: number }) => sum + s.count, 0)).toBe(summary.open);
  });

  it('ends alarmChanged with FORBIDDEN when its user loses alarms:read', async () => {
    const email = `${unique('losing')}@plantgraph.test`;
    const created = await ok('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
      i: { email, displayName: 'losing', password: 'losing-password-1', roles: ['supervisor'] },
    });
    const client = t.wsClient(await t.login(email, 'losing-password-1'));
    const key = unique('l');
    const changes = collect(
      client,
      'subscription($k: [String!]) { alarmChanged(filter: { sourceKeys: $k }) { alarm { id } } }',
      {
        k: [key],
      },
    );
    const at = Date.now();
    let n = 0;
    await waitFor(
      async () => {
        await signals.raise(condition(key, 'OUT_OF_STANDARD', new Date(at + n++)));
        return changes.events.length > 0;
      },
      { what: 'the first alarmChanged', intervalMs: 200 },
    );
    await ok('mutation($id: ID!) { updateUser(id: $id, input: { roles: ["member"] }) { id } }', {
      id: created.createUser.id,
    });
    await waitFor(() => changes.error ?? changes.events.find((e) => e.errors), { what: 'the refusal' });
    expect(JSON.stringify(changes.error ?? changes.events.flatMap((e) => e.errors ?? []))).toContain('FORBIDDEN');
  });

  it('refuses what the caller may not do, and unknown alarms', async () => {
    expect(errorOf(await t.graphql('{ alarms { totalCount } }', {}, member)).code).toBe('FORBIDDEN');
    expect(errorOf(await t.graphql('{ alarms { totalCount } }')).code).toBe('UNAUTHENTICATED');
    const oos = await t.graphql(
      'mutation { setAlarmSourceOutOfService(kind: MACHINE, key: "x", outOfService: true) { outOfService } }',
      {},
      operator,
    );
    expect(errorOf(oos).code).toBe('FORBIDDEN');
    expect(errorOf(await t.graphql('mutation { acknowledgeAlarm(id: "1") { id } }', {}, member)).code).toBe(
      'FORBIDDEN',
    );
    expect(errorOf(await t.graphql('{ alarm(id: "999999999") { id } }', {}, admin)).code).toBe('NOT_FOUND');
    expect(errorOf(await t.graphql('{ alarm(id: "abc") { id } }', {}, admin)).code).toBe('BAD_USER_INPUT');
    // A member's subscription is refused.
    const refused = collect(t.wsClient(member), 'subscription { alarmChanged { alarm { id } } }');
    await waitFor(() => refused.error !== undefined || refused.events.some((e) => e.errors?.length), {
      what: 'the subscription to be refused',
    });
  });
});
