import { describe, expect, it } from '@jest/globals';
import { PubSub as MemoryEngine } from 'graphql-subscriptions';
import { ServiceUnavailableError, UnauthenticatedError } from '../errors/domain-errors.js';
import { MetricsService } from '../observability/metrics.service.js';
import { PubSub } from '../pubsub/pub-sub.js';
import { ACCESS_CHANGED, type AccessChangedEvent } from './access-changes.js';
import type { AuthenticationService } from './authentication.service.js';
import { LiveSessionsService, type SessionEnd, type SessionRequest } from './live-sessions.service.js';
import type { Permission } from './permissions.js';
import type { Principal } from './principal.js';

/** Authentication as far as sessions use it: what each user may do right now, or why not. */
class FakeAuthentication {
  readonly access = new Map<string, Permission[] | Error>();

  async authenticate(authorization: unknown): Promise<Principal> {
    const userId = String(authorization).replace('Bearer ', '');
    const access = this.access.get(userId) ?? new UnauthenticatedError();
    if (access instanceof Error) throw access;
    return { id: userId, email: '', displayName: '', cardUid: null, roles: [], permissions: new Set(access) };
  }
}

function setup() {
  const authentication = new FakeAuthentication();
  const pubsub = new PubSub(new MemoryEngine());
  const sut = new LiveSessionsService(authentication as unknown as AuthenticationService, pubsub, new MetricsService());
  sut.onModuleInit();
  const ends: SessionEnd[] = [];
  const open = (userId: string, permissions: Permission[]) => {
    authentication.access.set(userId, permissions);
    return sut.open(userId, `Bearer ${userId}`, (end) => ends.push(end));
  };
  /** A subscription of `session` over its own PubSub topic, authorised for `permission`. */
  const subscribe = (request: SessionRequest, permission: Permission) => {
    request.requiredPermissions = new Set([permission]);
    return sut.watch(request, pubsub.subscribe<number>(`events-${permission}`));
  };
  const changed = (...userIds: string[]) => pubsub.publish<AccessChangedEvent>(ACCESS_CHANGED, { userIds });
  return { sut, authentication, pubsub, ends, open, subscribe, changed };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('LiveSessionsService', () => {
  it('ends the subscriptions needing a permission the user lost, with FORBIDDEN, and keeps the others', async () => {
    const { authentication, pubsub, ends, open, subscribe, changed } = setup();
    await settled();
    const session = open('u1', ['users:read', 'machines:read']);
    const users = subscribe({ headers: {}, session, sessionRevision: 0 }, 'users:read');
    const machines = subscribe({ headers: {}, session, sessionRevision: 0 }, 'machines:read');
    const pendingUsers = users.next();
    const pendingMachines = machines.next();
    const iteratorsBefore = pubsub.activeSubscriptions();

    authentication.access.set('u1', ['machines:read']);
    await changed('u1');
    await expect(pendingUsers).rejects.toMatchObject({ code: 'FORBIDDEN', details: { permission: 'users:read' } });
    expect(pubsub.activeSubscriptions()).toBe(iteratorsBefore - 1);

    await pubsub.publish('events-machines:read', 7);
    expect(await pendingMachines).toEqual({ value: 7, done: false });
    expect(ends).toEqual([]);
    expect(session.subscriptions.size).toBe(1);
  });

  it('closes the session of a user who may no longer connect, releasing its subscriptions', async () => {
    const { authentication, pubsub, ends, open, subscribe, changed } = setup();
    await settled();
    const before = pubsub.activeSubscriptions();
    const session = open('u2', ['users:read']);
    open('u3', ['users:read']);
    const pending = subscribe({ headers: {}, session, sessionRevision: 0 }, 'users:read').next();

    authentication.access.set('u2', new UnauthenticatedError('Session ended; log in again'));
    await changed('u2');
    await expect(pending).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    // u3's session stays open.
    expect(ends).toEqual(['revoked']);
    expect(pubsub.activeSubscriptions()).toBe(before);
  });

  it('closes as unavailable when the user cannot be checked after a change', async () => {
    const { authentication, ends, open, changed } = setup();
    await settled();
    open('u4', ['users:read']);
    authentication.access.set('u4', new ServiceUnavailableError('database down', 2));
    await changed('u4');
    await settled();
    expect(ends).toEqual(['unavailable']);
  });

  it('checks again a subscription authorised while a change was being handled', async () => {
    const { authentication, open, subscribe, changed } = setup();
    await settled();
    const session = open('u5', ['users:read']);
    // The operation started (its request built) before the change arrived, and joins after it.
    const request: SessionRequest = { headers: {}, session, sessionRevision: session.revision };
    authentication.access.set('u5', []);
    await changed('u5');
    await settled();
    const late = subscribe(request, 'users:read');
    await expect(late.next()).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('forgets a closed session: later changes of its user touch nothing', async () => {
    const { sut, authentication, ends, open, changed } = setup();
    await settled();
    const session = open('u6', ['users:read']);
    sut.forget(session);
    authentication.access.set('u6', new UnauthenticatedError());
    await changed('u6');
    await settled();
    expect(ends).toEqual([]);
  });
});
