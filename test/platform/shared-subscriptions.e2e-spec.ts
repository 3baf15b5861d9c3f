import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PubSub } from '../../src/shared/pubsub/pub-sub.js';
import type { SamplesAdded } from '../../src/shared/ingestion/sample-kind.js';
import { AXIS_SAMPLES_ADDED, type LiveSample } from '../../src/telemetry/application/live-telemetry.service.js';
import type { AxisSample } from '../../src/telemetry/domain/samples.js';
import { collect, startTestApp, type TestApp } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * Shared execution of identical subscriptions (axisSampleAdded is marked for it), over real
 * graphql-ws sockets: what each subscriber receives, what it is refused, and what the
 * service holds while they come and go. Events are published as the ingestion path publishes
 * them after a committed batch.
 */
const RUN = randomBytes(3).toString('hex');
const AXIS_ADDED = `subscription($codes: [String!]) {
  axisSampleAdded(machineCodes: $codes) { machineCode axis ts actual target distanceToGo velocity acceleration homed }
}`;

type Subscription = ReturnType<typeof collect<Record<string, any>>>;

describe('shared execution of identical subscriptions', () => {
  let t: TestApp;
  let admin: string;
  let pubsub: PubSub;
  const machines: Record<string, number> = {};
  const [A, B] = [`shared-a-${RUN}`, `shared-b-${RUN}`];
  let clock = Date.now() - 60_000;

  /** One axis sample of `code`, published like the ingestion path does; its `actual` tells it apart. */
  async function publish(code: string, actual: number): Promise<void> {
    const sample: LiveSample<AxisSample> = {
      machineId: machines[code],
      machineCode: code,
      axis: 'X',
      ts: new Date((clock += 10)),
      actual,
      target: actual + 1,
      distanceToGo: 1,
      velocity: 2,
      acceleration: 3,
      homed: true,
    };
    await pubsub.publish<SamplesAdded<LiveSample<AxisSample>>>(AXIS_SAMPLES_ADDED, {
      sourceId: machines[code],
      sourceCode: code,
      samples: [sample],
    });
  }

  /** Subscribes on a socket of its own and waits until the subscription provably receives events. */
  async function subscribed(codes: string[], token = admin): Promise<Subscription> {
    const subscription = collect(t.wsClient(token), AXIS_ADDED, { codes });
    await waitFor(
      async () => {
        if (subscription.events.some((e) => e.data)) return true;
        if (subscription.error || subscription.events.some((e) => e.errors)) throw new Error('refused');
        await publish(codes[0], -1);
        return false;
      },
      { intervalMs: 50, what: 'a primer event' },
    );
    return subscription;
  }

  const actuals = (s: Subscription) => s.events.map((e) => e.data!.axisSampleAdded.actual as number);
  const after = (s: Subscription, from: number) => s.events.slice(from).map((e) => e.data!.axisSampleAdded);

  async function sharedGauge(): Promise<{ groups: number; subscribers: number }> {
    const text = await (await fetch(t.httpUrl.replace(/\/graphql$/, '/metrics'))).text();
    const value = (state: string) =>
      Number(new RegExp(`^plantgraph_graphql_shared_subscriptions\\{state="${state}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
    return { groups: value('groups'), subscribers: value('subscribers') };
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.login();
    pubsub = t.app.get(PubSub);
    for (const code of [A, B]) {
      const created = await t.graphql(
        'mutation($i: CreateMachineInput!) { createMachine(input: $i) { id } }',
        { i: { code, name: code, axes: [{ name: 'X', maxVelocity: 60, maxAcceleration: 200 }] } },
        admin,
      );
      machines[code] = Number(created.data!.createMachine.id);
    }
  });
  afterAll(() => t.close());

  it('gives two subscribers of the same subscription identical events, from one source', async () => {
    const before = pubsub.activeSubscriptions();
    const first = await subscribed([A]);
    const second = await subscribed([A]);
    expect(pubsub.activeSubscriptions()).toBe(before + 1);
    expect(await sharedGauge()).toEqual({ groups: 1, subscribers: 2 });

    const [fromFirst, fromSecond] = [first.events.length, second.events.length];
    await publish(A, 10);
    await publish(A, 11);
    await waitFor(() => first.events.length >= fromFirst + 2 && second.events.length >= fromSecond + 2, {
      what: 'both events on both subscribers',
    });
    expect(after(first, fromFirst)).toEqual(after(second, fromSecond));
    expect(after(first, fromFirst)).toEqual([
      expect.objectContaining({ machineCode: A, axis: 'X', actual: 10, target: 11, distanceToGo: 1, homed: true }),
      expect.objectContaining({ machineCode: A, actual: 11 }),
    ]);
    first.unsubscribe();
    second.unsubscribe();
    await waitFor(() => pubsub.activeSubscriptions() === before, { what: 'the group to be released' });
  });

  it("does not give a subscriber with another filter the others' events", async () => {
    const onA = await subscribed([A]);
    const onB = await subscribed([B]);
    const [fromA, fromB] = [onA.events.length, onB.events.length];
    await publish(A, 20);
    await publish(B, 21);
    await publish(A, 22);
    await waitFor(() => onA.events.length >= fromA + 2 && onB.events.length >= fromB + 1, { what: 'the events' });
    expect(actuals(onA).slice(fromA)).toEqual([20, 22]);
    expect(actuals(onB).slice(fromB)).toEqual([21]);
    onA.unsubscribe();
    onB.unsubscribe();
  });

  it('refuses a caller without the permission even while an identical subscription runs', async () => {
    const email = `shared-member-${RUN}@plantgraph.test`;
    await t.graphql(
      'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
      { i: { email, displayName: 'Member', password: 'shared-member-1', roles: ['member'] } },
      admin,
    );
    const member = await t.login(email, 'shared-member-1');
    const allowed = await subscribed([A]);
    const refused = collect(t.wsClient(member), AXIS_ADDED, { codes: [A] });
    await waitFor(() => refused.events.length || refused.error, { what: 'the refusal' });
    expect(JSON.stringify(refused.events[0]?.errors ?? refused.error)).toContain('FORBIDDEN');

    const from = allowed.events.length;
    await publish(A, 30);
    await waitFor(() => allowed.events.length > from, { what: 'the event on the allowed subscriber' });
    expect(refused.events.filter((e) => e.data)).toEqual([]);
    allowed.unsubscribe();
  });

  it('refuses unknown machines with the usual error, as the generic path does', async () => {
    const unknown = collect(t.wsClient(admin), AXIS_ADDED, { codes: [`nowhere-${RUN}`] });
    await waitFor(() => unknown.events.length || unknown.error, { what: 'the refusal' });
    expect(unknown.events[0].errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    ]);
  });

  it('keeps the others flowing when one leaves, and releases the group when the last leaves', async () => {
    const before = pubsub.activeSubscriptions();
    const members = [await subscribed([B]), await subscribed([B]), await subscribed([B])];
    expect(await sharedGauge()).toEqual({ groups: 1, subscribers: 3 });
    members[0].unsubscribe();
    await waitFor(async () => (await sharedGauge()).subscribers === 2, { what: 'the first to leave' });

    const from = members.map((m) => m.events.length);
    await publish(B, 40);
    await waitFor(() => members[1].events.length > from[1] && members[2].events.length > from[2], {
      what: 'the event on the remaining subscribers',
    });
    expect(members[0].events.length).toBe(from[0]);
    expect(actuals(members[2]).slice(from[2])).toEqual([40]);

    members[1].unsubscribe();
    members[2].unsubscribe();
    await waitFor(() => pubsub.activeSubscriptions() === before, { what: 'the source to be released' });
    expect(await sharedGauge()).toEqual({ groups: 0, subscribers: 0 });
  });
});
