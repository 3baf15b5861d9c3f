import type { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';

export interface DatabaseSettings {
  url: string;
  poolSize: number;
  entities: MixedList<Function | string | EntitySchema>;
  migrations: MixedList<Function | string>;
  /** Apply pending migrations when the connection opens (the service does, tools may not). */
  migrationsRun: boolean;
}

/** The one place TypeORM's options are decided: the service, the CLI and the tests share it. */
export function dataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: settings.entities,
    migrations: settings.migrations,
    migrationsRun: settings.migrationsRun,
    migrationsTransactionMode: 'each',
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+; no uuid-ossp extension needed.
    uuidExtension: 'pgcrypto',
    // Failed queries surface as errors where they happen; TypeORM's own logger would print parameters.
    logging: false,
    // Without a timeout the pool would wait forever for an unreachable server.
    connectTimeoutMS: 5000,
    // Connections once opened are kept (pg-pool would close them after 10 s idle): reopening one
    // under a burst costs a connection setup and re-preparing the board path's statements.
    extra: { max: settings.poolSize, min: settings.poolSize, application_name: 'plantgraph' },
  };
}
