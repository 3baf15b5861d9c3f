import type { Permission } from './permissions.js';

/** Who is calling: resolved from a verified access token on every operation. */
export interface Principal {
  id: string;
  email: string;
  displayName: string;
  cardUid: string | null;
  roles: string[];
  permissions: ReadonlySet<Permission>;
}

/** The claims of an access token: the user and the session version it was issued for. */
export interface AccessTokenClaims {
  sub: string;
  sv: number;
}

/**
 * Port implemented by the identity context: turns verified claims into a Principal, or
 * throws UnauthenticatedError when the user is gone, disabled or logged out everywhere.
 */
export abstract class PrincipalResolver {
  abstract resolve(claims: AccessTokenClaims): Promise<Principal>;
}
