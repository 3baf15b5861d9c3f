import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';
import { ORM_ENTITIES } from '../../src/orm-entities.js';
import { dataSourceOptions } from '../../src/shared/database/data-source-options.js';
import { recreateDatabase, withDatabase } from '../harness/global-setup.js';

/** Every migration applied to an empty database leaves exactly the schema the entities describe. */
describe('migrations', () => {
  const name = `${process.env.TEST_PG_RUN_PREFIX!}empty`;
  let dataSource: DataSource;

  beforeAll(async () => {
    await recreateDatabase(process.env.TEST_PG_ADMIN_URL!, name);
    dataSource = new DataSource(
      dataSourceOptions({
        url: withDatabase(process.env.TEST_PG_ADMIN_URL!, name),
        poolSize: 2,
        entities: ORM_ENTITIES,
        migrations: MIGRATIONS,
        migrationsRun: false,
      }),
    );
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource.destroy();
    const admin = new DataSource({ type: 'postgres', url: process.env.TEST_PG_ADMIN_URL! });
    await admin.initialize();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.destroy();
  });

  it('lists every migration file in migrations/index.ts, in order', () => {
    const files = readdirSync(path.resolve('migrations'))
      .filter((f) => /^\d+-[A-Za-z0-9]+\.ts$/.test(f))
      .sort();
    const listed = MIGRATIONS.map((m) => (m as { name: string }).name);
    expect(listed).toEqual(files.map((f) => f.replace(/^(\d+)-(\w+)\.ts$/, '$2$1')));
  });

  it('applies every migration to an empty database', async () => {
    const applied = await dataSource.runMigrations();
    expect(applied).toHaveLength(MIGRATIONS.length);
    const tables = await dataSource.query<{ tablename: string }[]>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
    );
    expect(tables.map((t) => t.tablename)).toEqual(expect.arrayContaining(['users', 'roles', 'refresh_tokens']));
  });

  it('leaves no difference between the entities and the migrated schema', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('seeds the five roles', async () => {
    const roles = await dataSource.query<{ name: string }[]>('SELECT name FROM roles ORDER BY name');
    expect(roles.map((r) => r.name)).toEqual(['admin', 'manager', 'member', 'operator', 'supervisor']);
  });

  it('can revert every migration and apply them again', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) await dataSource.undoLastMigration();
    const tables = await dataSource.query(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations'",
    );
    expect(tables).toEqual([]);
    expect(await dataSource.runMigrations()).toHaveLength(MIGRATIONS.length);
  });
});
