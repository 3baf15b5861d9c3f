import { Injectable, type NestMiddleware, type OnModuleInit } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { DatabaseProbe } from '../database/database-probe.service.js';
import { PubSub } from '../pubsub/pub-sub.js';
import { MetricsService } from './metrics.service.js';

/** HTTP requests by method, route and status, with their durations. */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  private readonly duration;

  constructor(metrics: MetricsService) {
    this.duration = metrics.histogram(
      'plantgraph_http_request_duration_seconds',
      'HTTP requests by method, path and status',
      ['method', 'path', 'status'],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    );
  }

  use(req: Request, res: Response, next: NextFunction): void {
    const end = this.duration.startTimer({ method: req.method });
    res.on('finish', () =>
      end({ path: req.baseUrl || req.path.split('/').slice(0, 2).join('/'), status: res.statusCode }),
    );
    next();
  }
}

/** Gauges read when /metrics is scraped: database pool and open subscriptions. */
@Injectable()
export class PlatformGauges implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly database: DatabaseProbe,
    private readonly pubsub: PubSub,
  ) {}

  onModuleInit(): void {
    const database = this.database;
    this.metrics.gauge('plantgraph_db_pool_connections', 'Database pool connections by state', ['state'], function () {
      const stats = database.poolStats();
      if (!stats) return;
      this.set({ state: 'total' }, stats.totalCount);
      this.set({ state: 'idle' }, stats.idleCount);
      this.set({ state: 'waiting' }, stats.waitingCount);
    });
    const pubsub = this.pubsub;
    this.metrics.gauge(
      'plantgraph_graphql_subscriptions',
      'Open GraphQL subscriptions on this replica',
      [],
      function () {
        this.set(pubsub.activeSubscriptions());
      },
    );
  }
}
