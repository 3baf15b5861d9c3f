import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Paginated } from '../../shared/graphql/pagination.js';
import {
  ALARM_SEVERITIES,
  ALARM_SOURCE_KINDS,
  ALARM_STATES,
  ALARM_SUPPRESSIONS,
  ALARM_TRANSITION_KINDS,
  type AlarmSeverity,
  type AlarmSourceKind,
  type AlarmState,
  type AlarmSuppression,
  type AlarmTransitionKind,
} from '../domain/alarm.js';
import type { AlarmHealth } from '../domain/alarm-health.js';
import type { AlarmChangedEvent, SourceServiceState } from '../application/alarms.service.js';
import type { StoredAlarm, StoredTransition } from '../application/alarms.ports.js';

const enumOf = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const AlarmSourceKindEnum = enumOf(ALARM_SOURCE_KINDS);
registerEnumType(AlarmSourceKindEnum, { name: 'AlarmSourceKind', description: 'What an alarm is about.' });
export const AlarmSeverityEnum = enumOf(ALARM_SEVERITIES);
registerEnumType(AlarmSeverityEnum, { name: 'AlarmSeverity', description: 'Most severe first.' });
export const AlarmStateEnum = enumOf(ALARM_STATES);
registerEnumType(AlarmStateEnum, {
  name: 'AlarmState',
  description:
    'ISA-18.2: ACTIVE_UNACKNOWLEDGED, ACTIVE_ACKNOWLEDGED, RETURNED_UNACKNOWLEDGED (the condition ended, nobody acknowledged it yet), NORMAL (closed).',
});
export const AlarmSuppressionEnum = enumOf(ALARM_SUPPRESSIONS);
registerEnumType(AlarmSuppressionEnum, {
  name: 'AlarmSuppression',
  description: 'SHELVED by an operator until a time, or its source OUT_OF_SERVICE: notifies nobody.',
});
export const AlarmTransitionKindEnum = enumOf(ALARM_TRANSITION_KINDS);
registerEnumType(AlarmTransitionKindEnum, { name: 'AlarmTransitionKind' });

@ObjectType('AlarmSource')
export class AlarmSourceModel {
  @Field(() => AlarmSourceKindEnum) kind: AlarmSourceKind;
  @Field({ description: "Identity within the kind: a machine's, sensor's or PV's id, a service part." }) key: string;
  @Field({ description: 'For people: machine code, sensor tag, PV name…' }) name: string;
  @Field(() => String, { nullable: true, description: "A PV's experiment." }) experiment: string | null;
}

@ObjectType('Alarm', { description: 'One alarm: open until NORMAL; one open alarm per (source, type).' })
export class AlarmModel {
  @Field(() => ID) id: number;
  @Field(() => AlarmSourceModel) source: AlarmSourceModel;
  @Field() type: string;
  @Field(() => AlarmSeverityEnum, { description: 'The most severe raise while open.' }) severity: AlarmSeverity;
  @Field({ description: "The latest raise's message." }) message: string;
  @Field(() => AlarmStateEnum) state: AlarmState;
  @Field(() => AlarmSuppressionEnum, { nullable: true }) suppression: AlarmSuppression | null;
  @Field(() => Date, { nullable: true }) shelvedUntil: Date | null;
  @Field(() => String, { nullable: true, description: 'The user who shelved it.' }) shelvedBy: string | null;
  @Field(() => String, { nullable: true, description: 'Why it is shelved.' }) shelveNote: string | null;
  @Field(() => String, { nullable: true }) assigneeId: string | null;
  @Field() firstRaisedAt: Date;
  @Field() lastRaisedAt: Date;
  @Field() lastChangedAt: Date;
  @Field(() => Int, { description: 'Raises while open, the first included.' }) count: number;
  @Field(() => Float, { nullable: true, description: 'The highest value raised with.' }) peakValue: number | null;
  @Field(() => Date, { nullable: true, description: 'When it reached NORMAL.' }) closedAt: Date | null;
}

export const AlarmPage = Paginated(AlarmModel, 'AlarmPage');

@ObjectType('AlarmTransition', { description: 'One step of an alarm: who (null for the service), when, why.' })
export class AlarmTransitionModel {
  @Field(() => ID) id: number;
  @Field(() => ID) alarmId: number;
  @Field(() => AlarmTransitionKindEnum) kind: AlarmTransitionKind;
  @Field() at: Date;
  @Field(() => String, { nullable: true }) byUserId: string | null;
  @Field(() => String, { nullable: true, description: "The user's display name." }) byUserName: string | null;
  @Field(() => String, { nullable: true }) note: string | null;
  @Field(() => AlarmStateEnum) stateAfter: AlarmState;
  @Field(() => AlarmSeverityEnum) severity: AlarmSeverity;
}

export const AlarmTransitionPage = Paginated(AlarmTransitionModel, 'AlarmTransitionPage');

@ObjectType('AlarmChange', { description: 'A transition, with the alarm after it.' })
export class AlarmChangeModel {
  @Field(() => AlarmTransitionModel) transition: AlarmTransitionModel;
  @Field(() => AlarmModel) alarm: AlarmModel;
}

@ObjectType('AlarmStateCount')
export class AlarmStateCountModel {
  @Field(() => AlarmStateEnum) state: AlarmState;
  @Field(() => Int) count: number;
}

@ObjectType('AlarmSeverityCount')
export class AlarmSeverityCountModel {
  @Field(() => AlarmSeverityEnum) severity: AlarmSeverity;
  @Field(() => Int) count: number;
}

@ObjectType('AlarmSummary', { description: 'Open alarms, for a dashboard badge.' })
export class AlarmSummaryModel {
  @Field(() => Int) open: number;
  @Field(() => Int, { description: 'Open alarms shelved or out of service.' }) suppressed: number;
  @Field(() => [AlarmStateCountModel], { description: 'Every open state, zeros included.' })
  byState: AlarmStateCountModel[];
  @Field(() => [AlarmSeverityCountModel], { description: 'Every severity, zeros included.' })
  bySeverity: AlarmSeverityCountModel[];
}

@ObjectType('AlarmHealth', { description: 'ISA-18.2 alarm health figures over a window.' })
export class AlarmHealthModel implements AlarmHealth {
  @Field() from: Date;
  @Field() to: Date;
  @Field(() => Float) hours: number;
  @Field(() => Int, { description: 'Raises and re-raises in the window.' }) annunciations: number;
  @Field(() => Float, { description: 'Annunciations per hour (one operator position).' }) alarmsPerHour: number;
  @Field(() => Int, { description: "The most in one of the window's 10-minute periods (from `from`)." })
  peakPer10Minutes: number;
  @Field(() => Date, { nullable: true }) peakPeriodStart: Date | null;
  @Field(() => Int, { description: '10-minute periods with more than 10 annunciations (floods).' })
  floodPeriods: number;
  @Field(() => [ID], { description: 'Alarms annunciated 3 times or more within a minute.' })
  chatteringAlarmIds: number[];
  @Field(() => [ID], { description: 'Alarms active continuously for more than 24 hours in the window.' })
  staleAlarmIds: number[];
}

@ObjectType('AlarmSourceService', { description: 'Whether an alarm source is out of service.' })
export class AlarmSourceServiceModel implements SourceServiceState {
  @Field(() => AlarmSourceKindEnum) kind: AlarmSourceKind;
  @Field() key: string;
  @Field() outOfService: boolean;
  @Field(() => Date, { nullable: true }) since: Date | null;
  @Field(() => String, { nullable: true }) byUserId: string | null;
  @Field(() => String, { nullable: true }) note: string | null;
  @Field(() => Int, { description: 'Open alarms whose suppression changed.' }) alarmsAffected: number;
}

export const toAlarmModel = (a: StoredAlarm): AlarmModel => ({
  ...a,
  source: { ...a.source, experiment: a.source.experiment ?? null },
});

export const toTransitionModel = (t: StoredTransition, names: Map<string, string>): AlarmTransitionModel => ({
  ...t,
  byUserName: t.byUserId ? (names.get(t.byUserId) ?? null) : null,
});

export const toChangeModel = (e: AlarmChangedEvent): AlarmChangeModel => ({
  alarm: toAlarmModel(e.alarm),
  transition: { ...e.transition, byUserName: e.byUserName },
});
