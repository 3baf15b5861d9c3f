import { Injectable, type NestMiddleware, type OnModuleDestroy } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * Once the service begins to stop, every new HTTP request is answered 503 SERVICE_UNAVAILABLE
 * (GraphQL-shaped, with Retry-After, closing the connection) instead of reaching modules that
 * are shutting down. A half-stopped service would otherwise answer with whatever a closing
 * database pool throws, and a client would take that for an answer: a refresh token refused,
 * a page logged out. A 503 is what clients retry, against the next start or another replica.
 *
 * onModuleDestroy is the first shutdown hook: every one of them runs before any module releases
 * its resources in onApplicationShutdown.
 */
@Injectable()
export class StoppingGate implements NestMiddleware, OnModuleDestroy {
  private stopping = false;

  onModuleDestroy(): void {
    this.stopping = true;
  }

  use(_req: Request, res: Response, next: NextFunction): void {
    if (!this.stopping) return next();
    res.setHeader('Connection', 'close');
    res.setHeader('Retry-After', '1');
    res.status(503).json({
      errors: [{ message: 'The service is stopping; try again shortly', extensions: { code: 'SERVICE_UNAVAILABLE' } }],
    });
  }
}
