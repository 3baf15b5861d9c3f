import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AccessStatusService } from '../../src/access/application/access-status.service.js';
import { collect, startTestApp, type TestApp } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';
import { AccessFixtures } from './access-fixtures.js';
import { firmware, machineCodes, TestBoard } from './test-board.js';

const STATUS_CHANGED = `subscription($c: [String!]) {
  machineAccessStatusChanged(machineCodes: $c) { machine { code } status user { displayName } online } }`;

/**
 * The status board as a dashboard sees it: a graphql-ws subscriber follows a machine while a
 * real board (over the broker) comes online, opens a use and closes it.
 */
describe('live access status driven by a board', () => {
  let t: TestApp;
  let admin: string;
  let fx: AccessFixtures;
  const nextCode = machineCodes();

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.login();
    fx = new AccessFixtures(t, admin);
  });
  afterAll(() => t?.close());

  it('goes FREE when the board is first heard, IN_USE (by whom) at startuse, FREE again at stopuse', async () => {
    const type = await fx.machineType({ autoLogoffMinutes: 30, graceMinutes: 1, needsAuthorization: false });
    const code = nextCode();
    await fx.machine(code, { machineTypeId: type });
    const ugo = await fx.holder(['member'], { name: 'Ugo' });
    const board = await TestBoard.open(t, code);
    const subscription = collect(t.wsClient(admin), STATUS_CHANGED, { c: [code] });
    const statuses = () =>
      subscription.events.map((e) => {
        const s = e.data!.machineAccessStatusChanged;
        return `${s.status}${s.user ? `:${s.user.displayName}` : ''}`;
      });
    try {
      // Until the subscription provably listens, flip the machine between seen and silent in
      // the database and let the periodic check notice; then leave it silent (OFFLINE).
      const status = t.app.get(AccessStatusService);
      const lastSeen = (secondsAgo: number | null) =>
        t.db.query(`UPDATE machines SET last_seen_at = now() - $2 * interval '1 second' WHERE code = $1`, [
          code,
          secondsAgo,
        ]);
      let silent = false;
      await waitFor(
        async () => {
          if (subscription.events.length) return true;
          silent = !silent;
          await lastSeen(silent ? 120 : 0);
          await status.checkAll();
          return false;
        },
        { intervalMs: 100, what: 'a first status event' },
      );
      await lastSeen(null);
      await status.checkAll();
      await waitFor(() => statuses().at(-1) === 'OFFLINE', { what: 'OFFLINE before the board speaks' });
      const offline = subscription.events.length;

      // The board's first request: the machine is online and free.
      expect(await board.request(firmware.checkmachine())).toMatchObject({ is_valid: true, allowed: true });
      await waitFor(() => statuses().length > offline, { what: 'FREE once the board is heard' });
      expect(statuses().slice(offline)).toEqual(['FREE']);
      expect(subscription.events.at(-1)!.data!.machineAccessStatusChanged).toMatchObject({
        machine: { code },
        online: true,
      });
      const heard = subscription.events.length;

      expect(await board.request(firmware.checkuser(ugo.card))).toMatchObject({ is_valid: true, level: 1 });
      expect(await board.request(firmware.startuse(ugo.card))).toEqual({ request_ok: true, message: '' });
      await waitFor(() => statuses().length > heard, { what: 'IN_USE after startuse' });
      expect(statuses().slice(heard)).toEqual(['IN_USE:Ugo']);

      expect(await board.request(firmware.inuse(ugo.card, 30))).toMatchObject({ request_ok: true });
      expect(await board.request(firmware.stopuse(ugo.card, 42))).toEqual({
        request_ok: true,
        message: 'Duration 42 seconds',
      });
      await waitFor(() => statuses().length > heard + 1, { what: 'FREE after stopuse' });
      // A heartbeat changes no status: exactly one event per change.
      expect(statuses().slice(heard)).toEqual(['IN_USE:Ugo', 'FREE']);
    } finally {
      subscription.unsubscribe();
      await board.close();
    }
  });
});
