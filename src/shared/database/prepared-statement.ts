import type pg from 'pg';
import { QueryFailedError, type EntityManager } from 'typeorm';
import { pgPoolOf } from './batch-writer.factory.js';

/**
 * A statement PostgreSQL parses and plans once per connection instead of on every call
 * (a named statement of node-postgres). For the small queries of a hot path, planning is
 * most of PostgreSQL's work: the maintenance-plan query of an RFID `checkmachine` costs the
 * server about 50 µs prepared and 300 µs planned each time. Parameters of plain types let
 * PostgreSQL settle on one generic plan (an array parameter may be planned anew on every
 * call, as if not prepared). The name must be unique per text.
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

export function prepared(name: string, text: string): PreparedStatement {
  return { name, text };
}

/**
 * Runs the statement on the connection of `manager`'s transaction (a manager from
 * transactionalManager inside Transactions.run), else on a pooled connection. Bypasses
 * TypeORM's query runner (its per-query cost shows on a hot path); errors are TypeORM's
 * QueryFailedError as usual, so that translateUniqueViolation and callers see no difference.
 */
export async function runPrepared<Row extends pg.QueryResultRow>(
  manager: EntityManager,
  statement: PreparedStatement,
  values: unknown[],
): Promise<pg.QueryResult<Row>> {
  const config = { name: statement.name, text: statement.text, values };
  try {
    if (manager.queryRunner) return await ((await manager.queryRunner.connect()) as pg.ClientBase).query<Row>(config);
    const client = await pgPoolOf(manager.dataSource).connect();
    try {
      return await client.query<Row>(config);
    } finally {
      client.release();
    }
  } catch (error) {
    throw new QueryFailedError(statement.text, values, error as Error);
  }
}
