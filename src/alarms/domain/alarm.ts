/** The alarm vocabulary, plain TypeScript so that domain/ can use it; application/alarm-signals.ts re-exports it. */

/** What an alarm is about. PV alarms carry their experiment, so rules can be scoped to one. */
export const ALARM_SOURCE_KINDS = ['MACHINE', 'SENSOR', 'PV', 'BOARD', 'SERVICE'] as const;
export type AlarmSourceKind = (typeof ALARM_SOURCE_KINDS)[number];

/** ThingsBoard's five severities, most severe first. */
export const ALARM_SEVERITIES = ['CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'INDETERMINATE'] as const;
export type AlarmSeverity = (typeof ALARM_SEVERITIES)[number];

/** ISA-18.2 states. An alarm is open until it reaches NORMAL (active and acknowledged both ended). */
export const ALARM_STATES = [
  'ACTIVE_UNACKNOWLEDGED',
  'ACTIVE_ACKNOWLEDGED',
  'RETURNED_UNACKNOWLEDGED',
  'NORMAL',
] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** ISA-18.2 suppression: a shelved alarm (until a time) or a source out of service notifies nobody. */
export const ALARM_SUPPRESSIONS = ['SHELVED', 'OUT_OF_SERVICE'] as const;
export type AlarmSuppression = (typeof ALARM_SUPPRESSIONS)[number];

export const ALARM_TRANSITION_KINDS = [
  'RAISED',
  'RERAISED',
  'RETURNED',
  'ACKNOWLEDGED',
  'CLEARED',
  'ASSIGNED',
  'SHELVED',
  'UNSHELVED',
  'OUT_OF_SERVICE',
  'IN_SERVICE',
] as const;
export type AlarmTransitionKind = (typeof ALARM_TRANSITION_KINDS)[number];
