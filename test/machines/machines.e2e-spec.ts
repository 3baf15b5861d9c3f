import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { MachinesService } from '../../src/machines/application/machines.service.js';
import { replicasSharingRedis, startTestApp, type TestApp, errorOf } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';

const MACHINE_FIELDS = `id code name model maker capacityAmps dateOfPurchase blocked hours lastSeenAt createdAt updatedAt
  machineType { id name } axes { id machineId name maxVelocity maxAcceleration } tools { id number toolOffset feedRate }`;
const CREATE_MACHINE = `mutation($i: CreateMachineInput!) { createMachine(input: $i) { ${MACHINE_FIELDS} } }`;
const UPDATE_MACHINE = `mutation($c: String!, $i: UpdateMachineInput!) { updateMachine(code: $c, input: $i) { ${MACHINE_FIELDS} } }`;
const MACHINE = `query($c: String!) { machine(code: $c) { ${MACHINE_FIELDS} } }`;
const MACHINES = `query($text: String, $machineTypeId: Int, $blocked: Boolean, $offset: Int, $limit: Int) {
  machines(text: $text, machineTypeId: $machineTypeId, blocked: $blocked, offset: $offset, limit: $limit) {
    totalCount offset limit hasMore items { code }
  }
}`;
const DELETE_MACHINE =
  'mutation($c: String!) { deleteMachine(code: $c) { machine { code name } removed { what count } } }';
const CREATE_TYPE =
  'mutation($i: CreateMachineTypeInput!) { createMachineType(input: $i) { id name autoLogoffMinutes graceMinutes needsAuthorization } }';
const CREATE_ELEMENT =
  'mutation($i: CreateElementTypeInput!) { createElementType(input: $i) { id name range currentMin currentMax voltageMin voltageMax description active } }';
const CREATE_AXIS =
  'mutation($c: String!, $i: AxisInput!) { createAxis(machineCode: $c, input: $i) { id machineId name maxVelocity maxAcceleration } }';
const CREATE_TOOL =
  'mutation($c: String!, $i: ToolInput!) { createTool(machineCode: $c, input: $i) { id machineId number toolOffset feedRate } }';

const axis = (name: string) => ({ name, maxVelocity: 60, maxAcceleration: 200 });

describe('machine registry', () => {
  let t: TestApp;
  let admin: string;
  let service: MachinesService;

  /** Runs an operation as the admin and expects it to succeed. */
  async function ok(query: string, variables?: Record<string, unknown>): Promise<Record<string, any>> {
    const result = await t.graphql(query, variables, admin);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.login();
    service = t.app.get(MachinesService);
  });
  afterAll(() => t.close());

  it('creates, reads, updates and deletes machine types; refuses to delete one in use', async () => {
    const { createMachineType: welding } = await ok(CREATE_TYPE, { i: { name: 'Welding' } });
    expect(welding).toMatchObject({
      name: 'Welding',
      autoLogoffMinutes: 0,
      graceMinutes: 0,
      needsAuthorization: false,
    });
    const { createMachineType: lathe } = await ok(CREATE_TYPE, {
      i: { name: 'Lathe', autoLogoffMinutes: 30, graceMinutes: 5, needsAuthorization: true },
    });

    const updated = await ok(
      'mutation($id: Int!) { updateMachineType(id: $id, input: { graceMinutes: 10 }) { name autoLogoffMinutes graceMinutes needsAuthorization } }',
      { id: lathe.id },
    );
    expect(updated.updateMachineType).toEqual({
      name: 'Lathe',
      autoLogoffMinutes: 30,
      graceMinutes: 10,
      needsAuthorization: true,
    });
    const listed = await ok('{ machineTypes { name } }');
    expect(listed.machineTypes.map((m: { name: string }) => m.name)).toEqual(
      expect.arrayContaining(['Lathe', 'Welding']),
    );

    expect(errorOf(await t.graphql(CREATE_TYPE, { i: { name: 'Welding' } }, admin))).toMatchObject({
      code: 'CONFLICT',
      field: 'name',
    });

    await ok(CREATE_MACHINE, { i: { code: 'type-user', name: 'Uses lathe', machineTypeId: lathe.id } });
    const DELETE_TYPE = 'mutation($id: Int!) { deleteMachineType(id: $id) { id name } }';
    const inUse = await t.graphql(DELETE_TYPE, { id: lathe.id }, admin);
    expect(errorOf(inUse)).toMatchObject({ code: 'CONFLICT', machines: 1 });
    expect(inUse.errors![0].message).toMatch(/used by 1 machine/);
    expect((await ok(MACHINE, { c: 'type-user' })).machine.machineType).toEqual({ id: lathe.id, name: 'Lathe' });

    expect((await ok(DELETE_TYPE, { id: welding.id })).deleteMachineType.name).toBe('Welding');
    expect(errorOf(await t.graphql(DELETE_TYPE, { id: welding.id }, admin)).code).toBe('NOT_FOUND');
  });

  it('creates, updates and deactivates element types, checking the standard bands', async () => {
    const { createElementType: created } = await ok(CREATE_ELEMENT, {
      i: { name: 'E7018', range: '6-10 mm', currentMin: 180, currentMax: 270, voltageMin: 20, voltageMax: 30 },
    });
    expect(created).toMatchObject({ range: '6-10 mm', currentMin: 180, description: '', active: true });
    expect(typeof created.currentMax).toBe('number');

    const inverted = await t.graphql(
      CREATE_ELEMENT,
      { i: { name: 'Inverted', currentMin: 300, currentMax: 200, voltageMin: 30, voltageMax: 30 } },
      admin,
    );
    expect(errorOf(inverted)).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(Object.keys(errorOf(inverted).fields).sort()).toEqual(['currentMax', 'voltageMax']);

    const UPDATE =
      'mutation($id: Int!, $i: UpdateElementTypeInput!) { updateElementType(id: $id, input: $i) { currentMin currentMax description } }';
    const beyondMax = await t.graphql(UPDATE, { id: created.id, i: { currentMin: 280 } }, admin);
    expect(errorOf(beyondMax).fields).toEqual({ currentMax: 'must be greater than currentMin (280)' });
    const widened = await ok(UPDATE, { id: created.id, i: { currentMin: 150, description: 'Low hydrogen' } });
    expect(widened.updateElementType).toEqual({ currentMin: 150, currentMax: 270, description: 'Low hydrogen' });

    const duplicate = await t.graphql(
      CREATE_ELEMENT,
      { i: { name: 'E7018', currentMin: 1, currentMax: 2, voltageMin: 1, voltageMax: 2 } },
      admin,
    );
    expect(errorOf(duplicate)).toMatchObject({ code: 'CONFLICT', field: 'name' });

    const deleted = await ok('mutation($id: Int!) { deleteElementType(id: $id) { active } }', { id: created.id });
    expect(deleted.deleteElementType.active).toBe(false);
    const active = await ok('{ elementTypes { name } }');
    expect(active.elementTypes).not.toContainEqual({ name: 'E7018' });
    const all = await ok('{ elementTypes(includeInactive: true) { name active } }');
    expect(all.elementTypes).toContainEqual({ name: 'E7018', active: false });
    expect((await service.getElementType(created.id)).description).toBe('Low hydrogen');
  });

  it('creates a machine with axes and tools, reads it, lists it by filters, and updates it', async () => {
    const { createMachineType: type } = await ok(CREATE_TYPE, { i: { name: 'CNC mill' } });
    const { createMachine: created } = await ok(CREATE_MACHINE, {
      i: {
        code: 'MILL-01',
        name: 'Mill one',
        model: 'VF-2',
        maker: 'Haas',
        capacityAmps: 32.5,
        dateOfPurchase: '2021-03-15',
        machineTypeId: type.id,
        axes: [axis('Z'), axis('X'), axis('Y')],
        tools: [{ number: 1, toolOffset: 12.5, feedRate: 1500 }, { number: 2 }],
      },
    });
    expect(created).toMatchObject({
      code: 'MILL-01',
      model: 'VF-2',
      capacityAmps: 32.5,
      dateOfPurchase: '2021-03-15',
      blocked: false,
      hours: 0,
      lastSeenAt: null,
      machineType: { id: type.id, name: 'CNC mill' },
    });
    expect(created.axes.map((a: { name: string }) => a.name)).toEqual(['X', 'Y', 'Z']);
    expect(created.axes[0]).toMatchObject({ machineId: created.id, maxVelocity: 60, maxAcceleration: 200 });
    expect(created.tools).toEqual([
      { id: expect.any(Number), number: 1, toolOffset: 12.5, feedRate: 1500 },
      { id: expect.any(Number), number: 2, toolOffset: 0, feedRate: 0 },
    ]);
    expect((await ok(MACHINE, { c: 'MILL-01' })).machine).toEqual(created);

    await ok(CREATE_MACHINE, { i: { code: 'LATHE-01', name: 'Lathe one', maker: 'Haas', blocked: true } });
    const byText = await ok(MACHINES, { text: 'haas', limit: 1 });
    expect(byText.machines).toEqual({
      totalCount: 2,
      offset: 0,
      limit: 1,
      hasMore: true,
      items: [{ code: 'LATHE-01' }],
    });
    expect((await ok(MACHINES, { machineTypeId: type.id })).machines.items).toEqual([{ code: 'MILL-01' }]);
    const blocked = (await ok(MACHINES, { blocked: true, text: '-01' })).machines.items;
    expect(blocked).toEqual([{ code: 'LATHE-01' }]);

    const { updateMachine: updated } = await ok(UPDATE_MACHINE, {
      c: 'MILL-01',
      i: { code: 'MILL-1', blocked: true, capacityAmps: null, machineTypeId: null },
    });
    expect(updated).toMatchObject({
      code: 'MILL-1',
      name: 'Mill one',
      blocked: true,
      capacityAmps: null,
      machineType: null,
    });
    expect(updated.axes).toHaveLength(3);
    expect(new Date(updated.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(created.updatedAt).getTime());
    expect(errorOf(await t.graphql(MACHINE, { c: 'MILL-01' }, admin)).code).toBe('NOT_FOUND');
  });

  it('answers bad machine input with BAD_USER_INPUT naming every field', async () => {
    const malformed = await t.graphql(
      CREATE_MACHINE,
      {
        i: {
          code: 'has space',
          name: 'Bad',
          capacityAmps: -1,
          dateOfPurchase: '15.03.2021',
          axes: [{ name: 'X', maxVelocity: 0, maxAcceleration: 1 }],
          tools: [{ number: 0 }],
        },
      },
      admin,
    );
    expect(errorOf(malformed).code).toBe('BAD_USER_INPUT');
    expect(Object.keys(errorOf(malformed).fields).sort()).toEqual(
      ['axes.0.maxVelocity', 'capacityAmps', 'code', 'dateOfPurchase', 'tools.0.number'].sort(),
    );

    const rules = await t.graphql(
      CREATE_MACHINE,
      {
        i: {
          code: 'RULES',
          name: 'Rules',
          dateOfPurchase: '2024-02-30',
          machineTypeId: 999999,
          axes: [axis('X'), axis('X')],
          tools: [{ number: 3 }, { number: 3 }],
        },
      },
      admin,
    );
    expect(errorOf(rules)).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: {
        dateOfPurchase: 'must be a calendar date written YYYY-MM-DD',
        'axes.1.name': 'X is given twice',
        'tools.1.number': '3 is given twice',
      },
    });
    const unknownType = await t.graphql(
      CREATE_MACHINE,
      { i: { code: 'RULES', name: 'Rules', machineTypeId: 999999 } },
      admin,
    );
    expect(errorOf(unknownType)).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { machineTypeId: 'no machine type 999999' },
    });
    expect(service.findByCode('RULES')).toBeUndefined();

    await ok(CREATE_MACHINE, { i: { code: 'STRICT', name: 'Strict' } });
    const nulled = await t.graphql(UPDATE_MACHINE, { c: 'STRICT', i: { name: null } }, admin);
    expect(errorOf(nulled)).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(Object.keys(errorOf(nulled).fields)).toEqual(['name']);
    const tooLong = await t.graphql(UPDATE_MACHINE, { c: 'STRICT', i: { code: 'x'.repeat(65) } }, admin);
    expect(Object.keys(errorOf(tooLong).fields)).toEqual(['code']);
  });

  it('refuses a duplicate code with CONFLICT and keeps the first machine', async () => {
    await ok(CREATE_MACHINE, { i: { code: 'DUP', name: 'First' } });
    const duplicate = await t.graphql(CREATE_MACHINE, { i: { code: 'DUP', name: 'Second', axes: [axis('X')] } }, admin);
    expect(errorOf(duplicate)).toMatchObject({ code: 'CONFLICT', field: 'code' });
    await ok(CREATE_MACHINE, { i: { code: 'DUP-2', name: 'Other' } });
    const renamed = await t.graphql(UPDATE_MACHINE, { c: 'DUP-2', i: { code: 'DUP' } }, admin);
    expect(errorOf(renamed)).toMatchObject({ code: 'CONFLICT', field: 'code' });
    expect((await ok(MACHINE, { c: 'DUP' })).machine).toMatchObject({ name: 'First', axes: [] });
  });

  it('manages axes (unique per machine) and tools (numbers unique per machine)', async () => {
    await ok(CREATE_MACHINE, { i: { code: 'PARTS', name: 'Parts', axes: [axis('X')] } });
    const { createAxis: a } = await ok(CREATE_AXIS, {
      c: 'PARTS',
      i: { name: 'A', maxVelocity: 10, maxAcceleration: 5 },
    });
    expect(a).toMatchObject({ name: 'A', maxVelocity: 10, maxAcceleration: 5 });
    expect(errorOf(await t.graphql(CREATE_AXIS, { c: 'PARTS', i: axis('X') }, admin))).toMatchObject({
      code: 'CONFLICT',
      field: 'name',
    });
    const invalid = await t.graphql(
      CREATE_AXIS,
      { c: 'PARTS', i: { name: 'Y', maxVelocity: -1, maxAcceleration: 0 } },
      admin,
    );
    expect(Object.keys(errorOf(invalid).fields).sort()).toEqual(['maxAcceleration', 'maxVelocity']);
    expect(errorOf(await t.graphql(CREATE_AXIS, { c: 'NOPE', i: axis('Y') }, admin)).code).toBe('NOT_FOUND');

    const UPDATE_AXIS =
      'mutation($id: Int!, $i: UpdateAxisInput!) { updateAxis(id: $id, input: $i) { name maxVelocity maxAcceleration } }';
    expect((await ok(UPDATE_AXIS, { id: a.id, i: { name: 'C', maxVelocity: 12 } })).updateAxis).toEqual({
      name: 'C',
      maxVelocity: 12,
      maxAcceleration: 5,
    });
    expect(errorOf(await t.graphql(UPDATE_AXIS, { id: a.id, i: { name: 'X' } }, admin)).code).toBe('CONFLICT');
    await ok('mutation($id: Int!) { deleteAxis(id: $id) { id } }', { id: a.id });
    expect((await ok(MACHINE, { c: 'PARTS' })).machine.axes.map((x: { name: string }) => x.name)).toEqual(['X']);

    const { createTool: tool } = await ok(CREATE_TOOL, { c: 'PARTS', i: { number: 4, feedRate: 900 } });
    expect(tool).toMatchObject({ number: 4, toolOffset: 0, feedRate: 900 });
    expect(errorOf(await t.graphql(CREATE_TOOL, { c: 'PARTS', i: { number: 4 } }, admin))).toMatchObject({
      code: 'CONFLICT',
      field: 'number',
    });
    const badTool = await t.graphql(CREATE_TOOL, { c: 'PARTS', i: { number: 0, feedRate: -5 } }, admin);
    expect(Object.keys(errorOf(badTool).fields).sort()).toEqual(['feedRate', 'number']);
    const UPDATE_TOOL =
      'mutation($id: Int!, $i: UpdateToolInput!) { updateTool(id: $id, input: $i) { number toolOffset feedRate } }';
    expect((await ok(UPDATE_TOOL, { id: tool.id, i: { toolOffset: -2.5 } })).updateTool).toEqual({
      number: 4,
      toolOffset: -2.5,
      feedRate: 900,
    });
    await ok('mutation($id: Int!) { deleteTool(id: $id) { id } }', { id: tool.id });
    expect((await ok(MACHINE, { c: 'PARTS' })).machine.tools).toEqual([]);
    expect(errorOf(await t.graphql('mutation { deleteTool(id: 999999) { id } }', {}, admin)).code).toBe('NOT_FOUND');
  });

  it('keeps the in-memory directory current after every change of machines and axes', async () => {
    const { createMachine: created } = await ok(CREATE_MACHINE, {
      i: { code: 'DIR-1', name: 'Directory', axes: [axis('X'), axis('Z')] },
    });
    const ref = service.findByCode('DIR-1');
    expect(ref).toMatchObject({ id: created.id, code: 'DIR-1', name: 'Directory' });
    expect([...ref!.axes].sort()).toEqual(['X', 'Z']);
    expect(service.findById(created.id)?.code).toBe('DIR-1');
    expect(service.allRefs().map((m) => m.code)).toContain('DIR-1');

    await ok(CREATE_AXIS, { c: 'DIR-1', i: axis('A') });
    expect([...service.findByCode('DIR-1')!.axes].sort()).toEqual(['A', 'X', 'Z']);
    await ok(UPDATE_MACHINE, { c: 'DIR-1', i: { code: 'DIR-2' } });
    expect(service.findByCode('DIR-1')).toBeUndefined();
    expect(service.findById(created.id)?.code).toBe('DIR-2');
  });

  it('counts hours of use and moves last seen only forward', async () => {
    const { createMachine: m } = await ok(CREATE_MACHINE, { i: { code: 'HOURS', name: 'Hours' } });
    await service.addUsageSeconds(m.id, 3600);
    await service.addUsageSeconds(m.id, 1800);
    await service.addUsageSeconds(m.id, -5);
    await service.addUsageSeconds(m.id, 5);
    await expect(service.addUsageSeconds(m.id, 1.5)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(service.addUsageSeconds(999999, 5)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const later = new Date('2030-01-01T10:00:00.000Z');
    service.markSeen([m.id, m.id], later);
    service.markSeen([m.id], new Date('2029-01-01T00:00:00.000Z'));
    service.markSeen([], later);
    // Read back at once through the service, and written to the database within about a second.
    expect((await ok(MACHINE, { c: 'HOURS' })).machine).toMatchObject({ hours: 1.5, lastSeenAt: later.toISOString() });
    const stored = async () =>
      (await t.db.query<{ last_seen_at: Date | null }>('SELECT last_seen_at FROM machines WHERE id = $1', [m.id]))[0]
        .last_seen_at;
    await waitFor(async () => (await stored())?.getTime() === later.getTime(), { what: 'last seen written' });
    // An older mark, written with a probe's: once the probe is stored, the older mark was written (and ignored).
    const { createMachine: probe } = await ok(CREATE_MACHINE, { i: { code: 'HOURS-PROBE', name: 'Probe' } });
    service.markSeen([m.id], new Date('2029-06-01T00:00:00.000Z'));
    service.markSeen([probe.id], later);
    await waitFor(async () => (await ok(MACHINE, { c: 'HOURS-PROBE' })).machine.lastSeenAt !== null, {
      what: 'the probe marked',
    });
    await waitFor(
      async () =>
        (await t.db.query('SELECT 1 FROM machines WHERE id = $1 AND last_seen_at IS NOT NULL', [probe.id])).length > 0,
      { what: 'the probe written' },
    );
    expect((await stored())?.toISOString()).toBe(later.toISOString());
  });

  it('writes the last seen of many machines in one statement, without waiting for a use transaction holding one of them', async () => {
    const codes = ['SEEN-1', 'SEEN-2', 'SEEN-3'];
    const ids: number[] = [];
    for (const code of codes) ids.push((await ok(CREATE_MACHINE, { i: { code, name: code } })).createMachine.id);
    const at = new Date(Date.now() - 1000);
    const held = new pg.Client({ connectionString: t.db.url });
    await held.connect();
    try {
      // Another transaction (an RFID stop adding hours) holds the second machine's row.
      await held.query('BEGIN');
      await held.query('UPDATE machines SET usage_seconds = usage_seconds + 1 WHERE id = $1', [ids[1]]);
      service.markSeen(ids, at);
      const seen = async () =>
        (
          await t.db.query<{ id: number; last_seen_at: Date | null }>(
            'SELECT id, last_seen_at FROM machines WHERE id = ANY($1::int[]) ORDER BY id',
            [ids],
          )
        ).map((row) => row.last_seen_at?.getTime() ?? null);
      await waitFor(async () => (await seen())[0] === at.getTime() && (await seen())[2] === at.getTime(), {
        what: 'the free machines written',
      });
      expect((await seen())[1]).toBeNull();
      await held.query('COMMIT');
      await waitFor(async () => (await seen())[1] === at.getTime(), { what: 'the busy machine written next time' });
    } finally {
      await held.end();
    }
  });

  it('deletes a machine and reports what went with it, other contexts included', async () => {
    const held = new Map<number, number>();
    service.registerDeletionParticipant({
      what: 'test samples',
      count: async (machineId) => held.get(machineId) ?? 0,
      delete: async (machineId) => void held.delete(machineId),
    });
    const { createMachine: m } = await ok(CREATE_MACHINE, {
      i: {
        code: 'GONE',
        name: 'Going',
        axes: [axis('X'), axis('Y'), axis('Z')],
        tools: [{ number: 1 }, { number: 2 }],
      },
    });
    held.set(m.id, 42);

    const report = (await ok(DELETE_MACHINE, { c: 'GONE' })).deleteMachine;
    // Telemetry registers its own participants (samples, segments, shifts…): each reports 0 here.
    expect(report.machine).toEqual({ code: 'GONE', name: 'Going' });
    expect(report.removed).toEqual(
      expect.arrayContaining([
        { what: 'axes', count: 3 },
        { what: 'tools', count: 2 },
        { what: 'test samples', count: 42 },
      ]),
    );
    const others = report.removed.filter((r: { what: string }) => !['axes', 'tools', 'test samples'].includes(r.what));
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((r: { count: number }) => r.count === 0)).toBe(true);
    expect(held.has(m.id)).toBe(false);
    const [{ axes, tools }] = await t.db.query<{ axes: number; tools: number }>(
      'SELECT (SELECT count(*)::int FROM machine_axes WHERE machine_id = $1) AS axes, (SELECT count(*)::int FROM machine_tools WHERE machine_id = $1) AS tools',
      [m.id],
    );
    expect({ axes, tools }).toEqual({ axes: 0, tools: 0 });
    expect(service.findByCode('GONE')).toBeUndefined();
    expect(errorOf(await t.graphql(DELETE_MACHINE, { c: 'GONE' }, admin)).code).toBe('NOT_FOUND');
  });

  it("deletes a machine all or nothing: when a participant fails, the machine and every context's records stay", async () => {
    const { createMachine: m } = await ok(CREATE_MACHINE, {
      i: { code: 'KEPT', name: 'Kept', axes: [axis('X')], tools: [{ number: 1 }] },
    });
    const [{ id: userId }] = await t.db.query<{ id: string }>('SELECT id FROM users ORDER BY created_at LIMIT 1');
    await t.db.query('INSERT INTO access_authorizations (user_id, machine_id) VALUES ($1, $2)', [userId, m.id]);
    await t.db.query(
      `INSERT INTO access_uses (machine_id, user_id, started_at, last_seen_at, ended_at, counted_seconds, origin, close_reason)
       VALUES ($1, $2, now() - interval '1 hour', now(), now(), 3600, 'api', 'api')`,
      [m.id, userId],
    );
    // Registered after access's participants: theirs have deleted their rows when this one fails.
    service.registerDeletionParticipant({
      what: 'records on a failing disk',
      count: async () => 0,
      delete: async (machineId) => {
        if (machineId === m.id) throw new Error('disk failure');
      },
    });
    const counts = async () =>
      (
        await t.db.query<Record<string, number>>(
          `SELECT (SELECT count(*)::int FROM machines WHERE id = $1) AS machines,
                  (SELECT count(*)::int FROM machine_axes WHERE machine_id = $1) AS axes,
                  (SELECT count(*)::int FROM machine_tools WHERE machine_id = $1) AS tools,
                  (SELECT count(*)::int FROM access_authorizations WHERE machine_id = $1) AS authorizations,
                  (SELECT count(*)::int FROM access_uses WHERE machine_id = $1) AS uses`,
          [m.id],
        )
      )[0];
    const before = await counts();
    expect(before).toEqual({ machines: 1, axes: 1, tools: 1, authorizations: 1, uses: 1 });

    expect(errorOf(await t.graphql(DELETE_MACHINE, { c: 'KEPT' }, admin)).code).toBe('INTERNAL_SERVER_ERROR');

    expect(await counts()).toEqual(before);
    expect(service.findByCode('KEPT')?.id).toBe(m.id);
    expect((await ok(MACHINE, { c: 'KEPT' })).machine).toMatchObject({ code: 'KEPT', axes: [{ name: 'X' }] });
  });

  it('lets an operator read the registry but not change it', async () => {
    await ok('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
      i: { email: 'op@plant.test', displayName: 'Op', password: 'operator-pass-1', roles: ['operator'] },
    });
    const operator = await t.login('op@plant.test', 'operator-pass-1');
    await ok(CREATE_MACHINE, { i: { code: 'READ-ME', name: 'Readable' } });

    const read = await t.graphql('{ machines { totalCount } machineTypes { id } elementTypes { id } }', {}, operator);
    expect(read.errors).toBeUndefined();
    expect((await t.graphql(MACHINE, { c: 'READ-ME' }, operator)).data!.machine.name).toBe('Readable');
    for (const [query, variables] of [
      [CREATE_MACHINE, { i: { code: 'OP-MADE', name: 'Nope' } }],
      [UPDATE_MACHINE, { c: 'READ-ME', i: { blocked: true } }],
      [DELETE_MACHINE, { c: 'READ-ME' }],
      [CREATE_AXIS, { c: 'READ-ME', i: axis('X') }],
      [CREATE_TYPE, { i: { name: 'Op type' } }],
    ] as const) {
      expect(errorOf(await t.graphql(query, variables, operator)).code).toBe('FORBIDDEN');
    }
    expect((await ok(MACHINE, { c: 'READ-ME' })).machine).toMatchObject({ blocked: false, axes: [] });
  });
});

describe('machine directory across two instances sharing Redis', () => {
  const replicas = replicasSharingRedis();
  const maybe = replicas.available ? it : it.skip;
  afterAll(() => replicas.close());

  maybe('reloads the other instance after a change', async () => {
    const [a, b] = await replicas.start();
    const admin = await a.login();
    const onB = b.app.get(MachinesService);
    const code = `CROSS-${Date.now()}`;
    const created = await a.graphql(CREATE_MACHINE, { i: { code, name: 'Cross', axes: [axis('C')] } }, admin);
    expect(created.errors).toBeUndefined();
    const ref = await waitFor(() => onB.findByCode(code), { what: 'the machine in the directory of B' });
    expect([...ref.axes]).toEqual(['C']);

    await a.graphql(DELETE_MACHINE, { c: code }, admin);
    await waitFor(() => onB.findByCode(code) === undefined, { what: 'the machine gone from the directory of B' });
  });
});
