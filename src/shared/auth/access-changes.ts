/**
 * Published (through the PubSub port, so on every replica) after a change that may take
 * access away from users: disabled, deleted, logged out everywhere, password changed, roles
 * or a role's permissions changed. Replicas check those users' open graphql-ws sessions again.
 */
export const ACCESS_CHANGED = 'auth.access-changed';

/** Carries ids only: it may travel through Redis. */
export interface AccessChangedEvent {
  userIds: string[];
}
