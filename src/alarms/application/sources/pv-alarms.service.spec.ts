import { beforeEach, describe, expect, it } from '@jest/globals';
import type {
  PvThresholdEpisodes,
  PvThresholdEpisodesService,
} from '../../../experiments/application/pv-threshold-episodes.service.js';
import type { PvThresholdEvent } from '../../../experiments/application/pv-thresholds.service.js';
import { recordingConditions, type RecordingAlarmSignals } from './alarm-signals.fixture.js';
import { PV_OUT_OF_BAND, PvAlarmsService } from './pv-alarms.service.js';

const T0 = Date.UTC(2026, 11, 4, 10);
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();

function event(kind: 'STARTED' | 'ENDED', subscriptionId: number, s: number, value = 120): PvThresholdEvent {
  return {
    kind,
    episodeId: `${subscriptionId}-${s}`,
    subscriptionId,
    userId: `u${subscriptionId}`,
    pvId: 3,
    pvName: 'LAB1:TEMP',
    limit: 'MAX',
    limitValue: 100,
    value,
    peak: value,
    at: new Date(T0 + s * 1000),
  };
}

describe('PvAlarmsService (threshold episodes → PV PV_OUT_OF_BAND)', () => {
  let signals: RecordingAlarmSignals;
  let listener: (change: PvThresholdEpisodes) => Promise<void>;
  const change = (openBefore: number, events: PvThresholdEvent[]) =>
    listener({ pvId: 3, pvName: 'LAB1:TEMP', experimentName: 'LAB1', openBefore, openAfter: 0, events });

  beforeEach(async () => {
    const recording = await recordingConditions();
    signals = recording.signals;
    const episodes = { onEpisodes: (l: typeof listener) => (listener = l) } as unknown as PvThresholdEpisodesService;
    new PvAlarmsService(episodes, recording.conditions);
  });

  it('raises on the PV with its experiment when an episode starts, and clears when it ends', async () => {
    await change(0, [event('STARTED', 1, 5, 123.4), event('ENDED', 1, 9)]);
    expect(signals.signals).toEqual([
      {
        op: 'raise',
        type: PV_OUT_OF_BAND,
        key: 'PV:3',
        at: iso(5),
        severity: 'MAJOR',
        message: 'PV_OUT_OF_BAND source=LAB1:TEMP value=123.4 experiment=LAB1 detail=above 100',
        value: 123.4,
        experiment: 'LAB1',
      },
      { op: 'clear', type: PV_OUT_OF_BAND, key: 'PV:3', at: iso(9) },
    ]);
  });

  it('stays active while any subscription has an episode open, across subscriptions listed one after the other', async () => {
    // Subscription 1: 5–20; subscription 2: 10–30. Out of band from 5 to 30.
    await change(0, [event('STARTED', 1, 5), event('ENDED', 1, 20), event('STARTED', 2, 10), event('ENDED', 2, 30)]);
    expect(signals.signals.map((s) => [s.op, s.at])).toEqual([
      ['raise', iso(5)],
      ['clear', iso(30)],
    ]);
  });

  it('does not clear when an episode ends and another starts at the same value (beyond the other limit)', async () => {
    await change(1, [event('ENDED', 1, 5), event('STARTED', 1, 5)]);
    expect(signals.signals).toEqual([]);
  });

  it('an episode open before the batch ending clears', async () => {
    await change(1, [event('ENDED', 1, 7)]);
    expect(signals.signals.map((s) => [s.op, s.at])).toEqual([['clear', iso(7)]]);
  });
});
