import { writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations/index.js';
import { loadConfig } from './config/app-config.js';
import { ORM_ENTITIES } from './orm-entities.js';
import { dataSourceOptions } from './shared/database/data-source-options.js';
import { startEmbeddedPostgres } from './shared/embedded/embedded-postgres.js';

/**
 * `npm run migration:run | migration:revert | migration:generate -- <Name>`.
 * Uses DATABASE_URL, or the embedded PostgreSQL of `npm start` when it is unset.
 * `generate` diffs the entities against a database migrated to the latest migration and
 * writes `migrations/<timestamp>-<Name>.ts`, registering it in migrations/index.ts.
 */
async function main(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  const config = loadConfig();
  const embedded = config.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: config.EMBEDDED_PG_DIR,
        preferredPort: config.EMBEDDED_PG_PORT,
        database: 'plantgraph',
      });
  const dataSource = new DataSource(
    dataSourceOptions({
      url: config.DATABASE_URL ?? embedded!.url,
      poolSize: 2,
      entities: ORM_ENTITIES,
      migrations: MIGRATIONS,
      migrationsRun: false,
    }),
  );
  await dataSource.initialize();
  try {
    if (command === 'run') report(await dataSource.runMigrations(), 'applied');
    else if (command === 'revert') await dataSource.undoLastMigration();
    else if (command === 'generate') await generate(dataSource, name);
    else throw new Error('usage: migration-cli run | revert | generate <PascalName>');
  } finally {
    await dataSource.destroy();
    await embedded?.stop();
  }
}

async function generate(dataSource: DataSource, name: string | undefined): Promise<void> {
  if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) throw new Error('generate needs a PascalCase name');
  await dataSource.runMigrations();
  const sql = await dataSource.driver.createSchemaBuilder().log();
  if (!sql.upQueries.length) {
    process.stdout.write('No changes: the entities match the migrated schema.\n');
    return;
  }
  const timestamp = Date.now();
  const className = `${name}${timestamp}`;
  const quote = (q: string) => `    await queryRunner.query(${JSON.stringify(q)});`;
  const file = `${timestamp}-${name}`;
  const source = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
${sql.upQueries.map((q) => quote(q.query)).join('\n')}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${sql.downQueries
  .reverse()
  .map((q) => quote(q.query))
  .join('\n')}
  }
}
`;
  const folder = path.resolve('migrations');
  writeFileSync(path.join(folder, `${file}.ts`), source);
  const indexPath = path.join(folder, 'index.ts');
  const current = readFileSync(indexPath, 'utf8');
  const index =
    `import { ${className} } from './${file}.js';\n${current.startsWith('import') ? '' : '\n'}${current}`.replace(
      /\[([^\]]*)\];/,
      (_, list: string) => `[${[list.trim(), `${className}`].filter(Boolean).join(', ')}];`,
    );
  writeFileSync(indexPath, index);
  process.stdout.write(`Wrote migrations/${file}.ts (${sql.upQueries.length} statements) and registered it.\n`);
}

function report(applied: { name: string }[], verb: string): void {
  process.stdout.write(applied.length ? applied.map((m) => `${verb} ${m.name}\n`).join('') : 'Nothing to apply.\n');
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
