import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { Redis } from 'ioredis';
import { AppConfig } from '../../config/app-config.js';
import { TooManyRequestsError } from '../../shared/errors/domain-errors.js';
import { LoginThrottle } from '../application/identity.ports.js';

/**
 * Failed-login counters per e-mail and per client address (rate-limiter-flexible): in
 * memory for one instance, in Redis when REDIS_URL is set so that replicas share them.
 */
@Injectable()
export class RateLimitedLoginThrottle extends LoginThrottle implements OnApplicationShutdown {
  private readonly redis?: Redis;
  private readonly byEmail: RateLimiterAbstract;
  private readonly byClient: RateLimiterAbstract;

  constructor(config: AppConfig) {
    super();
    const duration = config.LOGIN_THROTTLE_WINDOW_SECONDS;
    const redis = (this.redis = config.REDIS_URL
      ? new Redis(config.REDIS_URL, { enableOfflineQueue: false })
      : undefined);
    // Replicas of one deployment share a database and so their counters; other deployments
    // (or test runs) sharing the same Redis keep their own.
    const deployment = config.DATABASE_URL ? new URL(config.DATABASE_URL).pathname.slice(1) : 'default';
    const make = (name: string, points: number) =>
      redis
        ? new RateLimiterRedis({
            storeClient: redis,
            keyPrefix: `plantgraph:${deployment}:${name}`,
            points,
            duration,
            useRedisPackage: false,
          })
        : new RateLimiterMemory({ keyPrefix: name, points, duration });
    this.byEmail = make('login-email', config.LOGIN_MAX_FAILURES_PER_EMAIL);
    this.byClient = make('login-client', config.LOGIN_MAX_FAILURES_PER_CLIENT);
  }

  async assertAllowed(email: string, clientAddress: string): Promise<void> {
    for (const [limiter, key] of [
      [this.byEmail, email],
      [this.byClient, clientAddress],
    ] as const) {
      const state = await limiter.get(key);
      if (state && state.consumedPoints >= limiter.points)
        throw new TooManyRequestsError('Too many failed logins; try again later', Math.ceil(state.msBeforeNext / 1000));
    }
  }

  async recordFailure(email: string, clientAddress: string): Promise<void> {
    await Promise.all([swallowLimit(this.byEmail.consume(email)), swallowLimit(this.byClient.consume(clientAddress))]);
  }

  async reset(email: string): Promise<void> {
    await this.byEmail.delete(email);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit();
  }
}

/** consume() rejects with a RateLimiterRes once over the limit: that is the expected outcome here. */
function swallowLimit(consumed: Promise<unknown>): Promise<unknown> {
  return consumed.catch((e) => {
    if (!(e instanceof RateLimiterRes)) throw e;
  });
}
