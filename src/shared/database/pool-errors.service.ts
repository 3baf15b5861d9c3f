import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { LogThrottle } from '../observability/log-throttle.js';
import { pgPoolOf } from './batch-writer.factory.js';

/**
 * Keeps a connection dropped by PostgreSQL (restart, failover, an administrator's
 * pg_terminate_backend: 57P01) from crashing the process. pg-pool listens for errors of idle
 * clients only: a client checked out — idle inside a transaction, say — has no 'error'
 * listener (TypeORM adds none), and Node ends the process on an unhandled 'error' event.
 * The query that used the client fails on its own; here the event is only logged.
 */
@Injectable()
export class PoolErrorsService implements OnModuleInit {
  private readonly logger = new Logger(PoolErrorsService.name);
  private readonly log = new LogThrottle(60_000);
  private readonly guarded = new WeakSet<pg.PoolClient>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    const pool = pgPoolOf(this.dataSource);
    const guard = (client: pg.PoolClient) => {
      if (this.guarded.has(client)) return;
      this.guarded.add(client);
      client.on('error', (error) => this.dropped(error));
    };
    pool.on('connect', guard);
    // Clients connected before this hook (migrations) are guarded on their next checkout.
    pool.on('acquire', guard);
  }

  private dropped(error: Error): void {
    const suppressed = this.log.take('dropped');
    if (suppressed !== undefined)
      this.logger.warn(
        `A database connection was dropped: ${error.message}${suppressed ? ` (${suppressed} more not logged)` : ''}`,
      );
  }
}
