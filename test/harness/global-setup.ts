import './ts-resolution.cjs';
import { execFile } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { startEmbeddedPostgres, type EmbeddedService } from '../../src/shared/embedded/embedded-postgres.js';
import { startEmbeddedBroker } from '../../src/shared/embedded/embedded-broker.js';
import { dataSourceOptions } from '../../src/shared/database/data-source-options.js';
import { ORM_ENTITIES } from '../../src/orm-entities.js';
import { MIGRATIONS } from '../../migrations/index.js';

/**
 * Once per test run: a real PostgreSQL (DATABASE_URL, or an embedded one) with a template
 * database migrated from empty, and a real MQTT broker (MQTT_URL, or an embedded aedes).
 * Each test file clones the template (test/harness/database.ts). And the dashboard's GraphQL
 * types generated from schema.gql, once: the dashboard files build the page at the same time,
 * and a generation per file would rewrite web/src/gql/ while another build reads it.
 */
export default async function globalSetup(): Promise<void> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const dashboardTypes = promisify(execFile)(
    path.join(root, 'node_modules/.bin/graphql-codegen'),
    ['--config', 'web/codegen.ts', '--silent'],
    { cwd: root },
  );
  const started: EmbeddedService[] = [];
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const pgService = await startEmbeddedPostgres({
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'plantgraph-test-pg-')),
      preferredPort: 0,
      database: 'postgres',
      ephemeral: true,
    });
    started.push(pgService);
    adminUrl = pgService.url;
  }
  let mqttUrl = process.env.MQTT_URL;
  if (!mqttUrl) {
    const broker = await startEmbeddedBroker(0);
    started.push(broker);
    mqttUrl = broker.url;
  }
  const template = `plantgraph_template_${process.pid}`;
  // Every database of this run is named after its process, so that its teardown, on a shared
  // PostgreSQL, drops its own and those of runs that died, and leaves running ones alone.
  process.env.TEST_PG_RUN_PREFIX = `plantgraph_test_${process.pid}_`;
  await recreateDatabase(adminUrl, template);
  const dataSource = new DataSource(
    dataSourceOptions({
      url: withDatabase(adminUrl, template),
      poolSize: 2,
      entities: ORM_ENTITIES,
      migrations: MIGRATIONS,
      migrationsRun: false,
    }),
  );
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();

  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await answers(new URL(redisUrl))) process.env.TEST_REDIS_URL = redisUrl;

  await dashboardTypes;

  process.env.TEST_PG_ADMIN_URL = adminUrl;
  process.env.TEST_PG_TEMPLATE = template;
  process.env.TEST_MQTT_URL = mqttUrl;
  (globalThis as Record<string, unknown>).__plantgraphTestServices = { started, adminUrl, template };
}

/** Redis cannot be embedded from npm; the cross-instance test uses one when it answers. */
function answers(url: URL): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port || 6379), timeout: 500 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function recreateDatabase(adminUrl: string, database: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${database}"${template ? ` TEMPLATE "${template}"` : ''}`);
  } finally {
    await client.end();
  }
}
