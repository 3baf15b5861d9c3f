import { createHash, randomBytes } from 'node:crypto';
import { expect } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config/app-config.js';
import { createApp } from '../../src/bootstrap.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const ADMIN_EMAIL = 'admin@plantgraph.test';
export const ADMIN_PASSWORD = 'admin-password-1';

export interface GraphQLResponse<T = Record<string, any>> {
  data?: T;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }>;
}

/** The `extensions` (code, fields…) of an answer's first error; fails the test when it has none. */
export function errorOf(result: GraphQLResponse): Record<string, any> {
  expect(result.errors).toBeDefined();
  return result.errors![0].extensions!;
}

/**
 * The plant root topic (PLANT_MQTT_ROOT) of this test file's apps. On a broker that other test
 * files and runs share (the machine's Mosquitto in CI's second pass), apps subscribed to the
 * same `plant/…` topics would each receive every file's traffic; one busy with another file's
 * flood falls behind, and the broker drops what overflows its queue (max_queued_messages, 1000
 * by default), its own test's messages among them. One root per file and run keeps each app to
 * its own traffic; the apps of one file (a restart, replicas) share it.
 */
export function testPlantRoot(): string {
  const file = expect.getState().testPath ?? 'unknown';
  const run = /\d+/.exec(process.env.TEST_PG_RUN_PREFIX ?? '')?.[0] ?? String(process.pid);
  return `plant-${run}-${createHash('sha1').update(file).digest('hex').slice(0, 8)}`;
}

export interface TestApp {
  app: INestApplication;
  db: TestDatabase;
  httpUrl: string;
  wsUrl: string;
  mqttUrl: string;
  /** PLANT_MQTT_ROOT of this app (testPlantRoot() unless the test set another): devices publish under it. */
  plantRoot: string;
  graphql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<GraphQLResponse<T>>;
  login(email?: string, password?: string): Promise<string>;
  /** A graphql-ws client as a browser or dashboard would open it. */
  wsClient(token?: string, options?: Partial<Parameters<typeof createClient>[0]>): Client;
  close(): Promise<void>;
}

/**
 * The real service on a free port, with its own database cloned from the migrated
 * template and the run's real broker. `env` overrides configuration for one test file.
 */
export async function startTestApp(env: Record<string, string> = {}, db?: TestDatabase): Promise<TestApp> {
  const database = db ?? (await createTestDatabase());
  const mqttUrl = process.env.TEST_MQTT_URL!;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    MQTT_URL: mqttUrl,
    MQTT_CLIENT_ID: `pg-test-${randomBytes(4).toString('hex')}`,
    // Every app on the shared broker would answer every board ("unknown machine"): each gets its own board root.
    ACCESS_MQTT_ROOT: `machine-${randomBytes(4).toString('hex')}`,
    PLANT_MQTT_ROOT: testPlantRoot(),
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    LOG_LEVEL: 'error',
    LOG_PRETTY: 'false',
    DB_POOL_SIZE: '5',
    // The second CI pass runs against real services: events then travel through Redis too.
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...env,
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const httpUrl = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/graphql`;
  const wsUrl = httpUrl.replace(/^http/, 'ws');
  const clients: Client[] = [];

  const graphql: TestApp['graphql'] = async (query, variables, token) => {
    const response = await fetch(httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return response.json() as Promise<GraphQLResponse<any>>;
  };

  return {
    app,
    db: database,
    httpUrl,
    wsUrl,
    mqttUrl,
    plantRoot: config.PLANT_MQTT_ROOT,
    graphql,
    login: async (email = ADMIN_EMAIL, password = ADMIN_PASSWORD) => {
      const result = await graphql<{ login: { accessToken: string } }>(
        'mutation($input: LoginInput!) { login(input: $input) { accessToken } }',
        { input: { email, password } },
      );
      if (!result.data) throw new Error(`login failed: ${JSON.stringify(result.errors)}`);
      return result.data.login.accessToken;
    },
    wsClient: (token, options) => {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        onNonLazyError: () => undefined,
        ...options,
      });
      clients.push(client);
      return client;
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.dispose()));
      await app.close();
      if (!db) await database.drop();
    },
  };
}

/** Collects the events of one subscription; `next()` waits for the n-th with a deadline. */
export function collect<T = Record<string, any>>(client: Client, query: string, variables?: Record<string, unknown>) {
  const events: Array<{ data?: T; errors?: unknown[] }> = [];
  let completed = false;
  let error: unknown;
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => void events.push(value as { data?: T; errors?: unknown[] }),
      error: (e) => {
        error = e;
      },
      complete: () => {
        completed = true;
      },
    },
  );
  return {
    events,
    unsubscribe,
    get completed() {
      return completed;
    },
    get error() {
      return error;
    },
  };
}

/**
 * Two instances of the service on one database and one Redis, as two replicas would run.
 * `it` is `it.skip` when no Redis answers (it cannot be embedded from npm).
 */
export function replicasSharingRedis() {
  // Set by the global setup when a Redis answers (REDIS_URL, or one on 127.0.0.1:6379).
  const redisUrl = process.env.TEST_REDIS_URL;
  const started: TestApp[] = [];
  return {
    available: Boolean(redisUrl),
    async start(): Promise<[TestApp, TestApp]> {
      const a = await startTestApp({ REDIS_URL: redisUrl! });
      started.push(a);
      const b = await startTestApp({ REDIS_URL: redisUrl! }, a.db);
      started.push(b);
      return [a, b];
    },
    async close(): Promise<void> {
      for (const app of started.splice(0).reverse()) await app.close();
    },
  };
}
