import type { AlarmConditionData } from '../domain/alarm-conditions.js';

export interface StoredAlarmCondition extends AlarmConditionData {
  updatedAt: Date;
  updatedBy: string | null;
}

export abstract class AlarmConditionRepository {
  abstract all(): Promise<StoredAlarmCondition[]>;
  /** Writes the condition's changeable fields; the stored row after it, null when the type is unknown. */
  abstract update(condition: AlarmConditionData, byUserId: string): Promise<StoredAlarmCondition | null>;
}
