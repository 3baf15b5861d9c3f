import { describe, expect, it } from '@jest/globals';
import {
  closeAtLastHeartbeat,
  decideHeartbeat,
  decideStart,
  decideStop,
  isOrphaned,
  ORPHAN_AFTER_MS,
  REPLAYED_START_WINDOW_MS,
  type Use,
} from './use.js';

const T0 = new Date('2026-11-21T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

function use(overrides: Partial<Use> = {}): Use {
  return {
    id: '1',
    machineId: 7,
    userId: 'ada',
    startedAt: T0,
    lastSeenAt: T0,
    endedAt: null,
    countedSeconds: null,
    reportedDurationSeconds: null,
    replay: false,
    origin: 'board',
    closeReason: null,
    anonymized: false,
    createdAt: T0,
    ...overrides,
  };
}

describe('startuse', () => {
  it('opens a use now on a free machine', () => {
    const decision = decideStart(null, 7, 'ada', at(5), false);
    expect(decision).toMatchObject({
      kind: 'open',
      close: null,
      open: { startedAt: at(5), endedAt: null, userId: 'ada' },
    });
  });

  it("keeps the same user's use opened moments ago (a replayed start)", () => {
    const open = use();
    expect(decideStart(open, 7, 'ada', at(47), true)).toEqual({ kind: 'keep', use: open });
  });

  it('closes an older open use at its last heartbeat before opening the new one (missed stop)', () => {
    const open = use({ lastSeenAt: at(600) });
    const decision = decideStart(open, 7, 'ada', at(REPLAYED_START_WINDOW_MS / 1000 + 60), false);
    expect(decision).toMatchObject({
      kind: 'open',
      close: { useId: '1', endedAt: at(600), countedSeconds: 600, reason: 'superseded' },
    });
  });

  it("closes another user's open use even when it started moments ago", () => {
    const decision = decideStart(use({ lastSeenAt: at(10) }), 7, 'bob', at(20), false);
    expect(decision).toMatchObject({ kind: 'open', close: { countedSeconds: 10 }, open: { userId: 'bob' } });
  });
});

describe('inuse', () => {
  it('refreshes the open use and never moves its last heartbeat back', () => {
    expect(decideHeartbeat(use({ lastSeenAt: at(60) }), 7, 'ada', 60, at(90))).toEqual({
      kind: 'refresh',
      useId: '1',
      lastSeenAt: at(90),
    });
    expect(decideHeartbeat(use({ lastSeenAt: at(60) }), 7, 'ada', 30, at(30))).toMatchObject({ lastSeenAt: at(60) });
  });

  it('recovers a missed start: a use that began duration seconds ago', () => {
    expect(decideHeartbeat(null, 7, 'ada', 120, at(300))).toMatchObject({
      kind: 'open',
      open: { startedAt: at(180), lastSeenAt: at(300), endedAt: null },
    });
  });

  it('refuses a duration outside 0..86400 or not whole', () => {
    for (const duration of [-1, 86_401, 1.5, Number.NaN])
      expect(decideHeartbeat(null, 7, 'ada', duration, T0).kind).toBe('refused');
  });
});

describe('stopuse', () => {
  it('closes the open use at start + duration and counts the duration', () => {
    expect(decideStop(use(), use(), 7, 'ada', 45, at(50), false)).toMatchObject({
      kind: 'close',
      close: { endedAt: at(45), countedSeconds: 45, reportedDurationSeconds: 45, reason: 'stop', lastSeenAt: at(50) },
      addSeconds: 45,
    });
  });

  it("closes the open use whoever's card is in the message", () => {
    expect(decideStop(use({ userId: 'ada' }), null, 7, 'bob', 30, at(30), false).kind).toBe('close');
  });

  it('counts a duration out of range as 1 s', () => {
    expect(decideStop(use(), null, 7, 'ada', 100_000, at(10), false)).toMatchObject({
      addSeconds: 1,
      close: { endedAt: at(1) },
    });
  });

  it('records a closed use that ended now when nothing is open', () => {
    expect(decideStop(null, null, 7, 'ada', 45, at(100), false)).toMatchObject({
      kind: 'record',
      open: { startedAt: at(55), endedAt: at(100), countedSeconds: 45, closeReason: 'stop' },
      addSeconds: 45,
    });
  });

  const closedByStop = use({
    endedAt: at(45),
    lastSeenAt: at(45),
    countedSeconds: 45,
    reportedDurationSeconds: 45,
    closeReason: 'stop',
  });

  it('recognises a replayed stop, however late, as the same stop', () => {
    expect(decideStop(null, closedByStop, 7, 'ada', 45, at(3600), true)).toEqual({
      kind: 'duplicate',
      use: closedByStop,
    });
  });

  it('recognises a redelivered live stop that overlaps the use it closed', () => {
    expect(decideStop(null, closedByStop, 7, 'ada', 45, at(46), false).kind).toBe('duplicate');
  });

  it('records a later live stop of the same length as a new use (a missed start)', () => {
    expect(decideStop(null, closedByStop, 7, 'ada', 45, at(600), false).kind).toBe('record');
  });

  it('records a stop of another user or another duration as its own use', () => {
    expect(decideStop(null, closedByStop, 7, 'bob', 45, at(46), true).kind).toBe('record');
    expect(decideStop(null, closedByStop, 7, 'ada', 44, at(46), true).kind).toBe('record');
  });

  it("corrects a use the orphan rule closed when the board's stop finally arrives", () => {
    const orphaned = use({ endedAt: at(600), lastSeenAt: at(600), countedSeconds: 600, closeReason: 'orphaned' });
    expect(decideStop(null, orphaned, 7, 'ada', 630, at(7200), true)).toMatchObject({
      kind: 'correct',
      close: { useId: '1', endedAt: at(630), countedSeconds: 630, reason: 'stop' },
      addSeconds: 30,
    });
  });
});

describe('orphans', () => {
  it('are open uses silent for more than an hour, closed at their last heartbeat', () => {
    const open = use({ lastSeenAt: at(120) });
    expect(isOrphaned(open, at(120 + ORPHAN_AFTER_MS / 1000))).toBe(false);
    expect(isOrphaned(open, at(121 + ORPHAN_AFTER_MS / 1000))).toBe(true);
    expect(isOrphaned(use({ endedAt: at(5) }), at(99_999))).toBe(false);
    expect(closeAtLastHeartbeat(open, 'orphaned')).toMatchObject({
      endedAt: at(120),
      countedSeconds: 120,
      reason: 'orphaned',
    });
  });
});
