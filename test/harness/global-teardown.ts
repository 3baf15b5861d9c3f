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

/**
 * On a shared PostgreSQL, removes this run's template and per-file databases, and those of runs
 * whose process is gone (a run killed before its teardown); other runs going on at the same
 * time (another terminal, another checkout) keep theirs.
 */
async function dropLeftovers(adminUrl: string, template: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'plantgraph\\_test\\_%' OR datname LIKE 'plantgraph\\_template\\_%'",
    );
    for (const { datname } of rows) {
      if (datname !== template && !leftBehind(datname)) continue;
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}

/** A database of this run, or of a run whose process no longer exists. */
function leftBehind(datname: string): boolean {
  const pid = Number(/^plantgraph_(?:test|template)_(\d+)(?:_|$)/.exec(datname)?.[1]);
  if (!pid) return false; // not named after a run: not ours to judge
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
