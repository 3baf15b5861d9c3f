import { useRef, useState } from 'preact/hooks';
import { useSubscription } from '../api/live';
import {
  AnomalyLive,
  LeakHistoryQuery,
  LeakSensorEventLive,
  LeakSensorsQuery,
  LeakSystemEventLive,
  LeakTemplatesQuery,
  PpmvLive,
} from '../api/operations';
import { useStore } from '../api/store';
import type { ViewProps } from '../app';
import { TimeChart } from '../charts/time-chart';
import type { AnomalyLevel, LeakSensorEventFieldsFragment, LeakSystemEventFieldsFragment } from '../gql/graphql';
import { BucketTable, changeState, type Segment } from '../live/buckets';
import {
  ErrorNote,
  LEVEL_COLORS,
  MAX_POINTS,
  StaleNote,
  TableSection,
  WINDOWS,
  WindowPicker,
  dateTime,
  fmt,
  useLoad,
  useThrottledVersion,
} from './common';

const EVENTS_SHOWN = 20;

interface SensorSeries {
  table: BucketTable;
  levels: Segment<AnomalyLevel>[];
  latest: number | null;
}

export function LeaksView({ session, link, params }: ViewProps) {
  const templates = useLoad(link, 'leak-templates', () => session.request(LeakTemplatesQuery, {}));
  const list = templates.data?.leakTemplates.items ?? [];
  const templateId = Number(params[0] ?? list[0]?.id ?? NaN);
  const template = list.find((t) => t.id === templateId);

  return (
    <section aria-labelledby="leaks-title">
      <h1 id="leaks-title">Leak sensors</h1>
      <ErrorNote error={templates.error} />
      {templates.data && list.length === 0 && <p>No templates yet.</p>}
      {list.length > 0 && (
        <nav aria-label="Templates" class="tabs">
          <ul>
            {list.map((t) => (
              <li key={t.id}>
                <a href={`#/leaks/${t.id}`} aria-current={t.id === templateId ? 'page' : undefined}>
                  {t.name}
                  {t.open ? ' (open)' : ''}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {template && (
        <TemplatePanel key={template.id} {...{ session, link }} templateId={template.id} name={template.name} />
      )}
    </section>
  );
}

function TemplatePanel({
  session,
  link,
  templateId,
  name,
}: Pick<ViewProps, 'session' | 'link'> & { templateId: number; name: string }) {
  const [windowMs, setWindowMs] = useState<number>(WINDOWS[0].ms);
  const [version, bump] = useThrottledVersion(250);
  const linkState = useStore(link.state);
  const series = useRef(new Map<string, SensorSeries>());
  const sensorEvents = useRef<LeakSensorEventFieldsFragment[]>([]);
  const systemEvents = useRef<LeakSystemEventFieldsFragment[]>([]);

  const sensors = useLoad(link, `sensors:${templateId}`, () => session.request(LeakSensorsQuery, { templateId }));
  const names = sensors.data?.leakSensors.items.map((s) => s.name) ?? [];
  const key = names.join(',');

  const history = useLoad(link, `leak-history:${key}:${windowMs}`, async () => {
    if (!names.length) return 0;
    const to = Date.now();
    const answer = await session.request(LeakHistoryQuery, {
      sensorNames: names,
      from: new Date(to - windowMs).toISOString(),
      to: new Date(to).toISOString(),
      maxPoints: MAX_POINTS,
    });
    const next = new Map<string, SensorSeries>();
    for (const s of answer.ppmvHistory) {
      const points = s.buckets
        ? s.buckets.map((b) => ({ t: Date.parse(b.t), v: b.avg, level: b.worstLevel ?? null }))
        : (s.readings ?? []).map((r) => ({ t: Date.parse(r.ts), v: r.ppmv, level: r.level ?? null }));
      // ppmvHistory does not say its bucket width: about the window over the points asked for.
      const bucketMs = Math.max(1000, Math.floor(windowMs / MAX_POINTS));
      const table = new BucketTable(['ppmv'], bucketMs, windowMs);
      let levels: Segment<AnomalyLevel>[] = [];
      for (const p of points) {
        table.add(p.t, 'ppmv', p.v);
        if (p.level) levels = changeState(levels, p.t, p.level);
      }
      next.set(s.sensorName, { table, levels, latest: points[points.length - 1]?.v ?? null });
    }
    series.current = next;
    sensorEvents.current = answer.leakSensorEvents.items;
    systemEvents.current = answer.leakSystemEvents.items;
    bump();
    return next.size;
  });

  const enabled = names.length > 0;
  useSubscription(
    link,
    PpmvLive,
    { sensorNames: names },
    ({ ppmvReadingAdded: r }) => {
      const s = series.current.get(r.sensorName);
      if (!s) return;
      s.table.add(Date.parse(r.ts), 'ppmv', r.ppmv);
      s.latest = r.ppmv;
      bump();
    },
    `ppmv:${key}`,
    enabled,
  );
  useSubscription(
    link,
    AnomalyLive,
    { sensorNames: names },
    ({ anomalyLevelAdded: a }) => {
      const s = series.current.get(a.sensorName);
      if (!s) return;
      s.levels = changeState(s.levels, Date.parse(a.ts), a.level);
      bump();
    },
    `levels:${key}`,
    enabled,
  );
  useSubscription(
    link,
    LeakSensorEventLive,
    { sensorNames: names },
    ({ leakSensorEventAdded: e }) => {
      sensorEvents.current = [e, ...sensorEvents.current].slice(0, EVENTS_SHOWN);
      bump();
    },
    `sensor-events:${key}`,
    enabled,
  );
  useSubscription(
    link,
    LeakSystemEventLive,
    {},
    ({ leakSystemEventAdded: e }) => {
      if (e.sensorName && !names.includes(e.sensorName)) return;
      systemEvents.current = [e, ...systemEvents.current].slice(0, EVENTS_SHOWN);
      bump();
    },
    `system-events:${key}`,
    enabled,
  );

  const windowLabel = WINDOWS.find((w) => w.ms === windowMs)?.label ?? '';
  return (
    <section
      aria-labelledby="template-title"
      class={linkState === 'live' ? '' : 'stale'}
      data-stale={linkState !== 'live'}
      data-version={version}
    >
      <h2 id="template-title">{name}</h2>
      <StaleNote link={link} />
      <ErrorNote error={sensors.error ?? history.error} />
      <WindowPicker id="leak-window" value={windowMs} onChange={setWindowMs} />
      <div class="sensor-charts">
        {names.map((sensor) => {
          const s = series.current.get(sensor);
          const level = s?.levels[s.levels.length - 1]?.state;
          return (
            <section key={sensor} aria-label={`Sensor ${sensor}`} class="sensor" data-sensor={sensor}>
              <h3>
                {sensor}: {fmt(s?.latest, 1)} ppmv{' '}
                {level && (
                  <span class={`level level-${level.toLowerCase()}`} data-level={level}>
                    {level === 'CRITICAL' || level === 'WARNING' ? '⚠ ' : ''}
                    {level}
                  </span>
                )}
              </h3>
              {s && (
                <TimeChart
                  key={`${sensor}:${windowMs}`}
                  title={`ppmv of ${sensor} with its anomaly level, last ${windowLabel}`}
                  series={[{ label: 'ppmv', stroke: '#2563eb' }]}
                  data={() => s.table.columns()}
                  version={version}
                  windowMs={windowMs}
                  height={180}
                  band={{ label: 'Anomaly level', segments: () => s.levels, colors: LEVEL_COLORS }}
                />
              )}
            </section>
          );
        })}
      </div>
      <div class="columns">
        <TableSection
          id="sensor-events-title"
          title="Sensor events"
          heading="h3"
          headers={['When', 'Sensor', 'Level', 'ppmv']}
          rows={sensorEvents.current}
          rowKey={(e) => e.id}
          cells={(e) => [dateTime(e.at), e.sensorName, `${e.previousLevel ?? '–'} → ${e.level}`, fmt(e.ppmv)]}
        />
        <TableSection
          id="system-events-title"
          title="System events"
          heading="h3"
          headers={['When', 'Type', 'Message']}
          rows={systemEvents.current}
          rowKey={(e) => e.id}
          cells={(e) => [dateTime(e.at), e.type, e.message]}
        />
      </div>
    </section>
  );
}
