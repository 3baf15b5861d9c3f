import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ACCESS_STATUS_CHANGED, type AccessStatusChangedEvent } from '../../src/access/application/access-events.js';
import { OrphanedUsesService } from '../../src/access/application/orphaned-uses.service.js';
import { UseSessionsService } from '../../src/access/application/use-sessions.service.js';
import { PubSub } from '../../src/shared/pubsub/pub-sub.js';
import { startTestApp, type TestApp } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';
import { AccessFixtures, type Holder } from './access-fixtures.js';
import { firmware, machineCodes, TestBoard } from './test-board.js';

interface UseRow {
  id: string;
  user_id: string | null;
  started_at: Date;
  last_seen_at: Date;
  ended_at: Date | null;
  counted_seconds: number | null;
  reported_duration_seconds: number | null;
  replay: boolean;
  close_reason: string | null;
}

/**
 * Uses as boards open, refresh and close them (PROTOCOLS.md section B), robust to lost and
 * replayed messages, and the machine hours they add: played over the real broker like a
 * board, checked in the database.
 */
describe('FAB-O-MATIC uses from board messages', () => {
  let t: TestApp;
  let fx: AccessFixtures;
  let openType: number;
  const nextCode = machineCodes();
  const boards: TestBoard[] = [];

  async function machineWithBoard() {
    const code = nextCode();
    const id = await fx.machine(code, { machineTypeId: openType });
    const board = await TestBoard.open(t, code);
    boards.push(board);
    return { id, board };
  }

  const uses = (machineId: number) =>
    t.db.query<UseRow>(
      `SELECT id, user_id, started_at, last_seen_at, ended_at, counted_seconds, reported_duration_seconds, replay, close_reason
         FROM access_uses WHERE machine_id = $1 ORDER BY started_at, id`,
      [machineId],
    );
  const hours = async (machineId: number) =>
    Number(
      (await t.db.query<{ s: string }>('SELECT usage_seconds AS s FROM machines WHERE id = $1', [machineId]))[0].s,
    );
  /** Machine hours are exactly the seconds its closed uses counted. */
  async function expectHoursMatchUses(machineId: number): Promise<number> {
    const counted = (await uses(machineId)).reduce((sum, u) => sum + (u.counted_seconds ?? 0), 0);
    expect(await hours(machineId)).toBe(counted);
    return counted;
  }
  const seconds = (from: Date, to: Date) => (to.getTime() - from.getTime()) / 1000;

  let member: Holder;
  let other: Holder;

  beforeAll(async () => {
    t = await startTestApp();
    fx = new AccessFixtures(t, await t.login());
    openType = await fx.machineType({ autoLogoffMinutes: 60, graceMinutes: 1, needsAuthorization: false });
    member = await fx.holder(['member'], { name: 'Ugo' });
    other = await fx.holder(['member'], { name: 'Eva' });
  });

  afterAll(async () => {
    await Promise.all(boards.map((b) => b.close()));
    await t?.close();
  });

  it('start, heartbeat, stop: one use ending at start + the board duration, counted once in the machine hours', async () => {
    const { id, board: b } = await machineWithBoard();
    const events = t.app.get(PubSub).subscribe<AccessStatusChangedEvent>(ACCESS_STATUS_CHANGED);
    const seen: number[] = [];
    void (async () => {
      for await (const event of events) seen.push(event.machineId);
    })();
    try {
      expect(await b.request(firmware.startuse(member.card))).toEqual({ request_ok: true, message: '' });
      await waitFor(() => seen.includes(id), { what: 'a status event for the opened use' });
      const [opened] = await uses(id);
      expect(opened).toMatchObject({ user_id: member.id, ended_at: null, replay: false });

      expect(await b.request(firmware.inuse(member.card, 30))).toEqual({ request_ok: true, message: 'inUse' });
      const [refreshed] = await uses(id);
      expect(refreshed.last_seen_at.getTime()).toBeGreaterThanOrEqual(opened.last_seen_at.getTime());
      expect(refreshed.started_at).toEqual(opened.started_at);

      seen.length = 0;
      expect(await b.request(firmware.stopuse(member.card, 45))).toEqual({
        request_ok: true,
        message: 'Duration 45 seconds',
      });
      await waitFor(() => seen.includes(id), { what: 'a status event for the closed use' });
    } finally {
      await events.return?.();
    }
    const [closed] = await uses(id);
    expect(closed).toMatchObject({ counted_seconds: 45, reported_duration_seconds: 45, close_reason: 'stop' });
    expect(seconds(closed.started_at, closed.ended_at!)).toBe(45);
    expect(await expectHoursMatchUses(id)).toBe(45);
    await b.expectNothingElse();
  });

  it('missed start: a heartbeat with no open use opens one that started `duration` seconds ago', async () => {
    const { id, board: b } = await machineWithBoard();
    const before = Date.now();
    expect(await b.request(firmware.inuse(member.card, 600))).toEqual({ request_ok: true, message: 'inUse' });
    const [use] = await uses(id);
    expect(use).toMatchObject({ user_id: member.id, ended_at: null });
    const startedAgo = (before - use.started_at.getTime()) / 1000;
    expect(startedAgo).toBeGreaterThan(598);
    expect(startedAgo).toBeLessThan(602);
    expect(await b.request(firmware.stopuse(member.card, 630))).toMatchObject({ message: 'Duration 630 seconds' });
    expect(await uses(id)).toHaveLength(1);
    expect(await expectHoursMatchUses(id)).toBe(630);
    await b.expectNothingElse();
  });

  it('missed stop: the next start closes the open use at its last heartbeat and counts what it saw', async () => {
    const { id, board: b } = await machineWithBoard();
    await b.request(firmware.startuse(member.card));
    // The board rebooted after a heartbeat two minutes ago; its stop never came.
    await t.db.query(
      `UPDATE access_uses SET started_at = now() - interval '10 minutes', last_seen_at = now() - interval '2 minutes'
        WHERE machine_id = $1`,
      [id],
    );
    expect(await b.request(firmware.startuse(other.card))).toEqual({ request_ok: true, message: '' });
    const [missed, current] = await uses(id);
    expect(missed).toMatchObject({ user_id: member.id, close_reason: 'superseded', counted_seconds: 480 });
    expect(missed.ended_at).toEqual(missed.last_seen_at);
    expect(current).toMatchObject({ user_id: other.id, ended_at: null });
    expect(await expectHoursMatchUses(id)).toBe(480);
    await b.expectNothingElse();
  });

  it('a duplicate or replayed start keeps the use it opened', async () => {
    const { id, board: b } = await machineWithBoard();
    expect(await b.request(firmware.startuse(member.card))).toEqual({ request_ok: true, message: '' });
    expect(await b.request(firmware.startuse(member.card))).toEqual({ request_ok: true, message: '' });
    expect(await b.request(firmware.startuse(member.card, true))).toEqual({ request_ok: true, message: '' });
    const rows = await uses(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ ended_at: null, replay: false });
    expect(await hours(id)).toBe(0);
    await b.expectNothingElse();
  });

  it('a start replayed after an outage opens its use with the replay flag', async () => {
    const { id, board: b } = await machineWithBoard();
    expect(await b.request(firmware.startuse(member.card, true))).toEqual({ request_ok: true, message: '' });
    expect(await uses(id)).toMatchObject([{ replay: true, ended_at: null }]);
  });

  it('a duplicate or replayed stop changes nothing and still hears request_ok true', async () => {
    const { id, board: b } = await machineWithBoard();
    await b.request(firmware.startuse(member.card));
    const stopped = { request_ok: true, message: 'Duration 45 seconds' };
    expect(await b.request(firmware.stopuse(member.card, 45))).toEqual(stopped);
    // The same stop redelivered at once, then replayed from the board's buffer.
    expect(await b.request(firmware.stopuse(member.card, 45))).toEqual(stopped);
    expect(await b.request(firmware.stopuse(member.card, 45, true))).toEqual(stopped);
    expect(await uses(id)).toHaveLength(1);
    expect(await expectHoursMatchUses(id)).toBe(45);
    await b.expectNothingElse();
  });

  it('a stop with no open use records a closed use once, even when replayed', async () => {
    const { id, board: b } = await machineWithBoard();
    const before = Date.now();
    expect(await b.request(firmware.stopuse(member.card, 30))).toEqual({
      request_ok: true,
      message: 'Duration 30 seconds',
    });
    expect(await b.request(firmware.stopuse(member.card, 30, true))).toEqual({
      request_ok: true,
      message: 'Duration 30 seconds',
    });
    const rows = await uses(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ user_id: member.id, counted_seconds: 30, close_reason: 'stop' });
    expect(seconds(rows[0].started_at, rows[0].ended_at!)).toBe(30);
    expect(rows[0].ended_at!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(await expectHoursMatchUses(id)).toBe(30);
    await b.expectNothingElse();
  });

  it("a stop from another card closes the machine's open use, whose owner stays", async () => {
    const { id, board: b } = await machineWithBoard();
    await b.request(firmware.startuse(member.card));
    expect(await b.request(firmware.stopuse(other.card, 12))).toEqual({
      request_ok: true,
      message: 'Duration 12 seconds',
    });
    const rows = await uses(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ user_id: member.id, counted_seconds: 12, close_reason: 'stop' });
    expect(await expectHoursMatchUses(id)).toBe(12);
  });

  it('durations out of 0..86400: a heartbeat is refused and changes nothing; a stop counts 1 s', async () => {
    const { id, board: b } = await machineWithBoard();
    const refused = { request_ok: false, message: 'inUse' };
    expect(await b.request(firmware.inuse(member.card, -5))).toEqual(refused);
    expect(await b.request(firmware.inuse(member.card, 86401))).toEqual(refused);
    expect(await uses(id)).toEqual([]);

    await b.request(firmware.startuse(member.card));
    const [open] = await uses(id);
    expect(await b.request(firmware.inuse(member.card, 90000))).toEqual(refused);
    expect((await uses(id))[0].last_seen_at).toEqual(open.last_seen_at);

    expect(await b.request(firmware.stopuse(member.card, 90000))).toEqual({
      request_ok: true,
      message: 'Duration 1 seconds',
    });
    expect(await uses(id)).toMatchObject([{ counted_seconds: 1, reported_duration_seconds: 1 }]);
    expect(await expectHoursMatchUses(id)).toBe(1);
    await b.expectNothingElse();
  });

  it('orphans: uses silent for an hour close at their last heartbeat, only those, counted once', async () => {
    const silent = await machineWithBoard();
    const active = await machineWithBoard();
    await silent.board.request(firmware.startuse(member.card));
    await active.board.request(firmware.startuse(other.card));
    await t.db.query(
      `UPDATE access_uses SET started_at = now() - interval '3 hours', last_seen_at = now() - interval '61 minutes'
        WHERE machine_id = $1`,
      [silent.id],
    );
    await t.db.query(
      `UPDATE access_uses SET started_at = now() - interval '50 minutes', last_seen_at = now() - interval '59 minutes' + interval '1 minute'
        WHERE machine_id = $1`,
      [active.id],
    );

    // Two replicas' passes at once, then another one: the use closes once.
    const sessions = t.app.get(UseSessionsService);
    const now = new Date();
    const passes = await Promise.all([sessions.closeOrphans(now), sessions.closeOrphans(now)]);
    expect(passes.flat().filter((machineId) => machineId === silent.id)).toHaveLength(1);
    expect(await t.app.get(OrphanedUsesService).run()).not.toContain(silent.id);

    const [orphan] = await uses(silent.id);
    expect(orphan).toMatchObject({ close_reason: 'orphaned', counted_seconds: 7140 });
    expect(orphan.ended_at).toEqual(orphan.last_seen_at);
    expect(await expectHoursMatchUses(silent.id)).toBe(7140);
    expect(await uses(active.id)).toMatchObject([{ ended_at: null }]);
    expect(await hours(active.id)).toBe(0);
  });

  it('a stop arriving after its use was closed as an orphan corrects it to the board duration', async () => {
    const { id, board: b } = await machineWithBoard();
    await b.request(firmware.startuse(member.card));
    await t.db.query(
      `UPDATE access_uses SET started_at = now() - interval '2 hours', last_seen_at = now() - interval '90 minutes'
        WHERE machine_id = $1`,
      [id],
    );
    await t.app.get(UseSessionsService).closeOrphans(new Date());
    expect(await expectHoursMatchUses(id)).toBe(1800);
    expect(await b.request(firmware.stopuse(member.card, 2000, true))).toEqual({
      request_ok: true,
      message: 'Duration 2000 seconds',
    });
    expect(await uses(id)).toMatchObject([{ counted_seconds: 2000, close_reason: 'stop' }]);
    expect(await expectHoursMatchUses(id)).toBe(2000);
  });
});
