import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../harness/app.js';

const CREATE = 'mutation($i: CreateUserInput!) { createUser(input: $i) { id email cardUid disabled roles { name } } }';
const UPDATE =
  'mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id email disabled roles { name } } }';
const DELETE = 'mutation($id: ID!) { deleteUser(id: $id) { id } }';
const USERS = `query($text: String, $role: String, $disabled: Boolean, $offset: Int, $limit: Int) {
  users(text: $text, role: $role, disabled: $disabled, offset: $offset, limit: $limit) {
    totalCount offset limit hasMore items { email roles { name } }
  }
}`;

describe('user and role administration', () => {
  let t: TestApp;
  let admin: string;
  let adminId: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.login();
    adminId = (await t.graphql('{ me { id } }', {}, admin)).data!.me.id;
  });
  afterAll(() => t.close());

  it('creates, reads, updates and soft-deletes a user', async () => {
    const created = await t.graphql(
      CREATE,
      {
        i: { email: 'Grace@Plant.Test', displayName: 'Grace', cardUid: 'AABBCCD1', roles: ['operator', 'supervisor'] },
      },
      admin,
    );
    expect(created.errors).toBeUndefined();
    const user = created.data!.createUser;
    expect(user).toMatchObject({ email: 'grace@plant.test', cardUid: 'aabbccd1', disabled: false });
    expect(user.roles.map((r: { name: string }) => r.name).sort()).toEqual(['operator', 'supervisor']);

    const read = await t.graphql('query($id: ID!) { user(id: $id) { email } }', { id: user.id }, admin);
    expect(read.data!.user.email).toBe('grace@plant.test');

    const updated = await t.graphql(UPDATE, { id: user.id, i: { roles: ['manager'], disabled: true } }, admin);
    expect(updated.data!.updateUser).toMatchObject({ disabled: true, roles: [{ name: 'manager' }] });

    expect((await t.graphql(DELETE, { id: user.id }, admin)).errors).toBeUndefined();
    const gone = await t.graphql('query($id: ID!) { user(id: $id) { email } }', { id: user.id }, admin);
    expect(gone.errors![0].extensions!.code).toBe('NOT_FOUND');
    const [row] = await t.db.query<{ deleted_at: Date | null; card_uid: string | null }>(
      'SELECT deleted_at, card_uid FROM users WHERE id = $1',
      [user.id],
    );
    expect(row.deleted_at).not.toBeNull();
    expect(row.card_uid).toBeNull();
    const again = await t.graphql(
      CREATE,
      { i: { email: 'grace@plant.test', displayName: 'Grace again', cardUid: 'aabbccd1' } },
      admin,
    );
    expect(again.errors).toBeUndefined();
  });

  it('changes only the fields an update names', async () => {
    const created = await t.graphql(
      CREATE,
      { i: { email: 'partial@plant.test', displayName: 'Part', roles: ['supervisor'], disabled: true } },
      admin,
    );
    const id = created.data!.createUser.id;
    const renamed = await t.graphql(UPDATE, { id, i: { displayName: 'Renamed' } }, admin);
    expect(renamed.data!.updateUser).toMatchObject({ disabled: true, roles: [{ name: 'supervisor' }] });
    const CREATE_ROLE =
      'mutation { createRole(input: { name: "keeps-perms", permissions: ["users:read"], canMaintain: true }) { id } }';
    const roleId = (await t.graphql(CREATE_ROLE, {}, admin)).data!.createRole.id;
    const described = await t.graphql(
      'mutation($id: ID!) { updateRole(id: $id, input: { description: "d" }) { permissions canMaintain authorizeAll } }',
      { id: roleId },
      admin,
    );
    expect(described.data!.updateRole).toEqual({ permissions: ['users:read'], canMaintain: true, authorizeAll: false });
  });

  it('refuses a duplicate e-mail (any case) and a duplicate card with CONFLICT', async () => {
    await t.graphql(CREATE, { i: { email: 'dup@plant.test', displayName: 'Dup', cardUid: '01020304' } }, admin);
    const email = await t.graphql(CREATE, { i: { email: 'DUP@plant.test', displayName: 'Dup 2' } }, admin);
    expect(email.errors![0].extensions).toMatchObject({ code: 'CONFLICT', field: 'email' });
    const card = await t.graphql(
      CREATE,
      { i: { email: 'dup2@plant.test', displayName: 'Dup 3', cardUid: '01020304' } },
      admin,
    );
    expect(card.errors![0].extensions).toMatchObject({ code: 'CONFLICT', field: 'cardUid' });
  });

  it('answers malformed input with BAD_USER_INPUT naming the fields', async () => {
    const bad = await t.graphql(
      CREATE,
      { i: { email: 'nope', displayName: 'X', cardUid: 'zz', password: 'short' } },
      admin,
    );
    expect(bad.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(Object.keys(bad.errors![0].extensions!.fields).sort()).toEqual(['cardUid', 'email', 'password']);
    const unknownRole = await t.graphql(
      CREATE,
      { i: { email: 'r@plant.test', displayName: 'R', roles: ['pilot'] } },
      admin,
    );
    expect(unknownRole.errors![0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { roles: 'unknown: pilot' },
    });
    const missing = await t.graphql('mutation { createUser(input: { displayName: "x" }) { id } }', {}, admin);
    expect(missing.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(missing.errors![0].message).toContain('email');
  });

  it('pages and filters users with the common page shape', async () => {
    for (const n of [1, 2, 3])
      await t.graphql(
        CREATE,
        { i: { email: `pager${n}@plant.test`, displayName: `Pager ${n}`, roles: ['member'] } },
        admin,
      );
    const page = await t.graphql(USERS, { text: 'pager', limit: 2 }, admin);
    expect(page.data!.users).toMatchObject({ totalCount: 3, offset: 0, limit: 2, hasMore: true });
    expect(page.data!.users.items.map((u: { email: string }) => u.email)).toEqual([
      'pager1@plant.test',
      'pager2@plant.test',
    ]);
    const next = await t.graphql(USERS, { text: 'pager', limit: 2, offset: 2 }, admin);
    expect(next.data!.users).toMatchObject({ totalCount: 3, hasMore: false, items: [{ email: 'pager3@plant.test' }] });
    const members = await t.graphql(USERS, { role: 'member' }, admin);
    expect(
      members.data!.users.items.every((u: { roles: { name: string }[] }) => u.roles.some((r) => r.name === 'member')),
    ).toBe(true);
    const tooBig = await t.graphql(USERS, { limit: 10_000 }, admin);
    expect(tooBig.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('never lets the last admin be deleted, disabled or demoted', async () => {
    for (const [query, variables] of [
      [DELETE, { id: adminId }],
      [UPDATE, { id: adminId, i: { disabled: true } }],
      [UPDATE, { id: adminId, i: { roles: ['operator'] } }],
    ] as const) {
      const refused = await t.graphql(query, variables, admin);
      expect(refused.errors![0].extensions!.code).toBe('CONFLICT');
    }
    const second = await t.graphql(
      CREATE,
      { i: { email: 'admin2@plant.test', displayName: 'Second', password: 'second-admin-1', roles: ['admin'] } },
      admin,
    );
    const demoted = await t.graphql(UPDATE, { id: second.data!.createUser.id, i: { roles: ['operator'] } }, admin);
    expect(demoted.errors).toBeUndefined();
  });

  it('lets a manager manage operators but not create or touch an admin (no escalation)', async () => {
    await t.graphql(
      CREATE,
      { i: { email: 'boss@plant.test', displayName: 'Boss', password: 'boss-password-1', roles: ['manager'] } },
      admin,
    );
    const manager = await t.login('boss@plant.test', 'boss-password-1');
    const operator = await t.graphql(
      CREATE,
      { i: { email: 'worker@plant.test', displayName: 'Worker', roles: ['operator'] } },
      manager,
    );
    expect(operator.errors).toBeUndefined();
    const escalation = await t.graphql(
      CREATE,
      { i: { email: 'sneaky@plant.test', displayName: 'Sneaky', roles: ['admin'] } },
      manager,
    );
    expect(escalation.errors![0].extensions).toMatchObject({
      code: 'FORBIDDEN',
      missingPermissions: expect.arrayContaining(['roles:write']),
    });
    const resetAdmin = await t.graphql(UPDATE, { id: adminId, i: { password: 'taken-over-1' } }, manager);
    expect(resetAdmin.errors![0].extensions!.code).toBe('FORBIDDEN');
    const deleteAdmin = await t.graphql(DELETE, { id: adminId }, manager);
    expect(deleteAdmin.errors![0].extensions!.code).toBe('FORBIDDEN');
  });

  it('manages roles: create, update, refuse unknown permissions, protect seeded and held roles', async () => {
    const CREATE_ROLE =
      'mutation($i: CreateRoleInput!) { createRole(input: $i) { id name permissions authorizeAll canMaintain isSystem } }';
    const created = await t.graphql(
      CREATE_ROLE,
      { i: { name: 'Night-Shift', permissions: ['users:read'], canMaintain: true } },
      admin,
    );
    expect(created.data!.createRole).toMatchObject({
      name: 'night-shift',
      permissions: ['users:read'],
      canMaintain: true,
      isSystem: false,
    });
    const id = created.data!.createRole.id;
    const bad = await t.graphql(CREATE_ROLE, { i: { name: 'rocket', permissions: ['rockets:launch'] } }, admin);
    expect(bad.errors![0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { permissions: 'unknown: rockets:launch' },
    });
    const dup = await t.graphql(CREATE_ROLE, { i: { name: 'night-shift' } }, admin);
    expect(dup.errors![0].extensions!.code).toBe('CONFLICT');

    const updated = await t.graphql(
      'mutation($id: ID!) { updateRole(id: $id, input: { authorizeAll: true, permissions: ["roles:read"] }) { permissions authorizeAll } }',
      { id },
      admin,
    );
    expect(updated.data!.updateRole).toEqual({ permissions: ['roles:read'], authorizeAll: true });

    await t.graphql(CREATE, { i: { email: 'night@plant.test', displayName: 'Night', roles: ['night-shift'] } }, admin);
    const held = await t.graphql('mutation($id: ID!) { deleteRole(id: $id) { id } }', { id }, admin);
    expect(held.errors![0].extensions).toMatchObject({ code: 'CONFLICT', holders: 1 });

    const roles = (await t.graphql('{ roles { id name } }', {}, admin)).data!.roles as { id: string; name: string }[];
    const adminRole = roles.find((r) => r.name === 'admin')!;
    const seeded = await t.graphql('mutation($id: ID!) { deleteRole(id: $id) { id } }', { id: adminRole.id }, admin);
    expect(seeded.errors![0].extensions!.code).toBe('CONFLICT');
    const stripped = await t.graphql(
      'mutation($id: ID!) { updateRole(id: $id, input: { permissions: [] }) { id } }',
      { id: adminRole.id },
      admin,
    );
    expect(stripped.errors![0].extensions!.code).toBe('CONFLICT');
  });

  it('hides internals: an unknown id answers NOT_FOUND, never SQL', async () => {
    const result = await t.graphql('query { user(id: "12345") { id } }', {}, admin);
    expect(result.errors![0].extensions!.code).toMatch(/NOT_FOUND|BAD_USER_INPUT/);
    expect(JSON.stringify(result)).not.toMatch(/uuid|syntax|SELECT|stack/i);
  });
});
