import type { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PubSub as MemoryEngine } from 'graphql-subscriptions';
import type { Client } from 'graphql-ws';
import { PubSub } from '../../src/shared/pubsub/pub-sub.js';
import { collect, replicasSharingRedis, startTestApp, type TestApp } from '../harness/app.js';
import { metricSum } from '../harness/metrics.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * What happens to a user's open graphql-ws subscriptions when their access changes while
 * they stream: disabled, deleted, logged out everywhere → the socket closes with 4403 at
 * once; a permission lost through a role change → the subscriptions needing it end with
 * FORBIDDEN and the rest keep streaming. And what the service holds after clients come and go.
 */
const RUN = randomBytes(3).toString('hex');
/** "At once": far below any polling or token lifetime, with room for a loaded CI machine. */
const AT_ONCE = { timeoutMs: 5_000, intervalMs: 10 };

const USER_CHANGED = 'subscription { userChanged { kind user { id } } }';
const ACCESS_STATUS = `subscription($codes: [String!]) {
  machineAccessStatusChanged(machineCodes: $codes) { machine { code } status blocked }
}`;
const CREATE_USER = 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }';
const UPDATE_USER = 'mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id } }';

type Subscription = ReturnType<typeof collect<Record<string, any>>>;

/** A client that remembers how its socket closed. */
function connect(t: TestApp, token: string): { client: Client; closed: { code?: number } } {
  const closed: { code?: number } = {};
  const client = t.wsClient(token, {
    on: { closed: (event) => void (closed.code = (event as { code: number }).code) },
  });
  return { client, closed };
}

/** What the service holds for subscriptions right now. */
async function held(t: TestApp) {
  const gauge = (name: string, state: string) => metricSum(t, name, { state });
  return {
    connections: await gauge('plantgraph_graphql_ws_sessions', 'connections'),
    subscriptions: await gauge('plantgraph_graphql_ws_sessions', 'subscriptions'),
    sharedSubscribers: await gauge('plantgraph_graphql_shared_subscriptions', 'subscribers'),
    pubsubIterators: t.app.get(PubSub).activeSubscriptions(),
    engineListeners: engineListeners(t),
  };
}

/** Listeners the PubSub engine holds (in memory: on its emitter; Redis: per subscribed channel and iterator). */
function engineListeners(t: TestApp): number {
  const { engine } = t.app.get<{ engine: unknown }>('PUBSUB_ENGINE');
  if (engine instanceof MemoryEngine) {
    const emitter = (engine as unknown as { ee: EventEmitter }).ee;
    return emitter.eventNames().reduce((sum, name) => sum + emitter.listenerCount(name), 0);
  }
  return Object.keys((engine as unknown as { subscriptionMap: object }).subscriptionMap).length;
}

/** Waits until the service holds what it held at `baseline` (connections, subscriptions, listeners). */
async function released(t: TestApp, baseline: Awaited<ReturnType<typeof held>>): Promise<void> {
  let last: unknown;
  await waitFor(
    async () => {
      last = await held(t);
      return JSON.stringify(last) === JSON.stringify(baseline);
    },
    { what: `everything to be released: ${JSON.stringify(baseline)} before` },
  ).catch((error: Error) => {
    throw new Error(`${error.message}, ${JSON.stringify(last)} now`);
  });
}

function errorCodes(subscription: Subscription): string {
  return JSON.stringify(subscription.error ?? subscription.events.flatMap((e) => e.errors ?? []));
}

describe('subscriptions of a user whose access changes', () => {
  let t: TestApp;
  let admin: string;
  let machineCode: string;
  let blocked = false;

  async function newUser(roles: string[]): Promise<{ id: string; token: string }> {
    const email = `lifecycle-${randomBytes(4).toString('hex')}@plantgraph.test`;
    const created = await t.graphql(
      CREATE_USER,
      { i: { email, displayName: 'L', password: 'lifecycle-pass-1', roles } },
      admin,
    );
    if (!created.data) throw new Error(JSON.stringify(created.errors));
    return { id: created.data.createUser.id, token: await t.login(email, 'lifecycle-pass-1') };
  }

  /** Subscribes and waits until the service runs the subscription. */
  async function subscribed(client: Client, query: string, variables?: Record<string, unknown>) {
    const before = (await held(t)).subscriptions;
    const subscription = collect(client, query, variables);
    await waitFor(async () => (await held(t)).subscriptions > before || subscription.error, {
      what: 'the subscription to run',
    });
    expect(subscription.error).toBeUndefined();
    return subscription;
  }

  /** Blocks or unblocks the machine: every machineAccessStatusChanged subscriber of it gets an event. */
  async function toggleMachine(): Promise<void> {
    blocked = !blocked;
    const result = await t.graphql(
      'mutation($code: String!, $b: Boolean!) { updateMachine(code: $code, input: { blocked: $b }) { id } }',
      { code: machineCode, b: blocked },
      admin,
    );
    expect(result.errors).toBeUndefined();
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.login();
    machineCode = `9${Math.floor(Math.random() * 1e6)}`;
    await t.graphql(
      'mutation($i: CreateMachineInput!) { createMachine(input: $i) { id } }',
      {
        i: { code: machineCode, name: 'Lifecycle' },
      },
      admin,
    );
  });
  afterAll(() => t.close());

  it.each([
    ['disabled', (id: string) => t.graphql(UPDATE_USER, { id, i: { disabled: true } }, admin)],
    ['deleted', (id: string) => t.graphql('mutation($id: ID!) { deleteUser(id: $id) { id } }', { id }, admin)],
    ['logged out everywhere', (_id: string, token: string) => t.graphql('mutation { logoutEverywhere }', {}, token)],
  ])('closes the socket of a user %s while subscribed, at once, and releases what it held', async (_, change) => {
    const baseline = await held(t);
    const user = await newUser(['supervisor']);
    const { client, closed } = connect(t, user.token);
    const users = await subscribed(client, USER_CHANGED);
    const statuses = await subscribed(client, ACCESS_STATUS, { codes: [machineCode] });

    const changed = await change(user.id, user.token);
    expect(changed.errors).toBeUndefined();
    await waitFor(() => closed.code, { ...AT_ONCE, what: 'the socket to close' });
    expect(closed.code).toBe(4403);
    await waitFor(() => users.error && statuses.error, { ...AT_ONCE, what: 'both subscriptions to end' });

    await released(t, baseline);
  });

  it('ends only the subscriptions needing a permission that a role change removed', async () => {
    const baseline = await held(t);
    const role = `watcher-${RUN}`;
    const created = await t.graphql(
      'mutation($i: CreateRoleInput!) { createRole(input: $i) { id } }',
      { i: { name: role, permissions: ['users:read', 'access:read'] } },
      admin,
    );
    const user = await newUser([role]);
    const { client, closed } = connect(t, user.token);
    const users = await subscribed(client, USER_CHANGED);
    const statuses = await subscribed(client, ACCESS_STATUS, { codes: [machineCode] });

    await t.graphql(
      'mutation($id: ID!) { updateRole(id: $id, input: { permissions: ["access:read"] }) { id } }',
      { id: created.data!.createRole.id },
      admin,
    );
    await waitFor(() => users.error ?? users.events.find((e) => e.errors), { ...AT_ONCE, what: 'the refusal' });
    expect(errorCodes(users)).toContain('FORBIDDEN');

    // The socket stays open and the subscription still allowed keeps streaming.
    await toggleMachine();
    await waitFor(() => statuses.events.length >= 1, { what: 'the status event' });
    expect(statuses.events[0].data!.machineAccessStatusChanged).toMatchObject({ machine: { code: machineCode } });
    expect(closed.code).toBeUndefined();
    expect(statuses.error).toBeUndefined();
    await client.dispose();
    await released(t, baseline);
  });

  it('ends a subscription whose permission went with a changed role of the user, keeping the socket', async () => {
    const baseline = await held(t);
    const user = await newUser(['supervisor']);
    const { client, closed } = connect(t, user.token);
    const users = await subscribed(client, USER_CHANGED);

    await t.graphql(UPDATE_USER, { id: user.id, i: { roles: ['operator'] } }, admin);
    await waitFor(() => users.error ?? users.events.find((e) => e.errors), { ...AT_ONCE, what: 'the refusal' });
    expect(errorCodes(users)).toContain('FORBIDDEN');
    const me = collect(client, '{ me { roles { name } } }');
    await waitFor(() => me.events.length > 0, { what: 'the next operation' });
    expect(me.events[0].data!.me.roles).toEqual([{ name: 'operator' }]);
    expect(closed.code).toBeUndefined();
    await client.dispose();
    await released(t, baseline);
  });

  it('drops a member that lost its permission from a shared-execution group; the others keep receiving', async () => {
    const role = `viewer-${RUN}`;
    await t.graphql(
      'mutation($i: CreateRoleInput!) { createRole(input: $i) { id } }',
      {
        i: { name: role, permissions: ['access:read'] },
      },
      admin,
    );
    const [losing, staying] = [await newUser([role]), await newUser([role])];
    const before = await held(t);
    const sockets = [connect(t, losing.token).client, connect(t, staying.token).client];
    const lost = await subscribed(sockets[0], ACCESS_STATUS, { codes: [machineCode] });
    const kept = await subscribed(sockets[1], ACCESS_STATUS, { codes: [machineCode] });
    // Same operation, same permissions: one group, two members.
    expect((await held(t)).sharedSubscribers).toBe(before.sharedSubscribers + 2);

    await t.graphql(UPDATE_USER, { id: losing.id, i: { roles: ['member'] } }, admin);
    await waitFor(() => lost.error ?? lost.events.find((e) => e.errors), { ...AT_ONCE, what: 'the refusal' });
    expect(errorCodes(lost)).toContain('FORBIDDEN');
    expect((await held(t)).sharedSubscribers).toBe(before.sharedSubscribers + 1);

    await toggleMachine();
    await waitFor(() => kept.events.some((e) => e.data), { what: 'the event on the remaining member' });
    expect(lost.events.filter((e) => e.data)).toEqual([]);
    await Promise.all(sockets.map((c) => c.dispose()));
    await released(t, before);
  });

  it('leaves the counts where they started after clients connect, subscribe and go, 100 times', async () => {
    const baseline = await held(t);
    const user = await newUser(['supervisor']);
    for (let round = 0; round < 10; round++) {
      const clients = Array.from({ length: 10 }, () => connect(t, user.token).client);
      for (const client of clients) {
        collect(client, USER_CHANGED);
        collect(client, ACCESS_STATUS, { codes: [machineCode] });
      }
      await waitFor(async () => (await held(t)).subscriptions === baseline.subscriptions + 20, {
        what: `round ${round} to subscribe`,
      });
      await Promise.all(clients.map((c) => c.dispose()));
    }
    await released(t, baseline);
  });
});

describe('a user disabled on one instance while subscribed on another (shared Redis)', () => {
  const replicas = replicasSharingRedis();
  const maybe = replicas.available ? it : it.skip;
  afterAll(() => replicas.close());

  maybe('closes the socket on the other instance at once', async () => {
    const [a, b] = await replicas.start();
    const admin = await a.login();
    const email = `cross-disable-${RUN}@plantgraph.test`;
    const created = await a.graphql(
      CREATE_USER,
      { i: { email, displayName: 'X', password: 'cross-disable-1', roles: ['supervisor'] } },
      admin,
    );
    const token = await b.login(email, 'cross-disable-1');
    const baseline = await held(b);
    const { client, closed } = connect(b, token);
    const onB = collect(client, USER_CHANGED);
    await waitFor(async () => (await held(b)).subscriptions === baseline.subscriptions + 1, {
      what: 'the subscription on B',
    });

    await a.graphql(UPDATE_USER, { id: created.data!.createUser.id, i: { disabled: true } }, admin);
    await waitFor(() => closed.code, { ...AT_ONCE, what: 'the socket on B to close' });
    expect(closed.code).toBe(4403);
    expect(onB.error).toBeDefined();
    await released(b, baseline);
  });
});
