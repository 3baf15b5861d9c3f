import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/shared/embedded/embedded-postgres.js';

export interface ScratchDatabase {
  /** Where it runs, for the printed figures. */
  where: string;
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

const MACHINE_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const PREFIX = 'plantgraph_bench_';

/**
 * A database of its own for one benchmark run, on BENCH_DATABASE_URL (an admin URL), else the
 * machine's PostgreSQL when it answers, else an embedded one in a temporary folder.
 * Dropped (and the embedded server stopped) by drop().
 */
export async function openScratchDatabase(poolSize = 4): Promise<ScratchDatabase> {
  let adminUrl = process.env.BENCH_DATABASE_URL ?? MACHINE_POSTGRES;
  let where = `PostgreSQL at ${new URL(adminUrl).host}`;
  let stopEmbedded = async (): Promise<void> => undefined;
  if (!(await answers(adminUrl))) {
    const embedded = await startEmbeddedPostgres({
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'plantgraph-bench-pg-')),
      preferredPort: 0,
      database: 'postgres',
      ephemeral: true,
    });
    adminUrl = embedded.url;
    where = 'embedded PostgreSQL';
    stopEmbedded = () => embedded.stop();
  }
  const name = `${PREFIX}${process.pid}`;
  await dropAbandoned(adminUrl);
  await admin(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin(adminUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: poolSize });
  pool.on('error', () => undefined);
  const { rows } = await pool.query<{ server_version: string }>('SHOW server_version');
  const version = rows[0].server_version.split(' ')[0];
  const drop = async () => {
    await pool.end();
    await admin(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await stopEmbedded();
  };
  return { where: `${where} ${version}`, url: url.toString(), pool, drop };
}

/**
 * The electrical sample table as production shapes it: range-partitioned by day on ts,
 * keyed by (machine_id, ts). Partitions cover `days` days from `from`.
 */
export async function createElectricalTable(pool: pg.Pool, name: string, from: Date, days: number): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS ${name}`);
  await pool.query(`
    CREATE TABLE ${name} (
      machine_id int NOT NULL,
      ts timestamptz NOT NULL,
      current float8 NOT NULL,
      voltage float8 NOT NULL,
      PRIMARY KEY (machine_id, ts)
    ) PARTITION BY RANGE (ts)`);
  for (let day = 0; day < days; day++) {
    const start = new Date(from.getTime() + day * 86_400_000).toISOString();
    const end = new Date(from.getTime() + (day + 1) * 86_400_000).toISOString();
    await pool.query(`CREATE TABLE ${name}_d${day} PARTITION OF ${name} FOR VALUES FROM ('${start}') TO ('${end}')`);
  }
}

/**
 * A run that was interrupted (Ctrl-C: embedded-postgres's exit hook ends the process before
 * any cleanup of ours) leaves its database behind. On this machine's server, the databases
 * of benchmark processes that are gone are dropped; those of running ones are left alone.
 */
async function dropAbandoned(adminUrl: string): Promise<void> {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(adminUrl).hostname)) return;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      `${PREFIX}%`,
    ]);
    for (const { datname } of rows) {
      const pid = Number(datname.slice(PREFIX.length));
      if (Number.isInteger(pid) && pid > 0 && !isRunning(pid))
        await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
