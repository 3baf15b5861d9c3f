import { beforeEach, describe, expect, it } from '@jest/globals';
import type {
  AnomalyLevelsService,
  SensorLevelChange,
} from '../../../leak-detection/application/anomaly-levels.service.js';
import type {
  LeakInvestigationsService,
  LiveInvestigation,
} from '../../../leak-detection/application/leak-investigations.service.js';
import type { AnomalyLevel } from '../../../leak-detection/domain/anomaly-level.js';
import { recordingConditions, type RecordingAlarmSignals } from './alarm-signals.fixture.js';
import {
  ANOMALY_CRITICAL,
  ANOMALY_WARNING,
  LEAK_CONFIRMED,
  LeakAlarmsService,
  levelSignals,
} from './leak-alarms.service.js';

const AT = new Date(Date.UTC(2026, 11, 4, 9));

describe('levelSignals', () => {
  it.each<[AnomalyLevel | null, AnomalyLevel, string[]]>([
    [null, 'OK', []],
    ['UNDEFINED', 'WARNING', [`+${ANOMALY_WARNING}`]],
    ['OK', 'CRITICAL', [`+${ANOMALY_WARNING}`, `+${ANOMALY_CRITICAL}`]],
    ['WARNING', 'CRITICAL', [`+${ANOMALY_CRITICAL}`]],
    ['CRITICAL', 'WARNING', [`-${ANOMALY_CRITICAL}`]],
    ['CRITICAL', 'OK', [`-${ANOMALY_CRITICAL}`, `-${ANOMALY_WARNING}`, `-${LEAK_CONFIRMED}`]],
    ['WARNING', 'OK', [`-${ANOMALY_WARNING}`, `-${LEAK_CONFIRMED}`]],
    ['WARNING', 'UNDEFINED', [`-${ANOMALY_WARNING}`, `-${LEAK_CONFIRMED}`]],
  ])('%s → %s', (previous, level, expected) => {
    expect(levelSignals(previous, level).map((s) => `${s.raise ? '+' : '-'}${s.type}`)).toEqual(expected);
  });
});

describe('LeakAlarmsService (anomaly levels and investigations → SENSOR alarms)', () => {
  let signals: RecordingAlarmSignals;
  let onLevel: (change: SensorLevelChange) => Promise<void>;
  let onResult: (investigation: LiveInvestigation) => Promise<void>;

  beforeEach(async () => {
    const recording = await recordingConditions();
    signals = recording.signals;
    const levels = { onLevelChange: (l: typeof onLevel) => (onLevel = l) } as unknown as AnomalyLevelsService;
    const investigations = { onResult: (l: typeof onResult) => (onResult = l) } as unknown as LeakInvestigationsService;
    new LeakAlarmsService(levels, investigations, recording.conditions);
  });

  it('raises WARNING and CRITICAL on the sensor at the reading, with its ppmv and percent', async () => {
    await onLevel({
      sensorId: 4,
      sensorName: 'S-4',
      level: 'CRITICAL',
      previousLevel: 'OK',
      at: AT,
      ppmv: 812,
      percent: 240,
    });
    expect(signals.signals).toEqual([
      expect.objectContaining({
        op: 'raise',
        type: ANOMALY_WARNING,
        key: 'SENSOR:4',
        at: AT.toISOString(),
        value: 812,
      }),
      expect.objectContaining({
        op: 'raise',
        type: ANOMALY_CRITICAL,
        message: 'ANOMALY_CRITICAL source=S-4 value=812 percent=240',
      }),
    ]);
  });

  it('raises LEAK_CONFIRMED naming the leak for a confirmed investigation only', async () => {
    const base = { id: '1', sensorId: 4, sensorName: 'S-4', at: AT, trigger: 'CRITICAL', reason: 'x', details: {} };
    await onResult({
      ...base,
      result: 'EXTERNAL_CAUSE',
      confirmedCandidateId: null,
      confirmedName: null,
    } as unknown as LiveInvestigation);
    await onResult({
      ...base,
      result: 'CONFIRMED',
      confirmedCandidateId: 2,
      confirmedName: 'L2(1,2,3)',
    } as unknown as LiveInvestigation);
    expect(signals.signals).toEqual([
      expect.objectContaining({
        op: 'raise',
        type: LEAK_CONFIRMED,
        key: 'SENSOR:4',
        message: 'LEAK_CONFIRMED source=S-4 detail=L2(1,2,3)',
      }),
    ]);
  });
});
