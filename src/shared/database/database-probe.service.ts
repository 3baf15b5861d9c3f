import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface PoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** What health checks and metrics need to know about the database, without touching TypeORM. */
@Injectable()
export class DatabaseProbe {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** True when PostgreSQL answers a trivial query within the timeout. */
  async answers(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const query = this.dataSource
      .query('SELECT 1')
      .then(() => true)
      .catch(() => false);
    try {
      return await Promise.race([query, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The pg pool's connection counts (TypeORM keeps the pool as the driver's `master`). */
  poolStats(): PoolStats | undefined {
    return (this.dataSource.driver as unknown as { master?: PoolStats }).master;
  }
}
