import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { pgArray } from '../database/pg-array-literal.js';
import { transactionalManager } from '../database/transactions.adapter.js';
import type { StoredSamples } from './derived-state.js';
import type { SampleTable } from './sample-kind.js';

/**
 * The reads every sample table answers alike, written once from its declaration (the
 * writes go through the batch writer). Table and column names come from declarations in
 * the code, never from input.
 */
export class SampleTableRepository<S> implements StoredSamples<S> {
  private readonly columns: string;
  private readonly source: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly table: SampleTable<S>,
  ) {
    this.columns = table.columns.map((c) => c.name).join(', ');
    this.source = table.sourceColumn;
  }

  /**
   * The newest sample per source (per source and part), looking no further back than
   * `since`: one index probe per source and part through each partition in the window,
   * however many samples it holds (DISTINCT ON would read every one of them).
   */
  async latest(sources: readonly number[], since: Date): Promise<S[]> {
    if (!sources.length) return [];
    const { name, partColumn, parts } = this.table;
    const byPart = partColumn && parts?.length;
    const rows = await this.dataSource.query<Record<string, unknown>[]>(
      `SELECT s.* FROM unnest($1::int[]) AS k(id) ${byPart ? 'CROSS JOIN unnest($3::text[]) AS p(part)' : ''}
       CROSS JOIN LATERAL (
         SELECT ${this.columns} FROM ${name}
         WHERE ${this.source} = k.id ${byPart ? `AND ${partColumn} = p.part` : ''} AND ts >= $2
         ORDER BY ts DESC LIMIT 1) s`,
      byPart ? [pgArray(sources), since, pgArray(parts)] : [pgArray(sources), since],
    );
    return rows.map((row) => this.table.fromRow(row));
  }

  async after(source: number, after: Date, limit: number): Promise<S[]> {
    const order = this.table.partColumn ? `ts, ${this.table.partColumn}` : 'ts';
    const rows = await this.dataSource.query<Record<string, unknown>[]>(
      `SELECT ${this.columns} FROM ${this.table.name} WHERE ${this.source} = $1 AND ts > $2 ORDER BY ${order} LIMIT $3`,
      [source, after, limit],
    );
    return rows.map((row) => this.table.fromRow(row));
  }

  async sourcesWithSamplesAfter(watermarks: ReadonlyMap<number, Date>): Promise<number[]> {
    if (!watermarks.size) return [];
    const rows = await this.dataSource.query<Array<{ id: number }>>(
      `SELECT w.id FROM unnest($1::int[], $2::timestamptz[]) AS w(id, after)
       WHERE EXISTS (SELECT 1 FROM ${this.table.name} s WHERE s.${this.source} = w.id AND s.ts > w.after)`,
      [pgArray([...watermarks.keys()]), pgArray([...watermarks.values()])],
    );
    return rows.map((r) => r.id);
  }

  async countOf(source: number): Promise<number> {
    const [row] = await this.dataSource.query<Array<{ count: string }>>(
      `SELECT count(*) AS count FROM ${this.table.name} WHERE ${this.source} = $1`,
      [source],
    );
    return Number(row.count);
  }

  /** The source's samples and companion rows, in the caller's transaction when there is one (deleting a machine). */
  async deleteOf(source: number): Promise<void> {
    const manager = transactionalManager(this.dataSource.manager);
    for (const table of [this.table.name, ...(this.table.companions ?? [])])
      await manager.query(`DELETE FROM ${table} WHERE ${this.source} = $1`, [source]);
  }
}

/** Creates each registered kind's repository on the service's data source. */
@Injectable()
export class SampleTableRepositories {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  create<S>(table: SampleTable<S>): SampleTableRepository<S> {
    return new SampleTableRepository(this.dataSource, table);
  }
}
