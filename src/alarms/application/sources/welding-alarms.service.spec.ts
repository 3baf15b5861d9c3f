import { beforeEach, describe, expect, it } from '@jest/globals';
import type {
  MachineStateService,
  OutOfStandardEpisodes,
} from '../../../telemetry/application/machine-state.service.js';
import type { Episode } from '../../../telemetry/domain/machine-state-tracker.js';
import type { AlarmConditionsService } from '../alarm-conditions.service.js';
import { recordingConditions, type RecordingAlarmSignals } from './alarm-signals.fixture.js';
import { OUT_OF_STANDARD, WeldingAlarmsService } from './welding-alarms.service.js';

const T0 = Date.UTC(2026, 11, 4, 8);
const at = (s: number) => new Date(T0 + s * 1000);
const iso = (s: number) => at(s).toISOString();

function episode(start: number, end: number | null, peakCurrent = 180): Episode {
  return {
    shiftId: 1,
    startedAt: at(start),
    endedAt: end === null ? null : at(end),
    lastSampleAt: at(end ?? start),
    peakCurrent,
    peakVoltage: 30,
    sampleCount: 3,
  };
}

describe('WeldingAlarmsService (out-of-standard episodes → MACHINE OUT_OF_STANDARD)', () => {
  let conditions: AlarmConditionsService;
  let signals: RecordingAlarmSignals;
  let listener: (change: OutOfStandardEpisodes) => Promise<void>;
  const change = (openBefore: Episode | null, episodes: Episode[]) =>
    listener({ machineId: 7, machineCode: 'W-07', openBefore, episodes });

  beforeEach(async () => {
    ({ conditions, signals } = await recordingConditions());
    const machineState = { onEpisodes: (l: typeof listener) => (listener = l) } as unknown as MachineStateService;
    new WeldingAlarmsService(machineState, conditions);
  });

  it('raises when an episode starts, with the condition severity, message and the peak current', async () => {
    await change(null, [episode(10, null, 212.5)]);
    expect(signals.signals).toEqual([
      {
        op: 'raise',
        type: OUT_OF_STANDARD,
        key: 'MACHINE:7',
        at: iso(10),
        severity: 'MAJOR',
        message: 'OUT_OF_STANDARD source=W-07 value=212.5',
        value: 212.5,
      },
    ]);
  });

  it('says nothing while the same episode goes on, and clears when it ends', async () => {
    const open = episode(10, null);
    await change(open, [{ ...open, lastSampleAt: at(20) }]);
    expect(signals.signals).toEqual([]);
    await change(open, [episode(10, 25)]);
    expect(signals.signals).toEqual([{ op: 'clear', type: OUT_OF_STANDARD, key: 'MACHINE:7', at: iso(25) }]);
  });

  it('keeps time order inside one batch: raise, clear, raise again', async () => {
    await change(null, [episode(10, 20), episode(30, null)]);
    expect(signals.signals.map((s) => [s.op, s.at])).toEqual([
      ['raise', iso(10)],
      ['clear', iso(20)],
      ['raise', iso(30)],
    ]);
  });

  it('does not clear between two episodes that touch (a shift change while out of standard): it counts the new one', async () => {
    const open = episode(10, null);
    await change(open, [episode(10, 40), episode(40, null)]);
    expect(signals.signals.map((s) => [s.op, s.at])).toEqual([['raise', iso(40)]]);
  });

  it('raises nothing when the condition is off, but still clears', async () => {
    await conditions.update(OUT_OF_STANDARD, { enabled: false }, 'u1');
    await change(null, [episode(10, 20)]);
    expect(signals.signals.map((s) => s.op)).toEqual(['clear']);
  });

  it('fails the batch when the alarm cannot be stored (the transaction rolls back and the batch is retried)', async () => {
    signals.failing = true;
    await expect(change(null, [episode(10, null)])).rejects.toThrow('database down');
  });
});
