/**
 * The catalogue of API permissions. Roles (identity) hold some of them; resolvers declare
 * the one they need with @RequirePermission. A user may act if any of their roles grants it.
 */
export const PERMISSIONS = {
  USERS_READ: 'users:read',
  USERS_WRITE: 'users:write',
  ROLES_READ: 'roles:read',
  ROLES_WRITE: 'roles:write',
  /** The machine registry, live telemetry, history, states and reports. */
  MACHINES_READ: 'machines:read',
  /** Create, change and delete machines, their types, parts and element types. */
  MACHINES_WRITE: 'machines:write',
  /** Operators (welders), shifts and instructions. */
  SHIFTS_WRITE: 'shifts:write',
  /** State bands and other telemetry thresholds. */
  TELEMETRY_CONFIGURE: 'telemetry:configure',
  /** RFID access: uses, authorisations, maintenance, boards, unknown cards, status and reports. */
  ACCESS_READ: 'access:read',
  /** Change authorisations, maintenance plans and interventions, correct uses, convert unknown cards. */
  ACCESS_WRITE: 'access:write',
  /** Start or stop a machine remotely through its RFID board. */
  ACCESS_OPERATE: 'access:operate',
} as const;

export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];
export const ALL_PERMISSIONS: readonly Permission[] = Object.values(PERMISSIONS);

export function isPermission(value: string): value is Permission {
  return (ALL_PERMISSIONS as readonly string[]).includes(value);
}
