import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import pg from 'pg';
import { DEVELOPMENT_JWT_SECRET } from '../../src/config/app-config.js';
import { ADMIN_EMAIL, collect, startTestApp, type GraphQLResponse, type TestApp } from '../harness/app.js';
import { metricSum } from '../harness/metrics.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * How callers are authenticated, seen from outside: which tokens are refused, how often the
 * caller is looked up, and what a client is told while the database cannot be reached.
 */
const ME = '{ me { email } }';
const AUTHENTICATED = 'plantgraph_auth_authentications_total';

/** The claims of a token the service issued: `{ sub, sv, iat, exp }`. */
function claimsOf(token: string): { sub: string; sv: number } {
  const { sub, sv } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  return { sub, sv };
}

/** How a graphql-ws connection with this token ends: its close code, or 'open' once an operation ran on it. */
async function connectionOutcome(t: TestApp, token: string): Promise<number | 'open'> {
  const state: { code?: number } = {};
  const client = t.wsClient(token, { on: { closed: (event) => void (state.code = (event as { code: number }).code) } });
  const probe = collect(client, '{ __typename }');
  const outcome = await waitFor(() => state.code ?? (probe.events.length > 0 && ('open' as const)), {
    what: 'the connection to be accepted or closed',
  });
  await client.dispose();
  return outcome;
}

describe('access tokens and how often callers are resolved', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.login();
  });
  afterAll(() => t.close());

  it('refuses an access token without an expiry, signed with the right secret, over HTTP and graphql-ws', async () => {
    const signer = new JwtService({ secret: DEVELOPMENT_JWT_SECRET });
    const claims = claimsOf(admin);
    const forever = signer.sign(claims, { algorithm: 'HS256' });
    expect(JSON.parse(Buffer.from(forever.split('.')[1], 'base64url').toString()).exp).toBeUndefined();

    const refused = await t.graphql(ME, {}, forever);
    expect(refused.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    expect(refused.data ?? null).toBeNull();
    expect(await connectionOutcome(t, forever)).toBe(4401);

    // The same claims with an expiry pass: what is refused is the missing `exp`.
    const expiring = signer.sign(claims, { algorithm: 'HS256', expiresIn: 60 });
    expect((await t.graphql(ME, {}, expiring)).data!.me.email).toBe(ADMIN_EMAIL);
    expect(await connectionOutcome(t, expiring)).toBe('open');
  });

  it('refuses a token signed with another algorithm than HS256', async () => {
    const hs512 = new JwtService({ secret: DEVELOPMENT_JWT_SECRET }).sign(claimsOf(admin), {
      algorithm: 'HS512',
      expiresIn: 60,
    });
    expect((await t.graphql(ME, {}, hs512)).errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('resolves the caller once per operation, however many root fields and aliases ask', async () => {
    const aliases = Array.from({ length: 12 }, (_, i) => `m${i}: me { email }`).join(' ');
    const resolved = () => metricSum(t, AUTHENTICATED, { outcome: 'ok' });

    const before = await resolved();
    const many = await t.graphql(`{ ${aliases} roles { name } users(limit: 1) { totalCount } }`, {}, admin);
    expect(many.errors).toBeUndefined();
    expect(Object.keys(many.data!)).toHaveLength(14);
    expect((await resolved()) - before).toBe(1);

    // Over graphql-ws: once at connection_init, then once per operation.
    const client = t.wsClient(admin);
    const first = collect(client, `{ ${aliases} }`);
    await waitFor(() => first.events.length > 0, { what: 'the aliased query over graphql-ws' });
    expect(first.events[0].errors).toBeUndefined();
    expect((await resolved()) - before).toBe(3);
    await client.dispose();
  });
});

describe('authentication while PostgreSQL is unavailable', () => {
  let t: TestApp;
  let token: string;
  let blocked = false;

  /** Refuses (or allows again) new connections to the app's database, through an admin connection. */
  async function databaseReachable(reachable: boolean): Promise<void> {
    const admin = new pg.Client({ connectionString: process.env.TEST_PG_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE "${t.db.name}" WITH ALLOW_CONNECTIONS ${reachable}`);
      blocked = !reachable;
      if (!reachable)
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [t.db.name]);
    } finally {
      await admin.end();
    }
  }

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.login();
  });
  afterAll(async () => {
    if (blocked) await databaseReachable(true);
    await t.close();
  });

  it('answers a valid token with a retryable SERVICE_UNAVAILABLE, never UNAUTHENTICATED, and accepts it once the database is back', async () => {
    const unavailableBefore = await metricSum(t, AUTHENTICATED, { outcome: 'unavailable' });
    await databaseReachable(false);

    const codes: string[] = [];
    const response = await waitFor(
      async () => {
        const r = await fetch(t.httpUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: ME }),
        });
        const body = (await r.json()) as GraphQLResponse;
        const code = body.errors?.[0]?.extensions?.code;
        if (code) codes.push(code);
        return code === 'SERVICE_UNAVAILABLE' && { r, body };
      },
      { what: 'the outage to be noticed' },
    );
    expect(codes.filter((c) => c !== 'SERVICE_UNAVAILABLE')).toEqual([]);
    expect(response.r.status).toBe(503);
    expect(Number(response.r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(response.body.errors![0].extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    expect(response.body.errors![0].message).not.toMatch(/accepting connections|terminat|ECONN|database/i);
    expect(await connectionOutcome(t, token)).toBe(4503);
    expect(await metricSum(t, AUTHENTICATED, { outcome: 'unavailable' })).toBeGreaterThan(unavailableBefore);

    // A bad token needs no database to be told so.
    expect((await t.graphql(ME, {}, `${token}x`)).errors![0].extensions!.code).toBe('UNAUTHENTICATED');

    await databaseReachable(true);
    const me = await waitFor(async () => (await t.graphql(ME, {}, token)).data?.me, {
      what: 'the same token to work again',
    });
    expect(me.email).toBe(ADMIN_EMAIL);
    expect(await connectionOutcome(t, token)).toBe('open');
  });
});
