import './ts-resolution.cjs';
import pg from 'pg';
import type { EmbeddedService } from '../../src/shared/embedded/embedded-postgres.js';

export default async function globalTeardown(): Promise<void> {
  const services = (globalThis as Record<string, unknown>).__plantgraphTestServices as
    { started: EmbeddedService[]; adminUrl: string; template: string } | undefined;
  if (!services) return;
  if (process.env.DATABASE_URL) await dropLeftovers(services.adminUrl, services.template);
  for (const service of services.started.reverse()) await service.stop();
}

/** On a shared PostgreSQL, remove this run's template and any per-file database left behind. */
async function dropLeftovers(adminUrl: string, template: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE 'plantgraph_test_%'",
      [template],
    );
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
