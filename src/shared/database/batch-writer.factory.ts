import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { MetricsService } from '../observability/metrics.service.js';
import { BatchWriter, type BatchTable, type BatchWriterOptions } from './batch-writer.js';

/**
 * Creates the batch writers of the ingestion path on the service's connection pool, and
 * drains them at shutdown. Call `create` once per table (e.g. in a repository's constructor).
 */
@Injectable()
export class BatchWriterFactory implements OnApplicationShutdown {
  private readonly writers: Array<Pick<BatchWriter<unknown>, 'close'>> = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
  ) {}

  create<T>(table: BatchTable<T>, options?: BatchWriterOptions): BatchWriter<T> {
    const writer = new BatchWriter(pgPoolOf(this.dataSource), table, this.metrics, options);
    this.writers.push(writer);
    return writer;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.writers.map((writer) => writer.close()));
  }
}

/**
 * The pg Pool under TypeORM's data source (the driver keeps it as `master`), so the
 * batch writers share the service's connections and settings instead of opening their own.
 */
export function pgPoolOf(dataSource: DataSource): pg.Pool {
  const pool = (dataSource.driver as unknown as { master?: pg.Pool }).master;
  if (!pool) throw new Error('The data source has no connection pool yet: initialize it first');
  return pool;
}
