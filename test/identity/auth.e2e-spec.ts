import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, type TestApp } from '../harness/app.js';

const LOGIN = `mutation($input: LoginInput!) {
  login(input: $input) { accessToken refreshToken expiresAt user { email roles { name } } }
}`;
const ME = '{ me { email displayName permissions roles { name } } }';
const REFRESH = 'mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken } }';

describe('login and tokens', () => {
  let t: TestApp;
  const createUser = async (email: string, password = 'operator-pass-1', roles = ['operator']) => {
    const admin = await t.login();
    const created = await t.graphql(
      'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
      { i: { email, displayName: email.split('@')[0], password, roles } },
      admin,
    );
    if (!created.data) throw new Error(JSON.stringify(created.errors));
    return created.data.createUser.id as string;
  };

  beforeAll(async () => {
    t = await startTestApp({ LOGIN_MAX_FAILURES_PER_EMAIL: '3', LOGIN_MAX_FAILURES_PER_CLIENT: '50' });
  });
  afterAll(() => t.close());

  it('creates the first admin from configuration, who can log in and see themselves', async () => {
    const login = await t.graphql(LOGIN, { input: { email: ADMIN_EMAIL.toUpperCase(), password: ADMIN_PASSWORD } });
    expect(login.errors).toBeUndefined();
    expect(login.data!.login.user).toEqual({ email: ADMIN_EMAIL, roles: [{ name: 'admin' }] });
    expect(new Date(login.data!.login.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const me = await t.graphql(ME, {}, login.data!.login.accessToken);
    expect(me.data!.me.email).toBe(ADMIN_EMAIL);
    expect(me.data!.me.permissions).toEqual(expect.arrayContaining(['users:write', 'roles:write']));
  });

  it('stores passwords with scrypt, never in clear', async () => {
    const [row] = await t.db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE email = $1', [
      ADMIN_EMAIL,
    ]);
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain(ADMIN_PASSWORD);
  });

  it('refuses a wrong password and an anonymous `me` with UNAUTHENTICATED', async () => {
    const wrong = await t.graphql(LOGIN, { input: { email: 'nobody@plantgraph.test', password: 'whatever-1' } });
    expect(wrong.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    const anonymous = await t.graphql(ME);
    expect(anonymous.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    const garbage = await t.graphql(ME, {}, 'not-a-jwt');
    expect(garbage.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('throttles failed logins per e-mail, even for the right password afterwards', async () => {
    await createUser('throttled@plantgraph.test', 'right-password-1');
    for (let i = 0; i < 3; i++) {
      const r = await t.graphql(LOGIN, { input: { email: 'throttled@plantgraph.test', password: 'wrong-password' } });
      expect(r.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    }
    const blocked = await t.graphql(LOGIN, {
      input: { email: 'throttled@plantgraph.test', password: 'right-password-1' },
    });
    expect(blocked.errors![0].extensions!.code).toBe('TOO_MANY_REQUESTS');
    expect(blocked.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('throttles failed logins per client address across e-mails', async () => {
    const sut = await startTestApp({ LOGIN_MAX_FAILURES_PER_EMAIL: '100', LOGIN_MAX_FAILURES_PER_CLIENT: '4' });
    try {
      for (let i = 0; i < 4; i++)
        await sut.graphql(LOGIN, { input: { email: `guess${i}@plantgraph.test`, password: 'wrong-password' } });
      const blocked = await sut.graphql(LOGIN, { input: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
      expect(blocked.errors![0].extensions!.code).toBe('TOO_MANY_REQUESTS');
    } finally {
      await sut.close();
    }
  });

  it('rotates refresh tokens and treats a reused one as theft once its successor was used', async () => {
    const first = (await t.graphql(LOGIN, { input: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })).data!.login;
    const second = await t.graphql(REFRESH, { t: first.refreshToken });
    expect(second.errors).toBeUndefined();
    const rotated = second.data!.refreshToken.refreshToken;
    expect(rotated).not.toBe(first.refreshToken);
    const third = await t.graphql(REFRESH, { t: rotated });
    expect(third.errors).toBeUndefined();
    const reused = await t.graphql(REFRESH, { t: first.refreshToken });
    expect(reused.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    const afterTheft = await t.graphql(REFRESH, { t: third.data!.refreshToken.refreshToken });
    expect(afterTheft.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    const [row] = await t.db.query<{ hash: string }>('SELECT token_hash AS hash FROM refresh_tokens LIMIT 1');
    expect(first.refreshToken).not.toContain(row.hash);
  });

  it('takes a rotated token presented again soon, its successor unused, for a lost answer', async () => {
    const first = (await t.graphql(LOGIN, { input: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })).data!.login;
    const lost = await t.graphql(REFRESH, { t: first.refreshToken });
    expect(lost.errors).toBeUndefined();
    // The client never received `lost` (the service stopped while answering) and tries again.
    const retried = await t.graphql(REFRESH, { t: first.refreshToken });
    expect(retried.errors).toBeUndefined();
    const next = await t.graphql(REFRESH, { t: retried.data!.refreshToken.refreshToken });
    expect(next.errors).toBeUndefined();
    // The answer that was lost is worthless now: whoever presents it is not the client.
    const stale = await t.graphql(REFRESH, { t: lost.data!.refreshToken.refreshToken });
    expect(stale.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    const afterTheft = await t.graphql(REFRESH, { t: next.data!.refreshToken.refreshToken });
    expect(afterTheft.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('treats a rotated token presented again after the grace as theft, even with its successor unused', async () => {
    const first = (await t.graphql(LOGIN, { input: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })).data!.login;
    const second = await t.graphql(REFRESH, { t: first.refreshToken });
    expect(second.errors).toBeUndefined();
    await t.db.query("UPDATE refresh_tokens SET revoked_at = now() - interval '61 seconds' WHERE id = $1", [
      first.refreshToken.split('.')[0],
    ]);
    const reused = await t.graphql(REFRESH, { t: first.refreshToken });
    expect(reused.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    const afterTheft = await t.graphql(REFRESH, { t: second.data!.refreshToken.refreshToken });
    expect(afterTheft.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('rotates a token presented twice at once only once', async () => {
    const first = (await t.graphql(LOGIN, { input: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })).data!.login;
    const answers = await Promise.all([1, 2, 3].map(() => t.graphql(REFRESH, { t: first.refreshToken })));
    const rotated = answers.filter((a) => !a.errors);
    expect(rotated.length).toBeGreaterThanOrEqual(1);
    for (const refused of answers.filter((a) => a.errors))
      expect(refused.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    const [{ open }] = await t.db.query<{ open: number }>(
      'SELECT count(*)::int AS open FROM refresh_tokens WHERE revoked_at IS NULL AND id = ANY($1::uuid[])',
      [rotated.map((a) => a.data!.refreshToken.refreshToken.split('.')[0])],
    );
    expect(open).toBe(1);
  });

  it('logout revokes one refresh token; logoutEverywhere ends access tokens too', async () => {
    await createUser('sessions@plantgraph.test', 'sessions-pass-1');
    const login = async () =>
      (await t.graphql(LOGIN, { input: { email: 'sessions@plantgraph.test', password: 'sessions-pass-1' } })).data!
        .login;
    const a = await login();
    const b = await login();
    const out = await t.graphql(
      'mutation($r: String!) { logout(refreshToken: $r) }',
      { r: a.refreshToken },
      a.accessToken,
    );
    expect(out.data!.logout).toBe(true);
    expect((await t.graphql(REFRESH, { t: a.refreshToken })).errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    expect((await t.graphql(ME, {}, b.accessToken)).data!.me.email).toBe('sessions@plantgraph.test');

    const everywhere = await t.graphql('mutation { logoutEverywhere }', {}, b.accessToken);
    expect(everywhere.data!.logoutEverywhere).toBe(true);
    expect((await t.graphql(ME, {}, b.accessToken)).errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    expect((await t.graphql(REFRESH, { t: b.refreshToken })).errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('changes a password with the current one, ending other sessions', async () => {
    await createUser('changer@plantgraph.test', 'old-password-1');
    const old = (await t.graphql(LOGIN, { input: { email: 'changer@plantgraph.test', password: 'old-password-1' } }))
      .data!.login;
    const CHANGE = 'mutation($i: ChangePasswordInput!) { changePassword(input: $i) { accessToken } }';
    const wrong = await t.graphql(
      CHANGE,
      { i: { currentPassword: 'nope-nope', newPassword: 'new-password-1' } },
      old.accessToken,
    );
    expect(wrong.errors![0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { currentPassword: 'does not match' },
    });
    const short = await t.graphql(
      CHANGE,
      { i: { currentPassword: 'old-password-1', newPassword: 'short' } },
      old.accessToken,
    );
    expect(short.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    const changed = await t.graphql(
      CHANGE,
      { i: { currentPassword: 'old-password-1', newPassword: 'new-password-1' } },
      old.accessToken,
    );
    expect(changed.errors).toBeUndefined();
    expect((await t.graphql(ME, {}, old.accessToken)).errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    expect((await t.graphql(ME, {}, changed.data!.changePassword.accessToken)).data!.me.email).toBe(
      'changer@plantgraph.test',
    );
    const relogin = await t.graphql(LOGIN, { input: { email: 'changer@plantgraph.test', password: 'new-password-1' } });
    expect(relogin.errors).toBeUndefined();
  });

  it("stops a disabled or deleted user's existing tokens at once", async () => {
    const admin = await t.login();
    const disabledId = await createUser('tobedisabled@plantgraph.test');
    const deletedId = await createUser('tobedeleted@plantgraph.test');
    const disabledToken = await t.login('tobedisabled@plantgraph.test', 'operator-pass-1');
    const deletedToken = await t.login('tobedeleted@plantgraph.test', 'operator-pass-1');
    await t.graphql(
      'mutation($id: ID!) { updateUser(id: $id, input: { disabled: true }) { id } }',
      { id: disabledId },
      admin,
    );
    await t.graphql('mutation($id: ID!) { deleteUser(id: $id) { id } }', { id: deletedId }, admin);
    expect((await t.graphql(ME, {}, disabledToken)).errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    expect((await t.graphql(ME, {}, deletedToken)).errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    const relogin = await t.graphql(LOGIN, {
      input: { email: 'tobedisabled@plantgraph.test', password: 'operator-pass-1' },
    });
    expect(relogin.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('names the offending field of a malformed input', async () => {
    const result = await t.graphql(LOGIN, { input: { email: 'not-an-email', password: 'x' } });
    expect(result.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(Object.keys(result.errors![0].extensions!.fields)).toContain('email');
  });
});
