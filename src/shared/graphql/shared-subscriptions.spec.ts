import { describe, expect, it } from '@jest/globals';
import {
  GraphQLFloat,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  type ExecutionResult,
} from 'graphql';
import { PubSub as MemoryEngine } from 'graphql-subscriptions';
import { MessageType, stringifyMessage } from 'graphql-ws';
import { ForbiddenError } from '../errors/domain-errors.js';
import { PubSub } from '../pubsub/pub-sub.js';
import { formatExecutionResult } from './error-formatting.js';
import { SHARED_EXECUTION, SharedSubscriptions } from './shared-subscriptions.js';

interface Reading {
  machineCode: string;
  value: number;
}

const TOPIC = 'readings';
const READINGS = `subscription($codes: [String!]) { readingAdded(machineCodes: $codes) { machineCode value } }`;

/**
 * A schema like the service's: `readingAdded` shares execution, `notice` does not. The
 * subscribe function stands for Nest's guard + resolver: it refuses callers without
 * `machines:read` and filters by machine, like LiveTelemetry.
 */
function schemaOver(pubsub: PubSub) {
  const reading = new GraphQLObjectType({
    name: 'Reading',
    fields: {
      machineCode: { type: new GraphQLNonNull(GraphQLString) },
      value: { type: new GraphQLNonNull(GraphQLFloat) },
    },
  });
  let subscribeCalls = 0;
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        readingAdded: {
          type: new GraphQLNonNull(reading),
          args: { machineCodes: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) } },
          extensions: { [SHARED_EXECUTION]: true },
          subscribe: (_root, args: { machineCodes?: string[] }, context: Context) => {
            subscribeCalls++;
            if (!context.req.user?.permissions.has('machines:read'))
              throw new ForbiddenError('Permission machines:read is required');
            const codes = args.machineCodes;
            return filtered(pubsub.subscribe<Reading>(TOPIC), (r) => !!codes && !codes.includes(r.machineCode));
          },
          resolve: (event: unknown) => event,
        },
        lastReading: {
          type: new GraphQLNonNull(reading),
          extensions: { [SHARED_EXECUTION]: true },
          subscribe: () => lastReading(),
          resolve: (event: unknown) => event,
        },
        notice: {
          type: GraphQLString,
          subscribe: () => pubsub.subscribe<string>('notices'),
          resolve: (event: unknown) => event,
        },
      },
    }),
  });
  /** One reading once `finish` is called, then the end, or the given failure. */
  let finish!: (failure?: Error) => void;
  const finished = new Promise<Error | undefined>((resolve) => (finish = resolve));
  async function* lastReading() {
    const failure = await finished;
    yield { machineCode: 'M1', value: 0 };
    if (failure) throw failure;
  }
  return { schema, subscribeCalls: () => subscribeCalls, finish: (failure?: Error) => finish(failure) };
}

interface Context {
  req: { headers: Record<string, string>; user?: { permissions: ReadonlySet<string> } };
}

/** Skips the events `skip` is true for; ending it ends the source. */
function filtered<T>(source: AsyncIterableIterator<T>, skip: (event: T) => boolean): AsyncIterableIterator<T> {
  return {
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done || !skip(result.value)) return result;
      }
    },
    return: () => source.return!(),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** A graphql-ws socket that keeps what is sent to it. */
function socket(bufferedAmount = 0) {
  const sent: string[] = [];
  return { readyState: 1, bufferedAmount, sent, send: (data: string) => void sent.push(data) };
}

const nextTick = () => new Promise((resolve) => setImmediate(resolve));

function setUp() {
  const pubsub = new PubSub(new MemoryEngine());
  const { schema, subscribeCalls, finish } = schemaOver(pubsub);
  let dropped = 0;
  const sut = new SharedSubscriptions({
    format: formatExecutionResult,
    maxBufferedBytes: 1000,
    onDropped: () => void dropped++,
  });
  let nextId = 0;
  /** What graphql-ws does for a subscribe message: context hook, then subscribe hook. */
  const subscribe = (
    to: ReturnType<typeof socket>,
    { query = READINGS, variables = {} as Record<string, unknown>, permissions = ['machines:read'] } = {},
  ) => {
    const id = String(++nextId);
    const context: Context = { req: { headers: {}, user: { permissions: new Set(permissions) } } };
    const contextValue = sut.track(context, to, id, query);
    return sut.subscribe({ schema, document: parse(query), variableValues: variables, contextValue });
  };
  const publish = async (machineCode: string, value: number) => {
    await pubsub.publish<Reading>(TOPIC, { machineCode, value });
    await nextTick();
  };
  return { sut, pubsub, subscribe, publish, subscribeCalls, finish, dropped: () => dropped };
}

/**
 * The `next` frame as graphql-ws itself writes it: shared execution writes this frame by hand
 * (once-serialised payload, per-subscriber id), so these tests fail when a graphql-ws upgrade
 * changes its wire format (the version is pinned for this reason).
 */
const message = (id: string, machineCode: string, value: number) =>
  stringifyMessage({ id, type: MessageType.Next, payload: { data: { readingAdded: { machineCode, value } } } });

describe('SharedSubscriptions', () => {
  it('runs each subscriber through the resolver, then serves identical subscriptions from one source', async () => {
    const { sut, pubsub, subscribe, publish, subscribeCalls } = setUp();
    const [a, b] = [socket(), socket()];
    await subscribe(a, { variables: { codes: ['M1'] } });
    await subscribe(b, { variables: { codes: ['M1'] } });
    expect(subscribeCalls()).toBe(2);
    expect(pubsub.activeSubscriptions()).toBe(1);
    expect(sut.size()).toEqual({ groups: 1, subscribers: 2 });

    await publish('M1', 1.5);
    await publish('M2', 7);
    expect(a.sent).toEqual([message('1', 'M1', 1.5)]);
    expect(b.sent).toEqual([message('2', 'M1', 1.5)]);
  });

  it('keeps subscriptions with other variables or other permissions apart', async () => {
    const { sut, subscribe, publish } = setUp();
    const [m1, m2, wider] = [socket(), socket(), socket()];
    await subscribe(m1, { variables: { codes: ['M1'] } });
    await subscribe(m2, { variables: { codes: ['M2'] } });
    await subscribe(wider, { variables: { codes: ['M1'] }, permissions: ['machines:read', 'users:read'] });
    expect(sut.size()).toEqual({ groups: 3, subscribers: 3 });

    await publish('M2', 2);
    expect(m1.sent).toEqual([]);
    expect(m2.sent).toEqual([message('2', 'M2', 2)]);
    expect(wider.sent).toEqual([]);
  });

  it('refuses a caller its check refuses, even when an identical subscription is running', async () => {
    const { sut, subscribe, publish } = setUp();
    const [allowed, refused] = [socket(), socket()];
    await subscribe(allowed);
    const result = (await subscribe(refused, { permissions: [] })) as ExecutionResult;
    expect(formatExecutionResult(result)).toMatchObject({
      errors: [{ message: 'Permission machines:read is required', extensions: { code: 'FORBIDDEN' } }],
    });
    expect(sut.size()).toEqual({ groups: 1, subscribers: 1 });
    await publish('M1', 3);
    expect(allowed.sent).toHaveLength(1);
    expect(refused.sent).toEqual([]);
  });

  it('keeps the others flowing when one leaves, and releases the source when the last leaves', async () => {
    const { sut, pubsub, subscribe, publish } = setUp();
    const [a, b] = [socket(), socket()];
    const first = (await subscribe(a)) as AsyncIterableIterator<ExecutionResult>;
    const second = (await subscribe(b)) as AsyncIterableIterator<ExecutionResult>;
    const pending = first.next();
    await first.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    await publish('M1', 4);
    expect(a.sent).toEqual([]);
    expect(b.sent).toEqual([message('2', 'M1', 4)]);

    await second.return!();
    await nextTick();
    expect(sut.size()).toEqual({ groups: 0, subscribers: 0 });
    expect(pubsub.activeSubscriptions()).toBe(0);
  });

  it('starts a new group for a subscriber that comes after the last one left', async () => {
    const { sut, pubsub, subscribe, publish } = setUp();
    const gone = (await subscribe(socket())) as AsyncIterableIterator<ExecutionResult>;
    await gone.return!();
    const later = socket();
    await subscribe(later);
    await publish('M1', 5);
    expect(later.sent).toEqual([message('2', 'M1', 5)]);
    expect(sut.size()).toEqual({ groups: 1, subscribers: 1 });
    expect(pubsub.activeSubscriptions()).toBe(1);
  });

  it('completes every subscriber when the source ends', async () => {
    const { sut, subscribe, finish } = setUp();
    const query = 'subscription { lastReading { machineCode value } }';
    const [a, b] = [socket(), socket()];
    const members = [await subscribe(a, { query }), await subscribe(b, { query })] as AsyncIterableIterator<unknown>[];
    const ends = members.map((m) => m.next());
    finish();
    expect(await Promise.all(ends)).toEqual([
      { value: undefined, done: true },
      { value: undefined, done: true },
    ]);
    expect([a.sent, b.sent]).toEqual([[expect.stringContaining('"id":"1"')], [expect.stringContaining('"id":"2"')]]);
    expect(sut.size()).toEqual({ groups: 0, subscribers: 0 });
  });

  it('fails every subscriber when the source fails, for graphql-ws to report', async () => {
    const { subscribe, finish } = setUp();
    const member = (await subscribe(socket(), {
      query: 'subscription { lastReading { value } }',
    })) as AsyncIterableIterator<unknown>;
    const end = member.next();
    finish(new Error('broker gone'));
    await expect(end).rejects.toThrow('broker gone');
  });

  it('skips a socket that cannot keep up, and counts what it missed', async () => {
    const { subscribe, publish, dropped } = setUp();
    const [slow, fast] = [socket(5000), socket()];
    await subscribe(slow);
    await subscribe(fast);
    await publish('M1', 6);
    expect(slow.sent).toEqual([]);
    expect(fast.sent).toHaveLength(1);
    expect(dropped()).toBe(1);
  });

  it('leaves other subscriptions to graphql-js: their results come out of the iterator', async () => {
    const { sut, pubsub, subscribe } = setUp();
    const to = socket();
    const results = (await subscribe(to, {
      query: 'subscription { notice }',
    })) as AsyncIterableIterator<ExecutionResult>;
    const next = results.next();
    await pubsub.publish('notices', 'hello');
    expect(await next).toEqual({ value: { data: { notice: 'hello' } }, done: false });
    expect(to.sent).toEqual([]);
    expect(sut.size()).toEqual({ groups: 0, subscribers: 0 });
    await results.return!();
  });
});
