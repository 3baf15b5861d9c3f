import { Extensions } from '@nestjs/graphql';
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  Kind,
  subscribe,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
} from 'graphql';
import type { Principal } from '../auth/principal.js';
import type { GraphQLRequestContext, SubscriberSocket } from './graphql-context.js';

/** The field extension that @SharedExecution() sets (graphql-js schemas built by hand set it themselves). */
export const SHARED_EXECUTION = 'plantgraphSharedExecution';

/**
 * Opts a subscription field into shared execution: identical subscriptions (same operation
 * text, operation name, variables and caller permissions) share one event source, and each
 * event is executed and serialised once for all of them. Every subscriber still passes the
 * guards, pipes and the resolver when it subscribes. Only for fields whose events and
 * selection depend on nothing but the arguments and the permission checked at subscribe time:
 * the shared execution runs with the context of the group's first subscriber.
 */
export const SharedExecution = () => Extensions({ [SHARED_EXECUTION]: true });

export interface SharedSubscriptionsOptions {
  /** What graphql-ws's onNext makes of a result (the errors formatted), so both paths send the same. */
  format(result: ExecutionResult): ExecutionResult | FormattedExecutionResult;
  /** A socket with more than this not yet written misses events (a client that cannot keep up). */
  maxBufferedBytes: number;
  onDropped(): void;
}

/** Where one graphql-ws operation's results go. */
interface Delivery {
  socket: SubscriberSocket;
  id: string;
  query: string;
}

const WS_OPEN = 1;

/**
 * graphql-ws `context` and `subscribe` hooks for shared execution. graphql-ws executes and
 * serialises every event once per subscriber; for a field marked @SharedExecution() this runs
 * each event once per group of identical subscriptions and writes the same serialised
 * payload to every member's socket, wrapped in the member's own `next` message. Other
 * operations take graphql-js's own path, unchanged.
 */
export class SharedSubscriptions {
  private readonly deliveries = new WeakMap<object, Delivery>();
  private readonly groups = new Map<string, Group>();

  constructor(private readonly options: SharedSubscriptionsOptions) {}

  /** Remembers, for `subscribe`, which socket and operation id a context belongs to. */
  track<C extends object>(context: C, socket: SubscriberSocket, id: string, query: string): C {
    this.deliveries.set(context, { socket, id, query });
    return context;
  }

  async subscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const delivery = this.deliveries.get(args.contextValue as object);
    if (!delivery || !isShared(args)) return subscribe(args);
    // Runs the guards, pipes and resolver for this subscriber, as the generic path does.
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream;
    const source = stream[Symbol.asyncIterator]();
    const key = groupKey(delivery.query, args);
    let group = this.groups.get(key);
    if (group) {
      // The subscriber passed its checks; the group's source already carries its events.
      release(source);
    } else {
      group = new Group(args, source, this.options, (ended) => {
        if (this.groups.get(key) === ended) this.groups.delete(key);
      });
      this.groups.set(key, group);
    }
    return group.join(delivery.socket, delivery.id);
  }

  /** Groups and their members right now. */
  size(): { groups: number; subscribers: number } {
    let subscribers = 0;
    for (const group of this.groups.values()) subscribers += group.size;
    return { groups: this.groups.size, subscribers };
  }
}

/** A subscription of a single plain field (no fragment, no directive) marked @SharedExecution(). */
function isShared({ schema, document, operationName }: ExecutionArgs): boolean {
  const selections = getOperationAST(document, operationName)?.selectionSet.selections;
  if (selections?.length !== 1) return false;
  const [field] = selections;
  if (field.kind !== Kind.FIELD || field.directives?.length) return false;
  return schema.getSubscriptionType()?.getFields()[field.name.value]?.extensions[SHARED_EXECUTION] === true;
}

/** The caller's permissions are part of the key: a subscriber only shares with callers allowed the same. */
function groupKey(query: string, { contextValue, operationName, variableValues }: ExecutionArgs): string {
  const user = (contextValue as GraphQLRequestContext).req.user as Principal | undefined;
  const permissions = user ? [...user.permissions].sort().join(' ') : '';
  return `${permissions}\n${operationName ?? ''}\n${JSON.stringify(variableValues ?? {})}\n${query}`;
}

/** Ends a source (its PubSub listener); a failure to do so has nothing left to tell any subscriber. */
function release(source: AsyncIterator<unknown>): void {
  source.return?.().catch(() => undefined);
}

/** Identical subscriptions: one source, one execution and one serialisation per event. */
class Group {
  private readonly members = new Set<Member>();
  private closed = false;

  constructor(
    private readonly args: ExecutionArgs,
    private readonly source: AsyncIterator<unknown>,
    private readonly options: SharedSubscriptionsOptions,
    private readonly onEnd: (group: Group) => void,
  ) {
    void this.pump();
  }

  get size(): number {
    return this.members.size;
  }

  join(socket: SubscriberSocket, id: string): Member {
    const member = new Member(socket, id, this.options, () => this.leave(member));
    this.members.add(member);
    return member;
  }

  private leave(member: Member): void {
    this.members.delete(member);
    if (this.members.size || this.closed) return;
    this.closed = true;
    this.onEnd(this);
    release(this.source);
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const event = await this.source.next();
        if (event.done || this.closed) break;
        // What graphql-js's subscribe does per subscriber (execute with the event as root), once.
        const result = await execute({ ...this.args, rootValue: event.value });
        const payload = JSON.stringify(this.options.format(result));
        for (const member of this.members) member.send(payload);
      }
      this.end();
    } catch (error) {
      this.end({ error });
    }
  }

  /** The source ended (shutdown) or failed: so does every member's subscription. */
  private end(failure?: { error: unknown }): void {
    this.closed = true;
    this.onEnd(this);
    for (const member of this.members) member.end(failure);
    this.members.clear();
  }
}

/**
 * One subscriber of a group, as graphql-ws holds it: an iterator that yields nothing (events
 * go straight to the socket) and finishes when the subscriber leaves or the group ends, so
 * that graphql-ws completes or fails the operation as usual.
 */
class Member implements AsyncIterableIterator<ExecutionResult> {
  /** graphql-ws's `next` message up to its payload: {"id":…,"type":"next","payload":…}. */
  private readonly prefix: string;
  private waiting?: { resolve(result: IteratorResult<ExecutionResult>): void; reject(error: unknown): void };
  private outcome?: { failure?: { error: unknown } };

  constructor(
    private readonly socket: SubscriberSocket,
    id: string,
    private readonly options: SharedSubscriptionsOptions,
    private readonly leave: () => void,
  ) {
    this.prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  }

  send(payload: string): void {
    if (this.socket.readyState !== WS_OPEN) return;
    if (this.socket.bufferedAmount > this.options.maxBufferedBytes) return this.options.onDropped();
    this.socket.send(`${this.prefix}${payload}}`);
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.outcome) return this.settled();
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    if (!this.outcome) {
      this.end();
      this.leave();
    }
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Without a failure: done. With one: graphql-ws reports its error to the client. */
  end(failure?: { error: unknown }): void {
    this.outcome ??= { failure };
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) this.settled().then(waiting.resolve, waiting.reject);
  }

  private settled(): Promise<IteratorResult<ExecutionResult>> {
    const { failure } = this.outcome!;
    return failure ? Promise.reject(failure.error) : Promise.resolve({ value: undefined, done: true });
  }
}
