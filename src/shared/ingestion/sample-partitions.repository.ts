import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { addDays, dayStart, utcDay } from './partition-plan.js';

/** Days are UTC calendar days, 'YYYY-MM-DD'. */
export interface PartitionInventory {
  /** A sample table or one of its rollups: they are partitioned alike. */
  table: string;
  /** Days that have a partition of their own. */
  days: string[];
  /** Days that have rows in the DEFAULT partition. */
  daysInDefault: string[];
}

/** `electrical_samples_p20261121` holds 2026-11-21 (UTC). */
function partitionName(table: string, day: string): string {
  // dayStart refuses anything but YYYY-MM-DD: the name goes into DDL.
  return `${known(table)}_p${utcDay(dayStart(day)).replaceAll('-', '')}`;
}

function defaultPartition(table: string): string {
  return `${known(table)}_default`;
}

/** Table names go into DDL: they come from sample-kind declarations, and are checked to be plain identifiers all the same. */
function known(table: string): string {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(table)) throw new RangeError(`Not a partitioned sample table: ${table}`);
  return table;
}

/** A change that cannot get its locks this fast gives up until the next run, rather than hold up ingestion. */
const LOCK_TIMEOUT = '5s';

/**
 * Daily range partitions of the sample tables and their rollups (one DEFAULT partition
 * each, created by their migration). Safe to call from several replicas at once: every change runs in a transaction that first
 * takes SHARE ROW EXCLUSIVE on the parent table: inserts wait for those few milliseconds
 * (so none can land in the DEFAULT partition between the move and the attach), reads do
 * not unless rows move out of the DEFAULT partition (rare: samples older than yesterday
 * whose day had no partition), and two replicas' maintenance runs take turns. Attaching and dropping also wait for
 * running reads of the partitions involved; lock_timeout bounds how long inserts queue
 * behind that.
 */
@Injectable()
export class SamplePartitionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async inventory(tables: readonly string[]): Promise<PartitionInventory[]> {
    return Promise.all(
      tables.map(async (table) => {
        const children = await this.dataSource.query<Array<{ name: string }>>(
          `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = $1::regclass`,
          [table],
        );
        const pattern = new RegExp(`^${table}_p(\\d{4})(\\d{2})(\\d{2})$`);
        const days = children.flatMap(({ name }) => {
          const match = pattern.exec(name);
          return match ? [`${match[1]}-${match[2]}-${match[3]}`] : [];
        });
        // The DEFAULT partition is normally empty: this reads nothing more.
        const inDefault = await this.dataSource.query<Array<{ day: string }>>(
          `SELECT DISTINCT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM ${defaultPartition(table)}`,
        );
        return { table, days, daysInDefault: inDefault.map((row) => row.day) };
      }),
    );
  }

  /**
   * Creates the day's partition unless it exists, moving that day's rows out of the DEFAULT
   * partition into it, in one transaction. Returns how many rows were moved.
   */
  createDay(table: string, day: string): Promise<number> {
    const partition = partitionName(table, day);
    const from = dayStart(day).toISOString();
    const to = dayStart(addDays(day, 1)).toISOString();
    return this.locked(table, async (manager) => {
      const [{ exists }] = await manager.query<Array<{ exists: boolean }>>(
        'SELECT to_regclass($1) IS NOT NULL AS exists',
        [partition],
      );
      if (exists) return 0;
      const [{ waiting }] = await manager.query<Array<{ waiting: boolean }>>(
        `SELECT EXISTS (SELECT 1 FROM ${defaultPartition(table)} WHERE ts >= $1 AND ts < $2) AS waiting`,
        [from, to],
      );
      // Rows to move: reads wait too, for those milliseconds. A read planned against the DEFAULT
      // partition alone but run after the move would miss them (its snapshot is taken after its
      // lock wait), and derived state loaded that way resumes wrong.
      if (waiting) await manager.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
      // Attaching checks the DEFAULT partition holds no row of the day, so the day's rows move first.
      await manager.query(`CREATE TABLE ${partition} (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
      const moved = await manager.query<Array<{ count: string }>>(
        `WITH moved AS (DELETE FROM ${defaultPartition(table)} WHERE ts >= $1 AND ts < $2 RETURNING *),
              copied AS (INSERT INTO ${partition} SELECT * FROM moved RETURNING 1)
         SELECT count(*) AS count FROM copied`,
        [from, to],
      );
      await manager.query(
        `ALTER TABLE ${table} ATTACH PARTITION ${partition} FOR VALUES FROM ('${from}') TO ('${to}')`,
      );
      return Number(moved[0].count);
    });
  }

  async dropDay(table: string, day: string): Promise<void> {
    await this.locked(table, (manager) => manager.query(`DROP TABLE IF EXISTS ${partitionName(table, day)}`));
  }

  /** Deletes the DEFAULT partition's rows older than the day; returns how many. */
  async purgeDefaultBefore(table: string, day: string): Promise<number> {
    const rows = await this.dataSource.query<Array<{ count: string }>>(
      `WITH purged AS (DELETE FROM ${defaultPartition(table)} WHERE ts < $1 RETURNING 1) SELECT count(*) AS count FROM purged`,
      [dayStart(day).toISOString()],
    );
    return Number(rows[0].count);
  }

  private locked<T>(table: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
      await manager.query(`LOCK TABLE ${known(table)} IN SHARE ROW EXCLUSIVE MODE`);
      return work(manager);
    });
  }
}
