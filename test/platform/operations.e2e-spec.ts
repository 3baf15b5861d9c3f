import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { collect, startTestApp, type TestApp } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';

/** The value of one sample line of a Prometheus text exposition, e.g. `name{a="b"} 3`. */
function sample(metrics: string, series: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.TEST_PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('operations: health, metrics, request ids', () => {
  let t: TestApp;
  let base: string;
  const metrics = async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  beforeAll(async () => {
    t = await startTestApp();
    base = new URL(t.httpUrl).origin;
  });
  afterAll(() => t.close());

  it('GET /health answers 200 with the database and the broker up', async () => {
    const response = await fetch(`${base}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', database: 'up', broker: 'up' });
  });

  it('GET /metrics exposes HTTP, GraphQL, MQTT, pool and subscription metrics in Prometheus text', async () => {
    const token = await t.login();
    expect((await t.graphql('query WhoAmI { me { email } }', {}, token)).data!.me.email).toBeDefined();
    // Services hold PubSub subscriptions of their own (state bands, machine changes…): count from there.
    const before = sample(await metrics(), 'plantgraph_graphql_subscriptions') ?? 0;
    const subscription = collect(t.wsClient(token), 'subscription { userChanged { kind } }');

    const text = await waitFor(
      async () => {
        const body = await metrics();
        return sample(body, 'plantgraph_graphql_subscriptions') === before + 1 && body;
      },
      { what: 'the open subscription to show in /metrics' },
    );
    for (const name of [
      'plantgraph_http_request_duration_seconds',
      'plantgraph_graphql_operation_duration_seconds',
      'plantgraph_mqtt_messages_received_total',
      'plantgraph_db_pool_connections',
      'plantgraph_graphql_subscriptions',
    ])
      expect(text).toContain(`# TYPE ${name} `);
    expect(
      sample(text, 'plantgraph_graphql_operation_duration_seconds_count{type="query",name="WhoAmI",outcome="ok"}'),
    ).toBe(1);
    expect(
      sample(text, 'plantgraph_http_request_duration_seconds_count{method="POST",path="/graphql",status="200"}'),
    ).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'plantgraph_mqtt_connected')).toBe(1);
    expect(sample(text, 'plantgraph_db_pool_connections{state="total"}')).toBeGreaterThanOrEqual(1);
    expect(text).toContain('# TYPE plantgraph_process_resident_memory_bytes gauge');
    expect(text).toContain('# TYPE plantgraph_nodejs_eventloop_lag_seconds gauge');

    subscription.unsubscribe();
    await waitFor(async () => sample(await metrics(), 'plantgraph_graphql_subscriptions') === before, {
      what: 'the closed subscription to leave /metrics',
    });
  });

  it('answers every request with an x-request-id, keeping the one the caller sent', async () => {
    const given = await fetch(`${base}/health`, { headers: { 'x-request-id': 'trace-me-42' } });
    expect(given.headers.get('x-request-id')).toBe('trace-me-42');

    const generated = await fetch(t.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    const other = await fetch(`${base}/metrics`);
    const ids = [generated.headers.get('x-request-id'), other.headers.get('x-request-id')];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(ids[0]).not.toBe(ids[1]);

    const long = await fetch(`${base}/health`, { headers: { 'x-request-id': 'x'.repeat(500) } });
    expect(long.headers.get('x-request-id')).toBe('x'.repeat(64));
  });
});

describe('operations: health when the database goes away', () => {
  let t: TestApp;
  let base: string;
  let blocked = false;
  const allowConnections = (allow: boolean) =>
    adminQuery(`ALTER DATABASE "${t.db.name}" WITH ALLOW_CONNECTIONS ${allow}`).then(() => void (blocked = !allow));

  beforeAll(async () => {
    t = await startTestApp();
    base = new URL(t.httpUrl).origin;
  });
  afterAll(async () => {
    if (blocked) await allowConnections(true);
    await t.close();
  });

  it('reports database down with 503 while PostgreSQL refuses it, and up again once it is back', async () => {
    expect((await fetch(`${base}/health`)).status).toBe(200);

    await allowConnections(false);
    await adminQuery(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${t.db.name}' AND pid <> pg_backend_pid()`,
    );
    const down = await waitFor(
      async () => {
        const response = await fetch(`${base}/health`);
        return response.status === 503 && response.json();
      },
      { what: 'health to report the database down' },
    );
    expect(down).toEqual({ status: 'unavailable', database: 'down', broker: 'up' });

    await allowConnections(true);
    const up = await waitFor(
      async () => {
        const response = await fetch(`${base}/health`);
        return response.status === 200 && response.json();
      },
      { what: 'health to recover' },
    );
    expect(up).toEqual({ status: 'ok', database: 'up', broker: 'up' });
  });
});
