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
  /** Leak detection: fields, templates, sensors, readings, anomaly levels, events, jobs and results. */
  LEAKS_READ: 'leaks:read',
  /** Create, change and delete fields, templates, sensors, candidate leaks and currents; import readings. */
  LEAKS_WRITE: 'leaks:write',
  /** Teach a sensor what is normal (feedback mode), run baseline jobs and simulations. */
  LEAKS_OPERATE: 'leaks:operate',
  /** Experiments the caller is assigned to: their PVs, values, history, live values and sets. */
  EXPERIMENTS_READ: 'experiments:read',
  /** Set the writable PVs of experiments the caller is assigned to. */
  EXPERIMENTS_OPERATE: 'experiments:operate',
  /** Administer experiments: create, change and delete experiments and PVs, assign users; sees every experiment. */
  EXPERIMENTS_WRITE: 'experiments:write',
  /** See the notification outbox (e-mails, webhooks): what is pending or failed, and why; send again. */
  NOTIFICATIONS_MANAGE: 'notifications:manage',
  /** Alarms of every context, their history, summary and health figures. */
  ALARMS_READ: 'alarms:read',
  /** Acknowledge, assign, shelve and un-shelve alarms. */
  ALARMS_OPERATE: 'alarms:operate',
  /** Alarm conditions, notification rules and channels; take sources out of service. */
  ALARMS_CONFIGURE: 'alarms:configure',
} as const;

export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];
export const ALL_PERMISSIONS: readonly Permission[] = Object.values(PERMISSIONS);

export function isPermission(value: string): value is Permission {
  return (ALL_PERMISSIONS as readonly string[]).includes(value);
}
