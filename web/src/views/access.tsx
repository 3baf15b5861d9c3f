import { useRef } from 'preact/hooks';
import { useSubscription } from '../api/live';
import { AccessQuery, AccessStatusLive } from '../api/operations';
import { useStore } from '../api/store';
import type { ViewProps } from '../app';
import type { AccessQuery as AccessAnswer, AccessStatusFieldsFragment } from '../gql/graphql';
import { AccessLine } from './overview';
import { ErrorNote, StaleNote, TableSection, dateTime, useLoad, useThrottledVersion } from './common';

/**
 * Uses, unknown cards and boards have no subscription in the API: they are read again, at most
 * every few seconds, when the live status board says something changed (a use starts or ends,
 * a board goes on- or offline), and after a reconnection.
 */
const REREAD_MS = 3_000;

export function AccessView({ session, link }: ViewProps) {
  const statuses = useRef(new Map<string, AccessStatusFieldsFragment>());
  const [version, bump] = useThrottledVersion(200);
  const [reread, scheduleReread] = useThrottledVersion(REREAD_MS);
  const linkState = useStore(link.state);

  const { data, error } = useLoad<AccessAnswer>(link, `access:${reread}`, async () => {
    const answer = await session.request(AccessQuery, {});
    statuses.current = new Map(answer.machineAccessStatus.machines.map((m) => [m.machine.code, m]));
    bump();
    return answer;
  });
  useSubscription(
    link,
    AccessStatusLive,
    {},
    ({ machineAccessStatusChanged: s }) => {
      statuses.current.set(s.machine.code, s);
      bump();
      scheduleReread();
    },
    'access-status',
  );

  const board = [...statuses.current.values()].sort((a, b) =>
    a.machine.name.localeCompare(b.machine.name, undefined, { numeric: true }),
  );
  const counts = countStatuses(board);
  return (
    <section
      aria-labelledby="access-title"
      data-version={version}
      class={linkState === 'live' ? '' : 'stale'}
      data-stale={linkState !== 'live'}
    >
      <h1 id="access-title">Access</h1>
      <StaleNote link={link} />
      <ErrorNote error={error} />
      <section aria-labelledby="board-title">
        <h2 id="board-title">Status board</h2>
        <p class="counts">
          {board.length} machines: {counts.IN_USE} in use, {counts.FREE} free, {counts.BLOCKED} blocked,{' '}
          {counts.MAINTENANCE} in maintenance, {counts.OFFLINE} offline
        </p>
        <ul class="tiles" aria-label="RFID status per machine">
          {board.map((s) => (
            <li key={s.machine.code}>
              <div class="tile" data-code={s.machine.code}>
                <span class="tile-head">
                  <span class="tile-name">{s.machine.name}</span>
                  <span class="tile-code">{s.machine.code}</span>
                </span>
                <AccessLine status={s.status} user={s.user?.displayName} />
                {s.since && <span class="tile-time">since {dateTime(s.since)}</span>}
                {s.maintenanceDue && <span class="alert">⚠ {s.maintenanceMessage || 'Maintenance due'}</span>}
              </div>
            </li>
          ))}
        </ul>
      </section>
      {data && (
        <div class="columns">
          <TableSection
            id="uses-title"
            title="Recent uses"
            headers={['Machine', 'User', 'Started', 'Minutes']}
            rows={data.machineUses.items}
            rowKey={(u) => u.id}
            cells={(u) => [
              u.machine.name,
              u.user?.displayName ?? 'anonymised',
              dateTime(u.startedAt),
              u.endedAt ? (u.durationSeconds / 60).toFixed(1) : 'in use',
            ]}
          />
          <TableSection
            id="cards-title"
            title="Unknown cards"
            headers={['Card', 'Machine', 'When']}
            rows={data.unknownCards.items}
            rowKey={(c) => c.id}
            cells={(c) => [<code key="uid">{c.cardUid}</code>, c.machine.name, dateTime(c.attemptedAt)]}
          />
          <TableSection
            id="boards-title"
            title="Boards"
            headers={['Machine', 'Board', 'Firmware', 'Online']}
            rows={data.boards}
            rowKey={(b) => b.serial}
            cells={(b) => [
              b.machine.name,
              `${b.serial} (${b.ip})`,
              b.firmwareVersion,
              b.online ? '● online' : `○ offline since ${dateTime(b.lastSeenAt)}`,
            ]}
          />
        </div>
      )}
    </section>
  );
}

function countStatuses(board: AccessStatusFieldsFragment[]) {
  const counts = { IN_USE: 0, FREE: 0, BLOCKED: 0, MAINTENANCE: 0, OFFLINE: 0 };
  for (const s of board) counts[s.status]++;
  return counts;
}
