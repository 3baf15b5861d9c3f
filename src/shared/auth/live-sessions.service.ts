import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { ForbiddenError, ServiceUnavailableError, UnauthenticatedError } from '../errors/domain-errors.js';
import { MetricsService } from '../observability/metrics.service.js';
import { PubSub } from '../pubsub/pub-sub.js';
import { ACCESS_CHANGED, type AccessChangedEvent } from './access-changes.js';
import { AuthenticationService, type AuthenticatedRequest } from './authentication.service.js';
import type { Permission } from './permissions.js';

/** Why a session ends: its user may no longer connect, or their access could not be checked. */
export type SessionEnd = 'revoked' | 'unavailable';

/** A graphql-ws connection of an authenticated user, and the subscriptions running on it. */
export class LiveSession {
  /** Bumped when the user's access changes: a subscription authorised under an older revision is checked again. */
  revision = 0;
  readonly subscriptions = new Set<RevocableSubscription<unknown>>();

  constructor(
    readonly userId: string,
    readonly authorization: string,
    /** Closes the connection (graphql-context.ts picks the close code). */
    readonly close: (end: SessionEnd) => void,
  ) {}
}

/** The request built for an operation on a session (graphql-context.ts). */
export interface SessionRequest extends AuthenticatedRequest {
  session?: LiveSession;
  /** The session's revision when the operation started. */
  sessionRevision?: number;
}

/**
 * Ends what a user may no longer do, at once and on every replica: identity publishes
 * ACCESS_CHANGED through the PubSub port (Redis across replicas); each replica checks the
 * named users' open sessions again and closes those whose user is gone, disabled or logged
 * out, and ends the subscriptions that need a permission the user lost, with FORBIDDEN.
 * Subscriptions sharing execution leave their group like any subscriber that unsubscribes.
 */
@Injectable()
export class LiveSessionsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LiveSessionsService.name);
  private readonly byUser = new Map<string, Set<LiveSession>>();
  private changes?: AsyncIterableIterator<AccessChangedEvent>;
  private readonly ended: Counter<'what'>;

  constructor(
    private readonly authentication: AuthenticationService,
    private readonly pubsub: PubSub,
    private readonly metrics: MetricsService,
  ) {
    this.ended = metrics.counter(
      'plantgraph_graphql_ws_revocations_total',
      'graphql-ws connections closed and subscriptions ended because their user lost access',
      ['what'],
    );
  }

  onModuleInit(): void {
    this.changes = this.pubsub.subscribe<AccessChangedEvent>(ACCESS_CHANGED);
    void this.follow(this.changes);
    const byUser = this.byUser;
    this.metrics.gauge(
      'plantgraph_graphql_ws_sessions',
      'Authenticated graphql-ws connections on this replica, and the subscriptions running on them',
      ['state'],
      function () {
        let connections = 0;
        let subscriptions = 0;
        for (const sessions of byUser.values())
          for (const session of sessions) {
            connections++;
            subscriptions += session.subscriptions.size;
          }
        this.set({ state: 'connections' }, connections);
        this.set({ state: 'subscriptions' }, subscriptions);
      },
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.changes?.return?.();
  }

  /**
   * Registers the connection of a verified token before its user is resolved, so that a
   * change of that user meanwhile is not missed; `forget` it when it is refused or closes.
   */
  open(userId: string, authorization: string, close: (end: SessionEnd) => void): LiveSession {
    const session = new LiveSession(userId, authorization, close);
    let sessions = this.byUser.get(userId);
    if (!sessions) this.byUser.set(userId, (sessions = new Set()));
    sessions.add(session);
    return session;
  }

  forget(session: LiveSession): void {
    const sessions = this.byUser.get(session.userId);
    if (!sessions?.delete(session) || sessions.size) return;
    this.byUser.delete(session.userId);
  }

  /** A started subscription, endable by a later access change of its session's user. */
  watch<T>(request: SessionRequest, events: AsyncIterableIterator<T>): AsyncIterableIterator<T> {
    const session = request.session;
    if (!session) return events;
    const subscription: RevocableSubscription<T> = new RevocableSubscription(
      events,
      [...(request.requiredPermissions ?? [])],
      () => session.subscriptions.delete(subscription),
    );
    session.subscriptions.add(subscription);
    // The user's access changed while the operation was being authorised: check it again.
    if (request.sessionRevision !== session.revision) void this.recheck(session);
    return subscription;
  }

  private async follow(changes: AsyncIterable<AccessChangedEvent>): Promise<void> {
    try {
      for await (const { userIds } of changes)
        for (const userId of userIds) for (const session of this.byUser.get(userId) ?? []) void this.recheck(session);
    } catch (err) {
      this.logger.error({ err }, 'Following access changes stopped');
    }
  }

  private async recheck(session: LiveSession): Promise<void> {
    session.revision++;
    let permissions: ReadonlySet<Permission>;
    try {
      permissions = (await this.authentication.authenticate(session.authorization)).permissions;
    } catch (error) {
      return this.end(session, error instanceof ServiceUnavailableError ? 'unavailable' : 'revoked');
    }
    for (const subscription of session.subscriptions) {
      const lost = subscription.permissions.find((p) => !permissions.has(p));
      if (!lost) continue;
      subscription.revoke(new ForbiddenError(`Permission ${lost} is required`, { permission: lost }));
      this.ended.inc({ what: 'subscription' });
    }
  }

  private end(session: LiveSession, end: SessionEnd): void {
    this.forget(session);
    session.close(end);
    for (const subscription of session.subscriptions) subscription.revoke(new UnauthenticatedError('Session ended'));
    this.ended.inc({ what: 'connection' });
  }
}

/**
 * A running subscription that can be ended from outside with an error: its pending read
 * fails (graphql-ws then sends the error and completes the operation) and its source is
 * released at once (its PubSub listener, or its place in a shared-execution group).
 */
class RevocableSubscription<T> implements AsyncIterableIterator<T> {
  private failure?: { error: unknown };
  private failWaiting?: (error: unknown) => void;
  private ended = false;

  constructor(
    private readonly events: AsyncIterator<T>,
    readonly permissions: readonly Permission[],
    private readonly onEnd: () => void,
  ) {}

  next(): Promise<IteratorResult<T>> {
    if (this.failure) return Promise.reject(this.failure.error);
    return new Promise((resolve, reject) => {
      this.failWaiting = reject;
      this.events.next().then(resolve, reject);
    });
  }

  async return(): Promise<IteratorResult<T>> {
    if (!this.end()) return { value: undefined, done: true };
    return (await this.events.return?.()) ?? { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<T>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  revoke(error: unknown): void {
    if (!this.end()) return;
    this.failure = { error };
    this.failWaiting?.(error);
    this.events.return?.().catch(() => undefined);
  }

  private end(): boolean {
    if (this.ended) return false;
    this.ended = true;
    this.onEnd();
    return true;
  }
}
