import { Field, Float, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Paginated } from '../../shared/graphql/pagination.js';
import type { AnomalyLevel } from '../domain/anomaly-level.js';
import type { SystemEventType } from '../application/anomaly-levels.ports.js';
import { AnomalyLevelEnum } from './leak-readings.models.js';

export const SystemEventTypeEnum = {
  ALERT_CRITICAL: 'ALERT_CRITICAL',
  ALERT_SUCCESS: 'ALERT_SUCCESS',
  INFO: 'INFO',
} as const;
registerEnumType(SystemEventTypeEnum, {
  name: 'LeakSystemEventType',
  description: 'ALERT_CRITICAL: act now (a leak confirmed, learning refused); ALERT_SUCCESS: cleared; INFO: a notice.',
});

const PERCENT = {
  nullable: true,
  description:
    "The newest window's distance to its nearest neighbour, in percent of the largest inside the sensor's baseline; null while UNDEFINED, and when the window has no neighbour at all (then CRITICAL).",
};

@ObjectType('AnomalyLevelReading', { description: 'A reading as it was scored: its anomaly level.' })
export class AnomalyLevelReadingModel {
  @Field() sensorName: string;
  @Field() ts: Date;
  @Field(() => Float) ppmv: number;
  @Field(() => AnomalyLevelEnum) level: AnomalyLevel;
  @Field(() => Float, PERCENT) percent: number | null;
  @Field({ description: 'Scored in feedback mode (collected as normal).' }) feedback: boolean;
}

@ObjectType('LeakSensorEvent', {
  description: "A sensor's level changed (sent once per change: a steady sensor raises nothing).",
})
export class LeakSensorEventModel {
  @Field() id: string;
  @Field() sensorName: string;
  @Field(() => AnomalyLevelEnum) level: AnomalyLevel;
  @Field(() => AnomalyLevelEnum, { nullable: true, description: "Null for the sensor's first reading." })
  previousLevel: AnomalyLevel | null;
  @Field({ description: 'The reading that changed the level.' }) at: Date;
  @Field(() => Float) ppmv: number;
  @Field(() => Float, PERCENT) percent: number | null;
}

@ObjectType('LeakSystemEvent', {
  description: 'An operator notice: a confirmed leak, a stretch learned, a job that failed.',
})
export class LeakSystemEventModel {
  @Field() id: string;
  @Field(() => SystemEventTypeEnum) type: SystemEventType;
  @Field() message: string;
  @Field(() => String, { nullable: true, description: 'The sensor it is about, if any.' }) sensorName: string | null;
  @Field() at: Date;
}

export const LeakSensorEventPage = Paginated(LeakSensorEventModel, 'LeakSensorEventPage');
export const LeakSystemEventPage = Paginated(LeakSystemEventModel, 'LeakSystemEventPage');

/** +∞ (a window without any neighbour) has no GraphQL Float: it is shown as null beside its CRITICAL level. */
export function shownPercent<T extends { percent: number | null }>(item: T): T {
  return item.percent === null || Number.isFinite(item.percent) ? item : { ...item, percent: null };
}
