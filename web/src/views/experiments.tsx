import { useRef, useState } from 'preact/hooks';
import {
  ExperimentPvsQuery,
  ExperimentsQuery,
  MyThresholdSubscriptionsQuery,
  PvHistoryQuery,
  PvValueLive,
  SetPvMutation,
  SubscribeThresholdMutation,
  ThresholdEventLive,
  UnsubscribeThresholdMutation,
} from '../api/experiment-operations';
import { describeError, requestExplained } from '../api/explained-request';
import { useSubscription } from '../api/live';
import type { Session } from '../api/session';
import { useStore } from '../api/store';
import type { ViewProps } from '../app';
import { TimeChart, type ChartSeries } from '../charts/time-chart';
import type {
  PvFieldsFragment,
  PvThresholdSubscriptionFieldsFragment,
  ThresholdEventLiveSubscription,
} from '../gql/graphql';
import { BucketTable } from '../live/buckets';
import {
  ErrorNote,
  MAX_POINTS,
  StaleNote,
  WINDOWS,
  WindowPicker,
  dateTime,
  fmt,
  time,
  useLoad,
  useThrottledVersion,
} from './common';
import './experiments.css';

/** Live values per PV and second: the server keeps the newest of each PV's faster values. */
const LIVE_RATE = 10;
/** Live values kept to replay onto a history that was requested before they arrived. */
const REPLAY_MS = 30_000;
/** pvHistory takes at most 100 PVs; an experiment with more charts its first 100. */
const MAX_CHARTED = 100;
const SERIES_COLOR = '#2563eb';
const LIMIT_COLOR = '#b91c1c';

interface PvValue {
  pvName: string;
  ts: string;
  value?: number | null;
  text?: string | null;
}
type ThresholdEvent = ThresholdEventLiveSubscription['pvThresholdEvent'];

interface PvSeries {
  table: BucketTable | null;
  latest: PvValue | null;
}

/**
 * The bucket width the server chose for `maxPoints` over the window (pvHistory does not say it):
 * the spacing of its buckets when there are two, else its rule (whole seconds from a second up,
 * whole minutes from four minutes up), so that live values fold into buckets of the same width.
 */
export function pvBucketMs(windowMs: number, bucketStarts: readonly number[] = []): number {
  let spacing = Number.POSITIVE_INFINITY;
  for (let i = 1; i < bucketStarts.length; i++) spacing = Math.min(spacing, bucketStarts[i] - bucketStarts[i - 1]);
  if (Number.isFinite(spacing) && spacing > 0) return spacing;
  const raw = windowMs / MAX_POINTS;
  if (raw >= 240_000) return Math.ceil(raw / 60_000) * 60_000;
  if (raw >= 1_000) return Math.ceil(raw / 1_000) * 1_000;
  return Math.max(1, Math.ceil(raw));
}

/** A PV's number as sent, to 4 decimals at most (42.5, not 42.500; 0.1 + 0.2 as 0.3). */
export function pvNumber(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : String(Number(value.toFixed(4)));
}

/** The newest bucket's value of a chart's table (tests and curious people read it from the DOM). */
function newest(table: BucketTable): string {
  const [, values] = table.columns();
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return pvNumber(values[i]);
  return '';
}

export function ExperimentsView({ session, link, user, params }: ViewProps) {
  const experiments = useLoad(link, 'experiments', () => session.request(ExperimentsQuery, {}));
  const list = experiments.data?.experiments.items ?? [];
  const selected = params[0] ?? list[0]?.name;
  const experiment = list.find((e) => e.name === selected);

  return (
    <section aria-labelledby="experiments-title">
      <h1 id="experiments-title">Experiments</h1>
      <ErrorNote error={experiments.error} />
      {experiments.data && list.length === 0 && <p>You are assigned to no experiment yet.</p>}
      {list.length > 0 && (
        <nav aria-label="Experiments" class="tabs">
          <ul>
            {list.map((e) => (
              <li key={e.id}>
                <a
                  href={`#/experiments/${encodeURIComponent(e.name)}`}
                  aria-current={e.name === selected ? 'page' : undefined}
                >
                  {e.displayName ? `${e.displayName} (${e.name})` : e.name}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {experiments.data && selected && !experiment && <p>No experiment {selected} among yours.</p>}
      {experiment && (
        <ExperimentPanel
          key={experiment.name}
          session={session}
          link={link}
          name={experiment.name}
          title={experiment.displayName ?? experiment.name}
          canSet={user.permissions.includes('experiments:operate')}
        />
      )}
    </section>
  );
}

function ExperimentPanel({
  session,
  link,
  name,
  title,
  canSet,
}: Pick<ViewProps, 'session' | 'link'> & { name: string; title: string; canSet: boolean }) {
  const [windowMs, setWindowMs] = useState<number>(WINDOWS[0].ms);
  const [version, bump] = useThrottledVersion(200);
  const linkState = useStore(link.state);
  const series = useRef(new Map<string, PvSeries>());
  const recent = useRef<PvValue[]>([]);
  const outside = useRef(new Map<string, ThresholdEvent>());
  const [subscriptions, setSubscriptions] = useState<PvThresholdSubscriptionFieldsFragment[] | null>(null);

  const pvs = useLoad(link, `pvs:${name}`, async () => {
    const answer = await session.request(ExperimentPvsQuery, { experimentName: name });
    for (const pv of answer.pvs.items) {
      const s = series.current.get(pv.name) ?? { table: null, latest: null };
      const latest = answer.latestPvValues.find((v) => v.pvName === pv.name) ?? null;
      if (latest && (!s.latest || s.latest.ts <= latest.ts)) s.latest = latest;
      series.current.set(pv.name, s);
    }
    bump();
    return answer.pvs.items;
  });
  const list = pvs.data ?? [];
  const charted = list.filter((pv) => pv.type === 'NUMBER').slice(0, MAX_CHARTED);
  const key = charted.map((pv) => pv.name).join(',');

  const history = useLoad(link, `pv-history:${name}:${key}:${windowMs}`, async () => {
    if (!charted.length) return 0;
    const to = Date.now();
    const answer = await session.request(PvHistoryQuery, {
      pvNames: charted.map((pv) => pv.name),
      from: new Date(to - windowMs).toISOString(),
      to: new Date(to).toISOString(),
      maxPoints: MAX_POINTS,
    });
    for (const s of answer.pvHistory) {
      const buckets = s.buckets ?? [];
      const t = buckets.map((b) => Date.parse(b.t));
      const table = new BucketTable(['value'], pvBucketMs(windowMs, t), windowMs);
      table.load(
        'value',
        t,
        buckets.map((b) => b.avg ?? null),
      );
      // What arrived live after the history's end is not in it.
      for (const v of recent.current)
        if (v.pvName === s.pvName && v.value !== null && v.value !== undefined && Date.parse(v.ts) >= to)
          table.add(Date.parse(v.ts), 'value', v.value);
      const entry = series.current.get(s.pvName) ?? { table: null, latest: null };
      entry.table = table;
      series.current.set(s.pvName, entry);
    }
    bump();
    return answer.pvHistory.length;
  });

  useSubscription(
    link,
    PvValueLive,
    { experimentName: name, maxRatePerSecond: LIVE_RATE },
    ({ pvValueAdded: v }) => {
      const now = Date.now();
      recent.current.push(v);
      while (recent.current.length && Date.parse(recent.current[0].ts) < now - REPLAY_MS) recent.current.shift();
      const s = series.current.get(v.pvName) ?? { table: null, latest: null };
      if (!s.latest || s.latest.ts <= v.ts) s.latest = v;
      if (s.table && v.value !== null && v.value !== undefined) s.table.add(Date.parse(v.ts), 'value', v.value);
      series.current.set(v.pvName, s);
      bump();
    },
    `pv-values:${name}`,
    pvs.data !== null,
  );

  const thresholds = useLoad(link, `thresholds:${name}`, async () => {
    const answer = await session.request(MyThresholdSubscriptionsQuery, {});
    setSubscriptions(answer.myPvThresholdSubscriptions.items);
    return true;
  });
  useSubscription(
    link,
    ThresholdEventLive,
    {},
    ({ pvThresholdEvent: e }) => {
      if (!e.pvName.startsWith(`${name}:`)) return;
      if (e.kind === 'STARTED') outside.current.set(e.pvName, e);
      else outside.current.delete(e.pvName);
      bump();
    },
    `threshold-events:${name}`,
  );

  const mine = (subscriptions ?? []).filter((s) => s.pvName.startsWith(`${name}:`));
  const windowLabel = WINDOWS.find((w) => w.ms === windowMs)?.label ?? '';
  return (
    <section
      aria-labelledby="experiment-title"
      class={linkState === 'live' ? '' : 'stale'}
      data-stale={linkState !== 'live'}
      data-version={version}
    >
      <h2 id="experiment-title">{title}</h2>
      <StaleNote link={link} />
      <ErrorNote error={pvs.error ?? history.error} />
      {pvs.data && list.length === 0 && <p>This experiment has no PVs yet.</p>}
      {charted.length > 0 && <WindowPicker id="pv-window" value={windowMs} onChange={setWindowMs} />}
      <div class="pv-grid">
        {list.map((pv, index) => (
          <PvPanel
            key={pv.name}
            session={session}
            pv={pv}
            index={index}
            series={series.current.get(pv.name)}
            subscription={mine.find((s) => s.pvName === pv.name)}
            outside={outside.current.get(pv.name)}
            version={version}
            windowMs={windowMs}
            windowLabel={windowLabel}
            canSet={canSet}
          />
        ))}
      </div>
      <ThresholdSection
        session={session}
        pvs={list.filter((pv) => pv.type === 'NUMBER')}
        subscriptions={mine}
        outside={outside.current}
        error={thresholds.error}
        loaded={subscriptions !== null}
        onChange={(next) =>
          setSubscriptions((all) => [...(all ?? []).filter((s) => s.pvName !== next.pvName), ...(next.kept ?? [])])
        }
      />
    </section>
  );
}

function PvPanel({
  session,
  pv,
  index,
  series,
  subscription,
  outside,
  version,
  windowMs,
  windowLabel,
  canSet,
}: {
  session: Session;
  pv: PvFieldsFragment;
  index: number;
  series: PvSeries | undefined;
  subscription: PvThresholdSubscriptionFieldsFragment | undefined;
  outside: ThresholdEvent | undefined;
  version: number;
  windowMs: number;
  windowLabel: string;
  canSet: boolean;
}) {
  const latest = series?.latest;
  const table = series?.table;
  const label = pv.displayName ?? pv.name;
  const headingId = `pv-${index}-title`;
  // The user's own threshold band, as dashed lines named in the legend (never colour alone).
  const chartSeries: ChartSeries[] = [{ label: pv.unit ? `${label} (${pv.unit})` : label, stroke: SERIES_COLOR }];
  if (subscription)
    chartSeries.push(
      { label: `Your min ${subscription.min}`, stroke: LIMIT_COLOR, dash: [6, 4] },
      { label: `Your max ${subscription.max}`, stroke: LIMIT_COLOR, dash: [2, 3] },
    );
  const data = () => {
    const [x, values] = table!.columns();
    if (!subscription) return [x, values] as [number[], Array<number | null>];
    return [x, values, x.map(() => subscription.min), x.map(() => subscription.max)] as [
      number[],
      ...Array<Array<number | null>>,
    ];
  };

  return (
    <section class="pv" aria-labelledby={headingId} data-pv={pv.name} data-charted={table ? newest(table) : undefined}>
      <h3 id={headingId}>
        {label}
        {pv.displayName && <span class="pv-name"> {pv.name}</span>}
      </h3>
      <p class="pv-readout">
        <span data-testid="pv-value">
          {latest
            ? pv.type === 'NUMBER'
              ? `${pvNumber(latest.value)}${pv.unit ? ` ${pv.unit}` : ''}`
              : (latest.text ?? '–')
            : 'No value yet'}
        </span>
        {latest && <span class="tile-time"> at {time(latest.ts)}</span>}
        {pv.writable && <span class="badge"> ✎ writable</span>}
        {outside && (
          <span class="alert" data-outside={outside.limit}>
            {' '}
            <span aria-hidden="true">⚠</span> {outside.limit === 'MAX' ? 'Above' : 'Below'} your{' '}
            {outside.limit === 'MAX' ? 'max' : 'min'} ({outside.limitValue}) since {time(outside.at)}
          </span>
        )}
      </p>
      {pv.type === 'NUMBER' && table && (
        <TimeChart
          key={`${pv.name}:${windowMs}:${subscription?.id ?? 0}`}
          title={`${label}, last ${windowLabel}${subscription ? `, with your threshold band ${subscription.min} to ${subscription.max}` : ''}`}
          series={chartSeries}
          data={data}
          version={version}
          windowMs={windowMs}
          height={180}
        />
      )}
      {pv.writable &&
        (canSet ? (
          <SetPointForm session={session} pv={pv} index={index} />
        ) : (
          <p class="hint">Setting values needs the experiments:operate permission.</p>
        ))}
    </section>
  );
}

type FormStatus =
  { kind: 'idle' } | { kind: 'pending' } | { kind: 'done'; text: string } | { kind: 'error'; text: string };

function StatusLine({ status, id }: { status: FormStatus; id: string }) {
  if (status.kind === 'error')
    return (
      <p class="error" role="alert" id={id} data-testid="form-error">
        <span aria-hidden="true">⚠</span> Refused — {status.text}
      </p>
    );
  return (
    <p class="form-status" role="status" id={id}>
      {status.kind === 'pending' ? 'Sending…' : status.kind === 'done' ? `✓ ${status.text}` : ''}
    </p>
  );
}

function SetPointForm({ session, pv, index }: { session: Session; pv: PvFieldsFragment; index: number }) {
  const [value, setValue] = useState('');
  const [status, setStatus] = useState<FormStatus>({ kind: 'idle' });
  const inputId = `pv-${index}-set`;
  const hintId = `pv-${index}-set-hint`;
  const statusId = `pv-${index}-set-status`;
  const range =
    pv.type === 'TEXT'
      ? 'A text.'
      : pv.setMin !== null && pv.setMin !== undefined && pv.setMax !== null && pv.setMax !== undefined
        ? `A number from ${pv.setMin} to ${pv.setMax}.`
        : pv.setMin !== null && pv.setMin !== undefined
          ? `A number of at least ${pv.setMin}.`
          : pv.setMax !== null && pv.setMax !== undefined
            ? `A number of at most ${pv.setMax}.`
            : 'A number.';

  const submit = (event: Event) => {
    event.preventDefault();
    setStatus({ kind: 'pending' });
    requestExplained(session, SetPvMutation, { name: pv.name, value })
      .then(({ setPv }) => setStatus({ kind: 'done', text: `Set to ${setPv.value} at ${time(setPv.at)}` }))
      .catch((error) => setStatus({ kind: 'error', text: describeError(error) }));
  };

  return (
    <form class="inline-form" onSubmit={submit} aria-label={`Set-point of ${pv.name}`}>
      <label for={inputId}>Set-point{pv.unit ? ` (${pv.unit})` : ''}</label>
      <input
        id={inputId}
        name="value"
        required
        value={value}
        inputMode={pv.type === 'NUMBER' ? 'decimal' : 'text'}
        autoComplete="off"
        aria-describedby={`${hintId} ${statusId}`}
        aria-invalid={status.kind === 'error'}
        onInput={(e) => setValue(e.currentTarget.value)}
      />
      <button type="submit" disabled={status.kind === 'pending'}>
        Set
      </button>
      <span class="hint" id={hintId}>
        {range}
      </span>
      <StatusLine status={status} id={statusId} />
    </form>
  );
}

function ThresholdSection({
  session,
  pvs,
  subscriptions,
  outside,
  error,
  loaded,
  onChange,
}: {
  session: Session;
  pvs: PvFieldsFragment[];
  subscriptions: PvThresholdSubscriptionFieldsFragment[];
  outside: ReadonlyMap<string, ThresholdEvent>;
  error: string | null;
  loaded: boolean;
  /** A subscription on `pvName` was replaced by `kept` (created) or removed (none). */
  onChange: (change: { pvName: string; kept?: PvThresholdSubscriptionFieldsFragment[] }) => void;
}) {
  const [status, setStatus] = useState<FormStatus>({ kind: 'idle' });
  const free = pvs.filter((pv) => !subscriptions.some((s) => s.pvName === pv.name));
  const [pvName, setPvName] = useState('');
  const [min, setMin] = useState('');
  const [max, setMax] = useState('');
  const [email, setEmail] = useState('');
  const chosen = free.find((pv) => pv.name === pvName) ?? free[0];

  const create = (event: Event) => {
    event.preventDefault();
    if (!chosen) return;
    const input = {
      ...(min.trim() ? { min: Number(min) } : {}),
      ...(max.trim() ? { max: Number(max) } : {}),
      ...(email.trim() ? { email: email.trim() } : {}),
    };
    setStatus({ kind: 'pending' });
    requestExplained(session, SubscribeThresholdMutation, { pvName: chosen.name, input })
      .then(({ subscribePvThreshold: s }) => {
        onChange({ pvName: s.pvName, kept: [s] });
        setStatus({ kind: 'done', text: `Subscribed to ${s.pvName}: outside ${s.min} … ${s.max} e-mails ${s.email}` });
        setMin('');
        setMax('');
      })
      .catch((e) => setStatus({ kind: 'error', text: describeError(e) }));
  };
  const remove = (name: string) => {
    setStatus({ kind: 'pending' });
    requestExplained(session, UnsubscribeThresholdMutation, { pvName: name })
      .then(() => {
        onChange({ pvName: name });
        setStatus({ kind: 'done', text: `Unsubscribed from ${name}` });
      })
      .catch((e) => setStatus({ kind: 'error', text: describeError(e) }));
  };

  return (
    <section aria-labelledby="thresholds-title" class="thresholds">
      <h2 id="thresholds-title">Your threshold subscriptions</h2>
      <p class="hint">An e-mail for each time a value leaves the band and one when it is back inside.</p>
      <ErrorNote error={error} />
      {loaded && subscriptions.length === 0 && <p>None on this experiment's PVs.</p>}
      {subscriptions.length > 0 && (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">PV</th>
                <th scope="col">Band</th>
                <th scope="col">E-mail</th>
                <th scope="col">Now</th>
                <th scope="col">Since</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {subscriptions.map((s) => {
                const episode = outside.get(s.pvName);
                return (
                  <tr key={s.id} data-subscription={s.pvName}>
                    <td>{s.pvName}</td>
                    <td>
                      {s.min} … {s.max}
                    </td>
                    <td>{s.email}</td>
                    <td>
                      {episode ? (
                        <span class="alert">
                          <span aria-hidden="true">⚠</span> Outside (
                          {episode.limit === 'MAX' ? 'above max' : 'below min'})
                        </span>
                      ) : (
                        'Inside or unknown'
                      )}
                    </td>
                    <td>{dateTime(s.createdAt)}</td>
                    <td>
                      <button
                        type="button"
                        onClick={() => remove(s.pvName)}
                        aria-label={`Delete the subscription on ${s.pvName}`}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {free.length > 0 ? (
        <form class="threshold-form" onSubmit={create} aria-labelledby="threshold-form-title">
          <h3 id="threshold-form-title">New subscription</h3>
          <label for="threshold-pv">PV</label>
          <select id="threshold-pv" value={chosen?.name} onChange={(e) => setPvName(e.currentTarget.value)}>
            {free.map((pv) => (
              <option key={pv.name} value={pv.name}>
                {pv.displayName ? `${pv.displayName} (${pv.name})` : pv.name}
              </option>
            ))}
          </select>
          <label for="threshold-min">Min</label>
          <input
            id="threshold-min"
            inputMode="decimal"
            value={min}
            placeholder={
              chosen?.thresholdMin !== null && chosen?.thresholdMin !== undefined ? String(chosen.thresholdMin) : ''
            }
            aria-describedby="threshold-defaults"
            onInput={(e) => setMin(e.currentTarget.value)}
          />
          <label for="threshold-max">Max</label>
          <input
            id="threshold-max"
            inputMode="decimal"
            value={max}
            placeholder={
              chosen?.thresholdMax !== null && chosen?.thresholdMax !== undefined ? String(chosen.thresholdMax) : ''
            }
            aria-describedby="threshold-defaults"
            onInput={(e) => setMax(e.currentTarget.value)}
          />
          <label for="threshold-email">E-mail</label>
          <input
            id="threshold-email"
            type="email"
            value={email}
            placeholder="yours"
            aria-describedby="threshold-defaults"
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
          <button type="submit" disabled={status.kind === 'pending'}>
            Subscribe
          </button>
          <p class="hint" id="threshold-defaults">
            Left empty, min and max are the PV's thresholds ({fmt(chosen?.thresholdMin, 2)} …{' '}
            {fmt(chosen?.thresholdMax, 2)}) and the e-mail is your account's.
          </p>
        </form>
      ) : (
        loaded && pvs.length > 0 && <p>You follow every numeric PV of this experiment.</p>
      )}
      <StatusLine status={status} id="threshold-status" />
    </section>
  );
}
