import { Fragment } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { useSubscription } from '../api/live';
import {
  AxisLive,
  DayReportQuery,
  ElectricalLive,
  MachineHistoryQuery,
  MachineQuery,
  StateLive,
} from '../api/operations';
import { useStore } from '../api/store';
import type { ViewProps } from '../app';
import { TimeChart, type ChartSeries } from '../charts/time-chart';
import type { MachineState, SampleAxis } from '../gql/graphql';
import { BucketTable, changeState, type Segment } from '../live/buckets';
import {
  ErrorNote,
  MAX_POINTS,
  STATE_COLORS,
  STATE_ICONS,
  StaleNote,
  WINDOWS,
  WindowPicker,
  dateTime,
  fmt,
  useLoad,
  useThrottledVersion,
} from './common';

const AXIS_COLORS: Record<SampleAxis, string> = {
  X: '#2563eb',
  Y: '#db2777',
  Z: '#059669',
  A: '#7c3aed',
  C: '#ea580c',
};
/** Live samples kept to replay onto a history that was requested before they arrived. */
const REPLAY_MS = 30_000;

interface LiveAxis {
  axis: SampleAxis;
  ts: string;
  actual: number;
  target: number;
}
interface LiveElectrical {
  ts: string;
  current: number;
  voltage: number;
}

export function MachineView({ session, link, params }: ViewProps) {
  const code = params[0] ?? '';
  const [windowMs, setWindowMs] = useState<number>(WINDOWS[0].ms);
  const [version, bump] = useThrottledVersion(100);
  const linkState = useStore(link.state);
  const axisTable = useRef<BucketTable | null>(null);
  const electricalTable = useRef<BucketTable | null>(null);
  const timeline = useRef<Segment<MachineState>[]>([]);
  const readout = useRef(new Map<SampleAxis, LiveAxis>());
  const recentAxes = useRef<LiveAxis[]>([]);
  const recentElectrical = useRef<LiveElectrical[]>([]);

  const machine = useLoad(link, `machine:${code}`, () => session.request(MachineQuery, { code }));
  const axes = machine.data?.machine.axes.map((a) => a.name as SampleAxis) ?? [];
  const report = useLoad(link, `report:${code}`, () =>
    session.request(DayReportQuery, { code, date: new Date().toISOString().slice(0, 10) }),
  );

  const history = useLoad(link, `history:${code}:${windowMs}`, async () => {
    const to = Date.now();
    const answer = await session.request(MachineHistoryQuery, {
      codes: [code],
      from: new Date(to - windowMs).toISOString(),
      to: new Date(to).toISOString(),
      maxPoints: MAX_POINTS,
    });
    const axisBucket = (answer.axisHistoryCompact.bucketSeconds ?? 1) * 1000;
    const seriesAxes = answer.axisHistoryCompact.series.map((s) => s.axis);
    const table = new BucketTable(
      seriesAxes.flatMap((a) => [`${a}:actual`, `${a}:target`]),
      axisBucket,
      windowMs,
    );
    for (const s of answer.axisHistoryCompact.series) {
      table.load(`${s.axis}:actual`, s.t, s.actual.avg);
      table.load(`${s.axis}:target`, s.t, s.target.avg);
    }
    for (const sample of recentAxes.current) if (Date.parse(sample.ts) >= to) addAxis(table, sample);
    const electricalBucket = (answer.electricalHistoryCompact.bucketSeconds ?? 1) * 1000;
    const electrical = new BucketTable(['current', 'voltage'], electricalBucket, windowMs);
    for (const s of answer.electricalHistoryCompact.series) {
      electrical.load('current', s.t, s.current.avg);
      electrical.load('voltage', s.t, s.voltage.avg);
    }
    for (const sample of recentElectrical.current) if (Date.parse(sample.ts) >= to) addElectrical(electrical, sample);
    axisTable.current = table;
    electricalTable.current = electrical;
    timeline.current = answer.machineStateTimeline.map((s) => ({
      start: Date.parse(s.start),
      end: s.open ? null : Date.parse(s.end),
      state: s.state,
    }));
    bump();
    return { to, axisBucket, electricalBucket };
  });

  useSubscription(
    link,
    AxisLive,
    { machineCodes: [code], maxRatePerSecond: 10 },
    ({ axisSampleAdded: s }) => {
      remember(recentAxes.current, s);
      readout.current.set(s.axis, s);
      if (axisTable.current) addAxis(axisTable.current, s);
      bump();
    },
    `axes:${code}`,
    axes.length > 0,
  );
  useSubscription(
    link,
    ElectricalLive,
    { machineCodes: [code] },
    ({ electricalSampleAdded: s }) => {
      remember(recentElectrical.current, s);
      if (electricalTable.current) addElectrical(electricalTable.current, s);
      bump();
    },
    `electrical:${code}`,
  );
  useSubscription(
    link,
    StateLive,
    { machineCodes: [code] },
    ({ machineStateChanged: s }) => {
      timeline.current = changeState(timeline.current, Date.parse(s.since), s.state);
      bump();
    },
    `state:${code}`,
  );

  const m = machine.data?.machine;
  const state = machine.data?.machineStates[0];
  const current = timeline.current[timeline.current.length - 1]?.state ?? state?.state;
  const axisSeries: ChartSeries[] = (axisTable.current?.keys ?? []).map((key) => {
    const [axis, kind] = key.split(':') as [SampleAxis, string];
    return { label: `${axis} ${kind}`, stroke: AXIS_COLORS[axis], dash: kind === 'target' ? [6, 4] : undefined };
  });
  const windowLabel = WINDOWS.find((w) => w.ms === windowMs)?.label ?? '';

  return (
    <section
      aria-labelledby="machine-title"
      class={linkState === 'live' ? '' : 'stale'}
      data-stale={linkState !== 'live'}
    >
      <p>
        <a href="#/overview">← Plant overview</a>
      </p>
      <h1 id="machine-title">{m ? `${m.name} (${m.code})` : code}</h1>
      <ErrorNote error={machine.error ?? history.error} />
      <StaleNote link={link} />
      {m && (
        <p class="machine-facts">
          {current && (
            <span class="tile-state" data-state={current}>
              <span aria-hidden="true" style={{ color: STATE_COLORS[current] }}>
                {STATE_ICONS[current]}
              </span>{' '}
              {current}
            </span>
          )}
          {state?.alert && <span class="alert"> ⚠ Alert</span>}
          {current ? ' · ' : ''}
          {[`${m.maker} ${m.model}`, m.machineType?.name ?? 'no machine type', `${fmt(m.hours, 0)} h of use`].join(
            ' · ',
          )}
        </p>
      )}
      <WindowPicker id="machine-window" value={windowMs} onChange={setWindowMs} />
      {axes.length > 0 && (
        <section aria-labelledby="axes-title">
          <h2 id="axes-title">Axis positions (actual — solid, target — dashed)</h2>
          <AxisReadout axes={axes} readout={readout.current} />
          {axisTable.current && (
            <TimeChart
              key={`axes:${axisSeries.length}:${windowMs}`}
              title={`Axis positions of ${code}, actual and target, last ${windowLabel}`}
              series={axisSeries}
              data={() => axisTable.current!.columns()}
              version={version}
              windowMs={windowMs}
            />
          )}
        </section>
      )}
      {(axes.length === 0 || (electricalTable.current?.t.length ?? 0) > 0) && (
        <section aria-labelledby="electrical-title">
          <h2 id="electrical-title">Current and voltage, with the machine state under them</h2>
          {electricalTable.current && (
            <TimeChart
              key={`electrical:${windowMs}`}
              title={`Current and voltage of ${code} with its state timeline, last ${windowLabel}`}
              series={[
                { label: 'Current (A)', stroke: '#2563eb', scale: 'A' },
                { label: 'Voltage (V)', stroke: '#db2777', scale: 'V', dash: [4, 3] },
              ]}
              scales={{ A: { label: 'A' }, V: { label: 'V', side: 'right' } }}
              data={() => electricalTable.current!.columns()}
              version={version}
              windowMs={windowMs}
              band={{ label: 'State', segments: () => timeline.current, colors: STATE_COLORS }}
            />
          )}
          <StateTable segments={timeline.current} />
        </section>
      )}
      {(axes.length === 0 || (report.data?.machineDayReport.samples ?? 0) > 0) && (
        <section aria-labelledby="report-title">
          <h2 id="report-title">Production today (UTC)</h2>
          {report.error && <p>No production figures: {report.error}</p>}
          {report.data && (
            <dl class="figures">
              <dt>Samples (in production)</dt>
              <dd>
                {report.data.machineDayReport.samples} ({report.data.machineDayReport.productionSamples})
              </dd>
              <dt>Current avg / max</dt>
              <dd>
                {fmt(report.data.machineDayReport.current.avg)} / {fmt(report.data.machineDayReport.current.max)} A
              </dd>
              <dt>Voltage avg / max</dt>
              <dd>
                {fmt(report.data.machineDayReport.voltage.avg)} / {fmt(report.data.machineDayReport.voltage.max)} V
              </dd>
              <dt>Out-of-standard episodes</dt>
              <dd>{report.data.machineDayReport.outOfStandardEpisodes}</dd>
              {report.data.machineDayReport.timeInState.map((t) => (
                <Fragment key={t.state}>
                  <dt>Time {t.state}</dt>
                  <dd>{(t.seconds / 3600).toFixed(2)} h</dd>
                </Fragment>
              ))}
            </dl>
          )}
        </section>
      )}
    </section>
  );
}

function AxisReadout({ axes, readout }: { axes: SampleAxis[]; readout: Map<SampleAxis, LiveAxis> }) {
  return (
    <table class="readout" data-testid="axis-readout">
      <caption>Live axis positions</caption>
      <thead>
        <tr>
          <th scope="col">Axis</th>
          <th scope="col">Actual</th>
          <th scope="col">Target</th>
          <th scope="col">To go</th>
        </tr>
      </thead>
      <tbody>
        {axes.map((axis) => {
          const r = readout.get(axis);
          return (
            <tr key={axis}>
              <th scope="row">{axis}</th>
              <td data-axis-actual={axis}>{fmt(r?.actual, 2)}</td>
              <td>{fmt(r?.target, 2)}</td>
              <td>{r ? fmt(r.target - r.actual, 2) : '–'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function StateTable({ segments }: { segments: readonly Segment<MachineState>[] }) {
  const recent = segments.slice(-8).reverse();
  return (
    <details>
      <summary>State timeline as text ({segments.length} segments)</summary>
      <ul>
        {recent.map((s) => (
          <li key={s.start}>
            {s.state} from {dateTime(new Date(s.start).toISOString())}
            {s.end ? ` to ${dateTime(new Date(s.end).toISOString())}` : ' (now)'}
          </li>
        ))}
      </ul>
    </details>
  );
}

function addAxis(table: BucketTable, s: LiveAxis): void {
  const ts = Date.parse(s.ts);
  table.add(ts, `${s.axis}:actual`, s.actual);
  table.add(ts, `${s.axis}:target`, s.target);
}

function addElectrical(table: BucketTable, s: LiveElectrical): void {
  const ts = Date.parse(s.ts);
  table.add(ts, 'current', s.current);
  table.add(ts, 'voltage', s.voltage);
}

function remember<T extends { ts: string }>(recent: T[], sample: T): void {
  recent.push(sample);
  const oldest = Date.parse(sample.ts) - REPLAY_MS;
  while (recent.length && Date.parse(recent[0].ts) < oldest) recent.shift();
}
