import { describe, expect, it } from '@jest/globals';
import { accessSignals, BOARD_OFFLINE, MAINTENANCE_OVERDUE, type Signalled } from './access-alarms.service.js';

const T0 = Date.UTC(2026, 11, 4, 11);
const at = (s: number) => new Date(T0 + s * 1000);
const OFFLINE_AFTER_MS = 120_000;

function status(fields: { online: boolean; lastSeen: number | null; due?: boolean }) {
  return {
    online: fields.online,
    lastSeenAt: fields.lastSeen === null ? null : at(fields.lastSeen),
    maintenanceDue: fields.due ?? false,
    maintenanceMessage: fields.due ? 'Change the nozzle' : '',
  };
}
const rules = (now: number, owner = true) => ({ now: at(now), offlineAfterMs: OFFLINE_AFTER_MS, owner });
const brief = (signals: ReturnType<typeof accessSignals>) =>
  signals.map((s) => `${s.raise ? '+' : '-'}${s.type}@${(s.at.getTime() - T0) / 1000}`);

describe('accessSignals (status board → BOARD_OFFLINE, MAINTENANCE_OVERDUE)', () => {
  it('raises a silent board once its delay has passed, at the instant it became due, whoever looks', () => {
    const signalled: Signalled = { maintenanceDue: false, offlineFor: null };
    expect(brief(accessSignals(status({ online: false, lastSeen: 0 }), signalled, rules(100)))).toEqual([]);
    expect(brief(accessSignals(status({ online: false, lastSeen: 0 }), signalled, rules(130)))).toEqual([
      `+${BOARD_OFFLINE}@120`,
    ]);
    expect(brief(accessSignals(status({ online: false, lastSeen: 0 }), signalled, rules(140)))).toEqual([]);
    // Another replica that never saw the board online signals the same instant (raising it again changes nothing).
    expect(brief(accessSignals(status({ online: false, lastSeen: 0 }), {}, rules(150, false)))).toEqual([
      `+${BOARD_OFFLINE}@120`,
    ]);
  });

  it("clears at the board's next message", () => {
    const signalled: Signalled = { maintenanceDue: false, offlineFor: T0 };
    expect(brief(accessSignals(status({ online: true, lastSeen: 300 }), signalled, rules(301)))).toEqual([
      `-${BOARD_OFFLINE}@300`,
    ]);
    expect(brief(accessSignals(status({ online: true, lastSeen: 310 }), signalled, rules(311)))).toEqual([]);
  });

  it('after a start, clears what an earlier run may have left open, once', () => {
    const signalled: Signalled = {};
    expect(brief(accessSignals(status({ online: true, lastSeen: 5 }), signalled, rules(6)))).toEqual([
      `-${MAINTENANCE_OVERDUE}@6`,
      `-${BOARD_OFFLINE}@5`,
    ]);
    expect(brief(accessSignals(status({ online: true, lastSeen: 9 }), signalled, rules(10)))).toEqual([]);
  });

  it('a machine whose board was never seen raises nothing about its board', () => {
    expect(
      brief(accessSignals(status({ online: false, lastSeen: null }), { maintenanceDue: false }, rules(999))),
    ).toEqual([]);
  });

  it('maintenance overdue is raised and cleared by the owning replica only, the others just follow', () => {
    const owner: Signalled = { maintenanceDue: false, offlineFor: null };
    const other: Signalled = { maintenanceDue: false, offlineFor: null };
    const due = status({ online: true, lastSeen: 0, due: true });
    expect(accessSignals(due, owner, rules(50))).toEqual([
      { raise: true, type: MAINTENANCE_OVERDUE, at: at(50), detail: 'Change the nozzle' },
    ]);
    expect(accessSignals(due, other, rules(50, false))).toEqual([]);
    expect(other.maintenanceDue).toBe(true);
    expect(brief(accessSignals(status({ online: true, lastSeen: 0 }), owner, rules(70)))).toEqual([
      `-${MAINTENANCE_OVERDUE}@70`,
    ]);
  });
});
