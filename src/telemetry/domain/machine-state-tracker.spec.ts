import { SEEDED_STATE_BANDS } from './seeded-state-bands.fixture.js';
import { describe, expect, it } from '@jest/globals';
import {
  advance,
  EMPTY_TRACK,
  timelineWrites,
  type ActiveStandard,
  type MachineTrack,
  type TrackRules,
} from './machine-state-tracker.js';

const BANDS = SEEDED_STATE_BANDS;
const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const at = (s: number) => new Date(T0 + s * 1000);
const r = (s: number, current: number, voltage: number) => ({ ts: at(s), current, voltage });
const SHIFT_1: ActiveStandard = {
  shiftId: 1,
  band: { currentMin: 180, currentMax: 270, voltageMin: 15, voltageMax: 35 },
};

function rules(standardAt: TrackRules['standardAt'] = () => null): TrackRules {
  return { bands: BANDS, standardAt, maxGapMs: 300_000 };
}

describe('segments', () => {
  it('opens a segment at the first reading and extends it while the state holds', () => {
    const sut = advance(EMPTY_TRACK, [r(0, 0, 0), r(1, 0, 0), r(2, 1, 1)], rules());
    expect(sut.track.segment).toEqual({ state: 'OFF', startedAt: at(0), endedAt: null, lastSampleAt: at(2) });
    expect(sut.closedSegments).toEqual([]);
    expect(sut.events).toEqual([{ state: 'OFF', previousState: null, since: at(0), alert: false, at: at(0) }]);
  });

  it('closes a segment at the change instant and opens the next there', () => {
    const sut = advance(EMPTY_TRACK, [r(0, 0, 0), r(1, 0, 0), r(2, 40, 15), r(3, 200, 25), r(4, 210, 25)], rules());
    expect(sut.closedSegments).toEqual([
      { state: 'OFF', startedAt: at(0), endedAt: at(2), lastSampleAt: at(1) },
      { state: 'IDLE', startedAt: at(2), endedAt: at(3), lastSampleAt: at(2) },
    ]);
    expect(sut.track.segment).toEqual({ state: 'PRODUCTION', startedAt: at(3), endedAt: null, lastSampleAt: at(4) });
    expect(sut.events.map((e) => [e.previousState, e.state, e.since])).toEqual([
      [null, 'OFF', at(0)],
      ['OFF', 'IDLE', at(2)],
      ['IDLE', 'PRODUCTION', at(3)],
    ]);
  });

  it('ignores a reading not newer than the last one: late samples cannot rewrite the timeline', () => {
    const first = advance(EMPTY_TRACK, [r(10, 200, 25), r(11, 200, 25)], rules());
    const late = advance(first.track, [r(5, 0, 0), r(11, 0, 0), r(12, 200, 25)], rules());
    expect(late.ignored).toBe(2);
    expect(late.closedSegments).toEqual([]);
    expect(late.track.segment).toEqual({ state: 'PRODUCTION', startedAt: at(10), endedAt: null, lastSampleAt: at(12) });
    expect(late.events).toEqual([]);
  });

  it('sorts the readings of a batch by time', () => {
    const sut = advance(EMPTY_TRACK, [r(2, 200, 25), r(0, 0, 0), r(1, 0, 0)], rules());
    expect(sut.closedSegments).toEqual([{ state: 'OFF', startedAt: at(0), endedAt: at(2), lastSampleAt: at(1) }]);
    expect(sut.ignored).toBe(0);
  });

  it('ends the open segment at its last reading after a silence longer than the gap', () => {
    const first = advance(EMPTY_TRACK, [r(0, 200, 25), r(1, 200, 25)], rules());
    const sut = advance(first.track, [r(1 + 301, 200, 25)], rules());
    expect(sut.closedSegments).toEqual([
      { state: 'PRODUCTION', startedAt: at(0), endedAt: at(1), lastSampleAt: at(1) },
    ]);
    expect(sut.track.segment).toEqual({
      state: 'PRODUCTION',
      startedAt: at(302),
      endedAt: null,
      lastSampleAt: at(302),
    });
    // The same state again: nothing to announce.
    expect(sut.events).toEqual([]);
  });
});

describe('out-of-standard episodes', () => {
  const inShift = () => SHIFT_1;

  it('starts at the first reading out of standard, ends at the first back in, with the peaks', () => {
    const sut = advance(
      EMPTY_TRACK,
      [r(0, 200, 25), r(1, 300, 25), r(2, 320, 30), r(3, 290, 38), r(4, 200, 25), r(5, 210, 25)],
      rules(inShift),
    );
    expect(sut.closedEpisodes).toEqual([
      {
        shiftId: 1,
        startedAt: at(1),
        endedAt: at(4),
        lastSampleAt: at(3),
        peakCurrent: 320,
        peakVoltage: 38,
        sampleCount: 3,
      },
    ]);
    expect(sut.track.episode).toBeNull();
    expect(sut.events.map((e) => [e.state, e.alert, e.at])).toEqual([
      ['PRODUCTION', false, at(0)],
      ['PRODUCTION', true, at(1)],
      ['PRODUCTION', false, at(4)],
    ]);
  });

  it('keeps an episode open across batches', () => {
    const first = advance(EMPTY_TRACK, [r(0, 300, 25)], rules(inShift));
    const second = advance(first.track, [r(1, 350, 20), r(2, 310, 20)], rules(inShift));
    expect(second.track.episode).toMatchObject({ startedAt: at(0), peakCurrent: 350, sampleCount: 3, endedAt: null });
    expect(second.events).toEqual([]);
  });

  it('raises nothing without an active shift, nor while the machine is off', () => {
    expect(advance(EMPTY_TRACK, [r(0, 400, 50)], rules()).track.episode).toBeNull();
    const sut = advance(EMPTY_TRACK, [r(0, 300, 25), r(1, 0, 0)], rules(inShift));
    expect(sut.closedEpisodes).toHaveLength(1);
    expect(sut.closedEpisodes[0].endedAt).toEqual(at(1));
    expect(sut.events.at(-1)).toEqual({
      state: 'OFF',
      previousState: 'PRODUCTION',
      since: at(1),
      alert: false,
      at: at(1),
    });
  });

  it('ends an episode when the shift ends, and starts another in the next shift', () => {
    const standardAt = (ts: Date) => (ts < at(2) ? SHIFT_1 : ts < at(4) ? null : { ...SHIFT_1, shiftId: 2 });
    const sut = advance(EMPTY_TRACK, [r(0, 300, 25), r(1, 300, 25), r(2, 300, 25), r(4, 300, 25)], rules(standardAt));
    expect(sut.closedEpisodes).toEqual([expect.objectContaining({ shiftId: 1, startedAt: at(0), endedAt: at(2) })]);
    expect(sut.track.episode).toMatchObject({ shiftId: 2, startedAt: at(4) });
  });

  it('splits an episode at a shift boundary even when the next shift follows at once', () => {
    const standardAt = (ts: Date) => (ts < at(2) ? SHIFT_1 : { ...SHIFT_1, shiftId: 2 });
    const sut = advance(EMPTY_TRACK, [r(0, 300, 25), r(2, 300, 25)], rules(standardAt));
    expect(sut.closedEpisodes).toEqual([expect.objectContaining({ shiftId: 1, endedAt: at(2) })]);
    expect(sut.track.episode).toMatchObject({ shiftId: 2, startedAt: at(2) });
    // The flag stays up: no event for the switch.
    expect(sut.events.filter((e) => e.at.getTime() === at(2).getTime())).toEqual([]);
  });

  it('raises nothing while idle, even outside the standard of the shift', () => {
    const sut = advance(EMPTY_TRACK, [r(0, 40, 15), r(1, 20, 12), r(2, 60, 40)], rules(inShift));
    expect(sut.track.episode).toBeNull();
    expect(sut.closedEpisodes).toEqual([]);
    expect(sut.events).toEqual([{ state: 'IDLE', previousState: null, since: at(0), alert: false, at: at(0) }]);
  });

  it('ends an episode at the reading where the machine leaves PRODUCTION', () => {
    const sut = advance(EMPTY_TRACK, [r(0, 300, 25), r(1, 310, 25), r(2, 40, 15), r(3, 40, 15)], rules(inShift));
    expect(sut.closedEpisodes).toEqual([
      {
        shiftId: 1,
        startedAt: at(0),
        endedAt: at(2),
        lastSampleAt: at(1),
        peakCurrent: 310,
        peakVoltage: 25,
        sampleCount: 2,
      },
    ]);
    expect(sut.track.episode).toBeNull();
    expect(sut.events.map((e) => [e.state, e.alert, e.at])).toEqual([
      ['PRODUCTION', true, at(0)],
      ['IDLE', false, at(2)],
    ]);
  });

  it('announces a state change and an alert flip of the same reading once', () => {
    const sut = advance(EMPTY_TRACK, [r(0, 40, 15), r(1, 300, 25)], rules(inShift));
    expect(sut.events).toEqual([
      { state: 'IDLE', previousState: null, since: at(0), alert: false, at: at(0) },
      { state: 'PRODUCTION', previousState: 'IDLE', since: at(1), alert: true, at: at(1) },
    ]);
  });
});

describe('timeline writes', () => {
  it('updates the open segment and episode in place and inserts the new ones', () => {
    const before: MachineTrack = advance(
      EMPTY_TRACK,
      [r(0, 200, 25), r(1, 300, 25)],
      rules(() => SHIFT_1),
    ).track;
    // 40 A at +4 is idle: below the standard, but no episode; 300 A at +5 is welding: one.
    const outcome = advance(
      before,
      [r(2, 310, 25), r(3, 0, 0), r(4, 40, 15), r(5, 300, 25)],
      rules(() => SHIFT_1),
    );
    const sut = timelineWrites(before, outcome);
    expect(sut.updatedSegment).toEqual({ state: 'PRODUCTION', startedAt: at(0), endedAt: at(3), lastSampleAt: at(2) });
    expect(sut.newSegments).toEqual([
      { state: 'OFF', startedAt: at(3), endedAt: at(4), lastSampleAt: at(3) },
      { state: 'IDLE', startedAt: at(4), endedAt: at(5), lastSampleAt: at(4) },
      { state: 'PRODUCTION', startedAt: at(5), endedAt: null, lastSampleAt: at(5) },
    ]);
    expect(sut.updatedEpisode).toMatchObject({ startedAt: at(1), endedAt: at(3), peakCurrent: 310, sampleCount: 2 });
    expect(sut.newEpisodes).toEqual([
      expect.objectContaining({ startedAt: at(5), endedAt: null, lastSampleAt: at(5), sampleCount: 1 }),
    ]);
  });

  it('writes nothing when every reading was ignored', () => {
    const before = advance(EMPTY_TRACK, [r(5, 200, 25)], rules()).track;
    const sut = timelineWrites(before, advance(before, [r(1, 0, 0)], rules()));
    expect(sut).toEqual({ updatedSegment: null, newSegments: [], updatedEpisode: null, newEpisodes: [] });
  });

  it('inserts everything for a machine seen for the first time', () => {
    const outcome = advance(EMPTY_TRACK, [r(0, 0, 0), r(1, 200, 25)], rules());
    const sut = timelineWrites(EMPTY_TRACK, outcome);
    expect(sut.updatedSegment).toBeNull();
    expect(sut.newSegments.map((s) => [s.state, s.endedAt])).toEqual([
      ['OFF', at(1)],
      ['PRODUCTION', null],
    ]);
  });
});
