import { EventEmitter } from 'node:events';
import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { PubSub as MemoryEngine } from 'graphql-subscriptions';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';
import { AppConfig } from '../../config/app-config.js';
import { PubSub } from './pub-sub.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Events cross Redis as JSON; dates come back as Date objects so scalars serialise them alike. */
const reviveDates = (_key: string, value: unknown) =>
  typeof value === 'string' && ISO_DATE.test(value) ? new Date(value) : value;

/**
 * Every open subscription on graphql-js's own path holds a listener on its topic (shared
 * execution holds one per group), so a replica serving dashboards has hundreds to thousands
 * on one topic; Node's default warns past 10. Far beyond what one replica serves is a leak.
 */
const MAX_LISTENERS_PER_TOPIC = 20_000;

/** The engine under the PubSub port: in memory, or Redis when configured. */
export function createEngine(config: Pick<AppConfig, 'REDIS_URL'>) {
  if (!config.REDIS_URL) {
    const eventEmitter = new EventEmitter();
    eventEmitter.setMaxListeners(MAX_LISTENERS_PER_TOPIC);
    return { engine: new MemoryEngine({ eventEmitter }), close: async () => undefined };
  }
  const publisher = new Redis(config.REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: null });
  const subscriber = new Redis(config.REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: null });
  const engine = new RedisPubSub({ publisher, subscriber, reviver: reviveDates });
  return { engine, close: () => engine.close().then(() => undefined) };
}

/**
 * Replicas of one deployment share a database, and so its name: their events meet in Redis;
 * another deployment (or test run) on the same Redis has another database and its own channels.
 */
function deploymentOf(config: Pick<AppConfig, 'DATABASE_URL'>): string {
  const url = config.DATABASE_URL ? new URL(config.DATABASE_URL) : undefined;
  return url ? `plantgraph:${url.host}/${url.pathname.slice(1)}` : 'plantgraph';
}

@Global()
@Module({
  providers: [
    {
      provide: 'PUBSUB_ENGINE',
      inject: [AppConfig],
      useFactory: createEngine,
    },
    {
      provide: PubSub,
      inject: ['PUBSUB_ENGINE', AppConfig],
      useFactory: ({ engine }: ReturnType<typeof createEngine>, config: AppConfig) =>
        // In memory a publish is delivered at once: the deadline for an unanswering Redis costs a
        // timer per event on the ingestion path, and is kept only where it can help.
        config.REDIS_URL ? new PubSub(engine, `${deploymentOf(config)}:`) : new PubSub(engine, '', null),
    },
  ],
  exports: [PubSub],
})
export class PubSubModule implements OnApplicationShutdown {
  constructor(@Inject('PUBSUB_ENGINE') private readonly engine: ReturnType<typeof createEngine>) {}

  onApplicationShutdown(): Promise<void> {
    return this.engine.close();
  }
}
