import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { recreateDatabase, withDatabase } from './global-setup.js';

export interface TestDatabase {
  url: string;
  name: string;
  query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/**
 * A private database for one test file, cloned from the migrated template in milliseconds. Its
 * name carries the run (global-setup.ts): a run cleans up only its own databases, never those of
 * another run on the same PostgreSQL.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_PG_ADMIN_URL!;
  const name = `${process.env.TEST_PG_RUN_PREFIX!}${randomBytes(5).toString('hex')}`;
  await recreateDatabase(adminUrl, name, process.env.TEST_PG_TEMPLATE!);
  const url = withDatabase(adminUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // Outage tests terminate this database's backends: an idle client's error must not crash the run.
  pool.on('error', () => undefined);
  return {
    url,
    name,
    query: async (sql, params) => (await pool.query(sql, params)).rows,
    drop: async () => {
      await pool.end();
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).finally(() => client.end());
    },
  };
}
