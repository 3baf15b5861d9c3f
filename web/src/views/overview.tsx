import { useEffect, useRef } from 'preact/hooks';
import { useSubscription } from '../api/live';
import { AccessStatusLive, ElectricalLive, OverviewQuery, StateLive } from '../api/operations';
import { useStore } from '../api/store';
import type { AccessStatus, AccessStatusFieldsFragment, MachineState } from '../gql/graphql';
import type { ViewProps } from '../app';
import {
  ACCESS_TEXT,
  ErrorNote,
  STATE_COLORS,
  STATE_ICONS,
  StaleNote,
  fmt,
  time,
  useLoad,
  useThrottledVersion,
} from './common';

interface Tile {
  code: string;
  name: string;
  type: string | null;
  state: MachineState | null;
  alert: boolean;
  current: number | null;
  voltage: number | null;
  sampledAt: string | null;
  access: AccessStatusFieldsFragment | null;
}

/** Set once the overview shows its machines and the socket is live (the test reads it). */
const LIVE_MARK = 'plantgraph:overview-live';
/** Live electrical samples per machine and second: a tile shows at most this many changes. */
const TILE_RATE = 4;

export function OverviewView({ session, link, user }: ViewProps) {
  const withAccess = user.permissions.includes('access:read');
  const tiles = useRef(new Map<string, Tile>());
  const [version, bump] = useThrottledVersion(200);
  const linkState = useStore(link.state);

  const { data, error } = useLoad(link, 'overview', async () => {
    const answer = await session.request(OverviewQuery, { withAccess });
    const next = new Map<string, Tile>();
    for (const m of answer.machines.items)
      next.set(m.code, {
        code: m.code,
        name: m.name,
        type: m.machineType?.name ?? null,
        state: null,
        alert: false,
        current: null,
        voltage: null,
        sampledAt: null,
        access: null,
      });
    for (const s of answer.machineStates)
      Object.assign(next.get(s.machineCode) ?? {}, { state: s.state, alert: s.alert });
    for (const l of answer.latestTelemetry)
      if (l.electrical)
        Object.assign(next.get(l.machine.code) ?? {}, {
          current: l.electrical.current,
          voltage: l.electrical.voltage,
          sampledAt: l.electrical.ts,
        });
    for (const a of answer.machineAccessStatus?.machines ?? [])
      Object.assign(next.get(a.machine.code) ?? {}, { access: a });
    tiles.current = next;
    bump();
    return next.size;
  });

  useSubscription(
    link,
    ElectricalLive,
    { maxRatePerSecond: TILE_RATE },
    ({ electricalSampleAdded: e }) => {
      const tile = tiles.current.get(e.machineCode);
      if (!tile || (tile.sampledAt && tile.sampledAt > e.ts)) return;
      Object.assign(tile, { current: e.current, voltage: e.voltage, sampledAt: e.ts });
      bump();
    },
    'electrical',
  );
  useSubscription(
    link,
    StateLive,
    {},
    ({ machineStateChanged: s }) => {
      const tile = tiles.current.get(s.machineCode);
      if (!tile) return;
      Object.assign(tile, { state: s.state, alert: s.alert });
      bump();
    },
    'states',
  );
  useSubscription(
    link,
    AccessStatusLive,
    {},
    ({ machineAccessStatusChanged: a }) => {
      const tile = tiles.current.get(a.machine.code);
      if (!tile) return;
      tile.access = a;
      bump();
    },
    'access',
    withAccess,
  );

  useEffect(() => {
    if (data !== null && linkState === 'live' && !performance.getEntriesByName(LIVE_MARK).length)
      performance.mark(LIVE_MARK);
  }, [data, linkState]);

  const list = [...tiles.current.values()].sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  return (
    <section aria-labelledby="overview-title" data-version={version}>
      <h1 id="overview-title">Plant overview</h1>
      <StaleNote link={link} />
      <ErrorNote error={error} />
      {data === null && !error && <p>Loading machines…</p>}
      <ul
        class={`tiles ${linkState === 'live' ? '' : 'stale'}`}
        aria-label="Machines"
        data-stale={linkState !== 'live'}
      >
        {list.map((tile) => (
          <li key={tile.code}>
            <MachineTile tile={tile} withAccess={withAccess} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function MachineTile({ tile, withAccess }: { tile: Tile; withAccess: boolean }) {
  const state = tile.state;
  return (
    <a
      class="tile"
      href={`#/machine/${encodeURIComponent(tile.code)}`}
      data-code={tile.code}
      style={{ borderLeftColor: state ? STATE_COLORS[state] : '#9ca3af' }}
    >
      <span class="tile-head">
        <span class="tile-name">{tile.name}</span>
        <span class="tile-code">{tile.code}</span>
      </span>
      <span class="tile-state" data-state={state ?? 'UNKNOWN'}>
        <span aria-hidden="true" style={{ color: state ? STATE_COLORS[state] : undefined }}>
          {state ? STATE_ICONS[state] : '?'}
        </span>{' '}
        {state ?? 'No state'}
        {tile.alert && (
          <span class="alert">
            {' '}
            <span aria-hidden="true">⚠</span> Alert
          </span>
        )}
      </span>
      {tile.sampledAt ? (
        <span class="tile-figures">
          <span data-testid="current">{fmt(tile.current)} A</span> ·{' '}
          <span data-testid="voltage">{fmt(tile.voltage)} V</span>
          <span class="tile-time"> at {time(tile.sampledAt)}</span>
        </span>
      ) : (
        <span class="tile-figures tile-time">No electrical readings</span>
      )}
      {withAccess && tile.access && <AccessLine status={tile.access.status} user={tile.access.user?.displayName} />}
    </a>
  );
}

export function AccessLine({ status, user }: { status: AccessStatus; user?: string }) {
  return (
    <span class={`access access-${status.toLowerCase()}`} data-access={status}>
      RFID: {ACCESS_TEXT[status]}
      {status === 'IN_USE' && user ? ` by ${user}` : ''}
    </span>
  );
}
