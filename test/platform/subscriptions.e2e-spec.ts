import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PubSub } from '../../src/shared/pubsub/pub-sub.js';
import { collect, replicasSharingRedis, startTestApp, type TestApp } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';

const USER_CHANGED = 'subscription($ids: [ID!]) { userChanged(ids: $ids) { kind user { id email } } }';
const CREATE = 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }';

function closeCodeOf(app: TestApp, token?: string, connectionParams?: Record<string, unknown>) {
  const state: { code?: number } = {};
  const client = app.wsClient(token, {
    ...(connectionParams ? { connectionParams } : {}),
    on: { closed: (event) => void (state.code = (event as { code: number }).code) },
  });
  collect(client, '{ __typename }');
  return { state, client };
}

describe('graphql-ws subscriptions', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.login();
  });
  afterAll(() => t.close());

  it('refuses a connection without a token with 4401, before any operation', async () => {
    const { state } = closeCodeOf(t);
    expect(await waitFor(() => state.code, { what: 'the socket to close' })).toBe(4401);
  });

  it('refuses a malformed or forged token with 4401', async () => {
    const garbage = closeCodeOf(t, undefined, { authorization: 'Bearer not-a-jwt' });
    expect(await waitFor(() => garbage.state.code)).toBe(4401);
    const [header, , signature] = admin.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ sub: 'someone', sv: 0 })).toString('base64url');
    const forged = closeCodeOf(t, `${header}.${forgedPayload}.${signature}`);
    expect(await waitFor(() => forged.state.code)).toBe(4401);
  });

  it('delivers events to an authorised subscriber, filtered by its arguments', async () => {
    const pubsub = t.app.get(PubSub);
    const before = pubsub.activeSubscriptions();
    const client = t.wsClient(admin);
    const all = collect(client, USER_CHANGED);
    await waitFor(() => pubsub.activeSubscriptions() === before + 1, { what: 'the subscription to start' });
    const watchedId = (await t.graphql(CREATE, { i: { email: 'watched@plantgraph.test', displayName: 'W' } }, admin))
      .data!.createUser.id;
    const onlyWatched = collect(client, USER_CHANGED, { ids: [watchedId] });
    await waitFor(() => all.events.length >= 1, { what: 'the create event' });
    // The filtered subscription must see updates of its user and nothing else.
    await waitFor(
      async () => {
        await t.graphql(CREATE, { i: { email: `other-${Date.now()}@plantgraph.test`, displayName: 'O' } }, admin);
        await t.graphql(
          'mutation($id: ID!) { updateUser(id: $id, input: { displayName: "W2" }) { id } }',
          { id: watchedId },
          admin,
        );
        return onlyWatched.events.length >= 1;
      },
      { what: 'the filtered event' },
    );
    expect(all.events[0].data!.userChanged).toMatchObject({
      kind: 'CREATED',
      user: { email: 'watched@plantgraph.test' },
    });
    expect(onlyWatched.events.every((e) => e.data!.userChanged.user.id === watchedId)).toBe(true);
    expect(onlyWatched.events[0].data!.userChanged.kind).toBe('UPDATED');
    await client.dispose();
  });

  it('refuses the next operation of a user disabled after connecting, also when no event announced it', async () => {
    await t.graphql(
      CREATE,
      {
        i: {
          email: 'soon-disabled@plantgraph.test',
          displayName: 'S',
          password: 'soon-disabled-1',
          roles: ['supervisor'],
        },
      },
      admin,
    );
    const token = await t.login('soon-disabled@plantgraph.test', 'soon-disabled-1');
    const client = t.wsClient(token);
    const before = collect(client, '{ me { email } }');
    await waitFor(() => before.events.length === 1, { what: 'the first operation' });
    expect(before.events[0].data!.me.email).toBe('soon-disabled@plantgraph.test');

    // Behind the service's back (updateUser would close the socket: subscription-lifecycle.e2e-spec.ts).
    await t.db.query("UPDATE users SET disabled = true WHERE email = 'soon-disabled@plantgraph.test'");
    const after = collect(client, USER_CHANGED);
    await waitFor(() => after.events.length === 1 || after.error, { what: 'the refusal' });
    expect(after.events[0]?.errors ?? after.error).toBeDefined();
    expect(JSON.stringify(after.events[0]?.errors ?? after.error)).toContain('UNAUTHENTICATED');
  });

  it('applies the permission check to subscriptions like to queries', async () => {
    await t.graphql(
      CREATE,
      { i: { email: 'op-sub@plantgraph.test', displayName: 'O', password: 'op-sub-pass-1', roles: ['operator'] } },
      admin,
    );
    const client = t.wsClient(await t.login('op-sub@plantgraph.test', 'op-sub-pass-1'));
    const refused = collect(client, USER_CHANGED);
    await waitFor(() => refused.events.length === 1 || refused.error, { what: 'the refusal' });
    expect(JSON.stringify(refused.events[0]?.errors ?? refused.error)).toContain('FORBIDDEN');
  });

  it('releases everything a subscription held: 1,000 subscribe/unsubscribe cycles', async () => {
    const pubsub = t.app.get(PubSub);
    const baseline = pubsub.activeSubscriptions();
    const client = t.wsClient(admin);
    for (let round = 0; round < 10; round++) {
      const batch = Array.from({ length: 100 }, () => collect(client, USER_CHANGED));
      await waitFor(() => pubsub.activeSubscriptions() === baseline + 100, { what: `round ${round} to subscribe` });
      for (const s of batch) s.unsubscribe();
      await waitFor(() => pubsub.activeSubscriptions() === baseline, { what: `round ${round} to release` });
    }
    expect(pubsub.activeSubscriptions()).toBe(baseline);
  });

  it('refuses operations deeper than the depth limit, over HTTP and over graphql-ws', async () => {
    const shallow = await startTestApp({ GRAPHQL_MAX_DEPTH: '2' });
    const token = await shallow.login();
    const deep = '{ me { roles { name } } }';
    const http = await shallow.graphql(deep, {}, token);
    expect(http.errors![0].message).toMatch(/depth/i);
    const ws = collect(shallow.wsClient(token), deep);
    await waitFor(() => ws.error ?? ws.events[0], { what: 'the refusal over graphql-ws' });
    expect(JSON.stringify(ws.error ?? ws.events[0])).toMatch(/depth/i);
    await shallow.close();
  });
});

describe('subscriptions across two instances sharing Redis', () => {
  const replicas = replicasSharingRedis();
  const maybe = replicas.available ? it : it.skip;
  afterAll(() => replicas.close());

  maybe('delivers an event published on one instance to a subscriber of the other', async () => {
    const [a, b] = await replicas.start();
    const admin = await a.login();
    const before = b.app.get(PubSub).activeSubscriptions();
    const onB = collect(b.wsClient(admin), USER_CHANGED);
    await waitFor(() => b.app.get(PubSub).activeSubscriptions() === before + 1, { what: 'the subscription on B' });
    await waitFor(
      async () => {
        await a.graphql(CREATE, { i: { email: `cross-${Date.now()}@plantgraph.test`, displayName: 'X' } }, admin);
        return onB.events.length >= 1;
      },
      { what: 'the event on B', intervalMs: 200 },
    );
    expect(onB.events[0].data!.userChanged.kind).toBe('CREATED');
    expect(typeof onB.events[0].data!.userChanged.user.email).toBe('string');
  });
});
