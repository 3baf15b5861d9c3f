/**
 * History queries through the real service, like a client: 15 minutes of 20 machines × 5
 * axes at 10 Hz (900,000 axis samples) loaded with INSERT … SELECT generate_series, then
 *
 *   (a) every series bucketed to at most 300 points (`maxPoints: 300`), every quantity;
 *   (a1) the same with one quantity (`actual { min max avg }`), what a chart usually asks;
 *   (c) the target's query: (a1) from axisHistoryCompact, each column one JSON array
 *       (`t count actual { min max avg }`);
 *   (c1) axisHistoryCompact, every quantity;
 *   (b) one machine raw: 5 axes over the whole window, `limit: 10000` (9,000 samples each),
 *
 * each over HTTP (GraphQL, JSON parsed by the client) and, as the baseline, the very SQL the
 * service sent (captured at node-postgres) run alone with node-postgres (a bucketed read of
 * many series is two statements at once, on two connections, as the service runs them). Once with the
 * samples in their day's partition (created by the service's own partition maintenance at
 * start), once with the same samples in the DEFAULT partition (a day without a partition).
 * The window is the last 15 whole minutes, so that 300 buckets of 3 s fit it exactly (a
 * window cut anywhere gets 4 s buckets, 225 points; see widthForPoints). Last, the
 * history reader alone (no HTTP), from the rollups and, as the baseline, from the raw samples.
 * Not a test: run with `npm run bench:history` (NODE_ENV=production, as the service runs).
 *
 *   --runs N (30: timed runs of each query, after 3 untimed)
 */
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations/index.js';
import { createApp } from '../src/bootstrap.js';
import { loadConfig } from '../src/config/app-config.js';
import { ORM_ENTITIES } from '../src/orm-entities.js';
import { dataSourceOptions } from '../src/shared/database/data-source-options.js';
import { startEmbeddedBroker } from '../src/shared/embedded/embedded-broker.js';
import { AXIS_FIELDS, TelemetryHistoryReader } from '../src/telemetry/application/telemetry-history.port.js';
import { planHistory } from '../src/shared/ingestion/history-window.js';
import { SqlTelemetryHistory } from '../src/telemetry/infrastructure/telemetry-history.repository.js';
import { count, machineLine, ms, option, printTable } from './figures.js';
import { openScratchDatabase } from './scratch-database.js';

const RUNS = option('runs', 30);
const WARM_UP = 3;
const MACHINES = 20;
const AXES = ['X', 'Y', 'Z', 'A', 'C'] as const;
const HZ = 10;
const WINDOW_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
const ADMIN = { email: 'bench@plantgraph.test', password: 'bench-password-1' };

const STATS = '{ min max avg }';
const EVERY_QUANTITY = `count actual ${STATS} target ${STATS} distanceToGo ${STATS} velocity ${STATS} acceleration ${STATS} homedFraction`;
const RAW_VALUES =
  'actual { avg } target { avg } distanceToGo { avg } velocity { avg } acceleration { avg } homedFraction';
const HISTORY = (
  selection: string,
  field = 'axisHistory',
  times = 'ts',
) => `query($codes: [String!]!, $from: DateTime!, $to: DateTime!, $maxPoints: Int, $limit: Int) {
  history: ${field}(machineCodes: $codes, from: $from, to: $to, maxPoints: $maxPoints, limit: $limit) {
    bucketSeconds series { machineCode axis ${times} truncated ${selection} }
  }
}`;

interface Query {
  label: string;
  query: string;
  variables: Record<string, unknown>;
  /** What the answer must hold: series and points per series. */
  expect: { series: number; points: number };
}

interface Statement {
  setup: string[];
  sql: string;
  params: unknown[];
}

/** The history statements of the last request (`reset` before it). */
interface Captured {
  statements: Statement[];
  paused: boolean;
}

interface GraphQLAnswer {
  data?: { history: { series: Array<{ ts?: string[]; t?: number[]; truncated: boolean }> } };
  errors?: unknown[];
}

async function main(): Promise<void> {
  const db = await openScratchDatabase(2);
  const broker = await startEmbeddedBroker(0);
  let app: INestApplication | undefined;
  try {
    await migrate(db.url);
    app = await createApp(
      loadConfig({
        NODE_ENV: 'test',
        DATABASE_URL: db.url,
        MQTT_URL: broker.url,
        SIMULATOR: 'false',
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        LOG_LEVEL: 'warn',
        LOG_PRETTY: 'false',
      }),
    );
    await app.listen(0, '127.0.0.1');
    const url = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/graphql`;
    const client = graphqlClient(url);
    const token = await client.login();
    const machines = await createMachines(client, token);
    const captured = captureSql();

    // graphql-js checks types more slowly unless NODE_ENV=production (read when it loads).
    console.log(`History benchmark: ${db.where}; ${machineLine()}; NODE_ENV=${process.env.NODE_ENV ?? '(unset)'}`);
    console.log(await settings(db.pool));
    const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const windows = [
      { where: 'day partition', from: new Date(end.getTime() - WINDOW_MS), to: end },
      {
        where: 'DEFAULT partition',
        from: new Date(end.getTime() - 10 * DAY_MS - WINDOW_MS),
        to: new Date(end.getTime() - 10 * DAY_MS),
      },
    ];
    for (const window of windows) {
      const started = performance.now();
      const rows = await load(
        db.pool,
        machines.map((m) => m.id),
        window.from,
      );
      console.log(
        `Loaded ${count(rows)} axis samples into ${await partitionsOf(db.pool, window)} in ${ms(performance.now() - started)} ms`,
      );
    }
    await db.pool.query('VACUUM (ANALYZE) axis_samples');

    const figures: Record<string, string | number>[] = [];
    for (const window of windows) {
      const range = { from: window.from.toISOString(), to: window.to.toISOString() };
      const codes = machines.map((m) => m.code);
      const queries: Query[] = [
        {
          label: '(a) 100 series × 300 buckets, every quantity',
          query: HISTORY(EVERY_QUANTITY),
          variables: { codes, ...range, maxPoints: 300 },
          expect: { series: MACHINES * AXES.length, points: 300 },
        },
        {
          label: '(a1) 100 series × 300 buckets, actual only',
          query: HISTORY(`actual ${STATS}`),
          variables: { codes, ...range, maxPoints: 300 },
          expect: { series: MACHINES * AXES.length, points: 300 },
        },
        {
          label: '(c) axisHistoryCompact, 100 series × 300 buckets, t count actual { min max avg }',
          query: HISTORY(`count actual ${STATS}`, 'axisHistoryCompact', 't'),
          variables: { codes, ...range, maxPoints: 300 },
          expect: { series: MACHINES * AXES.length, points: 300 },
        },
        {
          label: '(c1) axisHistoryCompact, 100 series × 300 buckets, every quantity',
          query: HISTORY(EVERY_QUANTITY, 'axisHistoryCompact', 't'),
          variables: { codes, ...range, maxPoints: 300 },
          expect: { series: MACHINES * AXES.length, points: 300 },
        },
        {
          label: '(b) 1 machine × 5 axes raw, limit 10000',
          query: HISTORY(RAW_VALUES),
          variables: { codes: codes.slice(0, 1), ...range, limit: 10_000 },
          expect: { series: AXES.length, points: (WINDOW_MS / 1000) * HZ },
        },
      ];
      for (const q of queries) {
        const http = await timeRuns(async () => checked(await client.query(q.query, q.variables, token), q));
        captured.statements = [];
        await client.query(q.query, q.variables, token);
        const statements = captured.statements;
        captured.paused = true;
        const alone = await timeRuns(() => Promise.all(statements.map((statement) => runAlone(db.pool, statement))));
        captured.paused = false;
        figures.push(row(`${q.label} — HTTP`, window.where, http), row(`${q.label} — SQL alone`, window.where, alone));
      }
      await explain(db.pool, captured, [queries[0], queries[2], queries[4]], client, token, window.where);
    }
    figures.push(...(await readerAlone(app, machines, windows[0])));
    printTable(`History queries, ${RUNS} runs each (ms)`, figures);
  } finally {
    await app?.close();
    await broker.stop();
    await db.drop();
  }
}

async function migrate(url: string): Promise<void> {
  const dataSource = new DataSource(
    dataSourceOptions({ url, poolSize: 1, entities: ORM_ENTITIES, migrations: MIGRATIONS, migrationsRun: false }),
  );
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();
}

function graphqlClient(url: string) {
  const query = async (text: string, variables: Record<string, unknown>, token?: string): Promise<GraphQLAnswer> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: text, variables }),
    });
    return (await response.json()) as GraphQLAnswer;
  };
  return {
    query,
    login: async () => {
      const answer = (await query('mutation($i: LoginInput!) { login(input: $i) { accessToken } }', { i: ADMIN })) as {
        data?: { login: { accessToken: string } };
      };
      if (!answer.data) throw new Error(`login failed: ${JSON.stringify(answer)}`);
      return answer.data.login.accessToken;
    },
  };
}

async function createMachines(client: ReturnType<typeof graphqlClient>, token: string) {
  const machines: { id: number; code: string }[] = [];
  for (let i = 1; i <= MACHINES; i++) {
    const answer = (await client.query(
      'mutation($i: CreateMachineInput!) { createMachine(input: $i) { id code } }',
      {
        i: {
          code: `CNC-${String(i).padStart(2, '0')}`,
          name: `CNC ${i}`,
          axes: AXES.map((name) => ({ name, maxVelocity: 60, maxAcceleration: 200 })),
        },
      },
      token,
    )) as { data?: { createMachine: { id: number; code: string } } };
    if (!answer.data) throw new Error(`createMachine failed: ${JSON.stringify(answer)}`);
    machines.push(answer.data.createMachine);
  }
  return machines;
}

/**
 * Remembers the history statements the service sent (with the SET LOCAL before each in its
 * transaction), to run the same alone as the baseline. Every statement of the process goes
 * through pg's Client, whichever TypeORM path sent it; `paused` while the baseline runs.
 */
function captureSql(): Captured {
  const captured: Captured = { statements: [], paused: false };
  const settings = new WeakMap<object, string[]>();
  const query = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const [text, params] = args;
    if (!captured.paused && typeof text === 'string') {
      if (/^(BEGIN|START TRANSACTION)/i.test(text)) settings.set(this, []);
      else if (/^(COMMIT|ROLLBACK)/i.test(text)) settings.delete(this);
      else if (/^SET LOCAL/i.test(text)) settings.get(this)?.push(text);
      else if (/FROM axis_(samples|rollup_)/.test(text))
        captured.statements.push({ setup: settings.get(this) ?? [], sql: text, params: (params as unknown[]) ?? [] });
    }
    return query.apply(this, args);
  } as typeof pg.Client.prototype.query;
  return captured;
}

/** The captured statement alone, in a transaction of its own when it had settings. */
async function runAlone(pool: pg.Pool, { setup, sql, params }: Statement): Promise<void> {
  const client = await pool.connect();
  try {
    if (setup.length) await client.query('BEGIN');
    for (const statement of setup) await client.query(statement);
    await client.query(sql, params);
    if (setup.length) await client.query('COMMIT');
  } finally {
    client.release();
  }
}

/** Ingestion order: all series at one instant, then the next instant. */
async function load(pool: pg.Pool, machineIds: number[], from: Date): Promise<number> {
  const result = await pool.query(
    `INSERT INTO axis_samples (machine_id, axis, ts, actual, target, distance_to_go, velocity, acceleration, homed)
     SELECT m, a, ts, actual, target, target - actual, velocity, acceleration, homed FROM (
       SELECT m, a, $2::timestamptz + i * $4::interval AS ts,
              random() * 380 - 190 AS actual, random() * 381 - 190 AS target,
              random() * 80 AS velocity, random() * 150 AS acceleration, random() < 0.5 AS homed
       FROM generate_series(0, $3::int - 1) AS i, unnest($1::int[]) AS m, unnest($5::text[]) AS a
     ) s`,
    [machineIds, from, (WINDOW_MS / 1000) * HZ, `${1000 / HZ} milliseconds`, AXES],
  );
  return result.rowCount ?? 0;
}

async function partitionsOf(pool: pg.Pool, window: { from: Date; to: Date }): Promise<string> {
  const { rows } = await pool.query<{ partition: string }>(
    'SELECT DISTINCT tableoid::regclass::text AS partition FROM axis_samples WHERE ts >= $1 AND ts < $2',
    [window.from, window.to],
  );
  return rows.map((r) => r.partition).join(', ');
}

async function settings(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ name: string; setting: string; unit: string | null }>(
    `SELECT name, setting, unit FROM pg_settings
     WHERE name IN ('shared_buffers', 'work_mem', 'jit', 'max_parallel_workers_per_gather') ORDER BY name`,
  );
  return `PostgreSQL settings: ${rows.map((r) => `${r.name}=${r.setting}${r.unit ?? ''}`).join(', ')}`;
}

function checked(answer: GraphQLAnswer, q: Query): void {
  const series = answer.data?.history.series;
  if (!series || answer.errors) throw new Error(`${q.label}: ${JSON.stringify(answer.errors)}`);
  const points = Math.max(...series.map((s) => (s.ts ?? s.t!).length));
  const full = q.variables.limit
    ? points === q.expect.points
    : points <= q.expect.points && points > q.expect.points * 0.9;
  if (series.length !== q.expect.series || !full || series.some((s) => s.truncated))
    throw new Error(
      `${q.label}: ${series.length} series of up to ${points} points, expected ${JSON.stringify(q.expect)}`,
    );
}

async function timeRuns(run: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < WARM_UP + RUNS; i++) {
    const started = performance.now();
    await run();
    if (i >= WARM_UP) times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

function row(what: string, where: string, sorted: number[]): Record<string, string | number> {
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  return { query: what, samples: where, p50: ms(rank(0.5)), p95: ms(rank(0.95)), max: ms(sorted.at(-1)!) };
}

/** (a) through the history reader only, from the rollups and from the raw samples (the previous path). */
async function readerAlone(
  app: INestApplication,
  machines: Array<{ id: number }>,
  window: { from: Date; to: Date },
): Promise<Record<string, string | number>[]> {
  const plan = planHistory({ ...window, maxPoints: 300 }, new Date());
  const series = machines.flatMap((m) => AXES.map((axis) => ({ machineId: m.id, axis })));
  const query = { series, plan, fields: AXIS_FIELDS };
  const raw = new SqlTelemetryHistory(app.get(DataSource), { rollups: false });
  const rollups = app.get(TelemetryHistoryReader);
  return [
    row('(a) history reader alone, rollups', 'day partition', await timeRuns(() => rollups.axes(query))),
    row('(a) history reader alone, raw samples (baseline)', 'day partition', await timeRuns(() => raw.axes(query))),
  ];
}

/** The plans of the statements, to show partition pruning and the primary-key index at work. */
async function explain(
  pool: pg.Pool,
  captured: Captured,
  queries: Query[],
  client: ReturnType<typeof graphqlClient>,
  token: string,
  where: string,
): Promise<void> {
  for (const q of queries) {
    captured.statements = [];
    await client.query(q.query, q.variables, token);
    const { setup, sql, params } = captured.statements[0];
    captured.paused = true;
    const connection = await pool.connect();
    try {
      await connection.query('BEGIN');
      for (const statement of setup) await connection.query(statement);
      const { rows } = await connection.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`,
        params,
      );
      await connection.query('COMMIT');
      const of = captured.statements.length > 1 ? ` (the first of ${captured.statements.length} statements)` : '';
      console.log(`\nPlan of ${q.label}${of}, samples in the ${where}${setup.length ? ` (${setup.join('; ')})` : ''}:`);
      for (const line of rows) console.log(`  ${line['QUERY PLAN']}`);
    } finally {
      connection.release();
      captured.paused = false;
    }
  }
}

void main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
