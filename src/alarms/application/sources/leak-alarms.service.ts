import { Injectable } from '@nestjs/common';
import {
  AnomalyLevelsService,
  type SensorLevelChange,
} from '../../../leak-detection/application/anomaly-levels.service.js';
import {
  LeakInvestigationsService,
  type LiveInvestigation,
} from '../../../leak-detection/application/leak-investigations.service.js';
import type { AnomalyLevel } from '../../../leak-detection/domain/anomaly-level.js';
import { AlarmConditionsService } from '../alarm-conditions.service.js';
import type { AlarmSource } from '../alarm-signals.js';

export const ANOMALY_WARNING = 'ANOMALY_WARNING';
export const ANOMALY_CRITICAL = 'ANOMALY_CRITICAL';
export const LEAK_CONFIRMED = 'LEAK_CONFIRMED';

const RANK: Record<AnomalyLevel, number> = { UNDEFINED: 0, OK: 0, WARNING: 1, CRITICAL: 2 };

export interface LevelSignal {
  raise: boolean;
  type: string;
}

/**
 * Each alarm is its own condition: ANOMALY_WARNING holds while the level is WARNING or
 * above, ANOMALY_CRITICAL while it is CRITICAL; a confirmed leak stands until the sensor is
 * back below WARNING (its evidence is gone). A jump from OK to CRITICAL raises both.
 */
export function levelSignals(previous: AnomalyLevel | null, level: AnomalyLevel): LevelSignal[] {
  const before = RANK[previous ?? 'UNDEFINED'];
  const after = RANK[level];
  const signals: LevelSignal[] = [];
  if (after >= 1 && before < 1) signals.push({ raise: true, type: ANOMALY_WARNING });
  if (after >= 2 && before < 2) signals.push({ raise: true, type: ANOMALY_CRITICAL });
  if (after < 2 && before >= 2) signals.push({ raise: false, type: ANOMALY_CRITICAL });
  if (after < 1 && before >= 1)
    signals.push({ raise: false, type: ANOMALY_WARNING }, { raise: false, type: LEAK_CONFIRMED });
  return signals;
}

/**
 * Leak detection → alarms on the SENSOR: its anomaly level (in the transaction that stores
 * the change of level, on the replica that owns the sensor) and the result of the
 * investigation a CRITICAL requests (CONFIRMED raises LEAK_CONFIRMED; the outbox runs it at
 * least once, and raising again for the same reading changes nothing).
 */
@Injectable()
export class LeakAlarmsService {
  constructor(
    levels: AnomalyLevelsService,
    investigations: LeakInvestigationsService,
    private readonly conditions: AlarmConditionsService,
  ) {
    // In the constructor, not onModuleInit: the anomaly stage may catch up before this module's hooks run.
    levels.onLevelChange((change) => this.levelChanged(change));
    investigations.onResult((investigation) => this.investigated(investigation));
  }

  async levelChanged(change: SensorLevelChange): Promise<void> {
    const signals = levelSignals(change.previousLevel, change.level);
    if (!signals.length) return;
    await this.conditions.ready();
    const source = sensorSource(change.sensorId, change.sensorName);
    const facts = { value: change.ppmv, percent: change.percent };
    for (const { raise, type } of signals)
      if (raise) await this.conditions.raise(type, source, change.at, facts);
      else await this.conditions.clear(type, source, change.at);
  }

  async investigated(investigation: LiveInvestigation): Promise<void> {
    if (investigation.result !== 'CONFIRMED') return;
    await this.conditions.ready();
    await this.conditions.raise(
      LEAK_CONFIRMED,
      sensorSource(investigation.sensorId, investigation.sensorName),
      investigation.at,
      { detail: investigation.confirmedName },
    );
  }
}

function sensorSource(sensorId: number, sensorName: string): AlarmSource {
  return { kind: 'SENSOR', key: String(sensorId), name: sensorName };
}
