import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import {
  BatchRowsRejectedError,
  BatchWriter,
  type BatchTable,
  type BatchWriterOptions,
  type WriteResult,
} from '../../src/shared/database/batch-writer.js';
import { MetricsService } from '../../src/shared/observability/metrics.service.js';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * BatchWriter against the run's real PostgreSQL, on a table shaped like the production
 * sample tables: range-partitioned by time, keyed by (source, ts).
 */
interface Sample {
  source: number;
  ts: Date;
  value: number;
  note?: string | null;
}

const APPLICATION_NAME = 'batch-writer-spec';
const JANUARY_2026 = Date.UTC(2026, 0, 1);

const SAMPLES: BatchTable<Sample> = {
  name: 'samples',
  columns: [
    { name: 'source', type: 'int' },
    { name: 'ts', type: 'timestamptz' },
    { name: 'value', type: 'float8' },
    { name: 'note', type: 'text' },
  ],
  key: ['source', 'ts'],
  values: (s) => [s.source, s.ts, s.value, s.note],
};

function sample(source: number, second: number, value = second): Sample {
  return { source, ts: new Date(JANUARY_2026 + second * 1000), value };
}

let db: TestDatabase;
let pool: pg.Pool;
let metrics: MetricsService;
const writers: Array<BatchWriter<Sample>> = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pool = newPool(db.url);
  await db.query(`
    CREATE TABLE samples (
      source int NOT NULL,
      ts timestamptz NOT NULL,
      value float8 NOT NULL,
      note text,
      PRIMARY KEY (source, ts)
    ) PARTITION BY RANGE (ts);
    CREATE TABLE samples_2026_01 PARTITION OF samples FOR VALUES FROM ('2026-01-01Z') TO ('2026-02-01Z');
    CREATE TABLE samples_2026_02 PARTITION OF samples FOR VALUES FROM ('2026-02-01Z') TO ('2026-03-01Z');
  `);
});

afterAll(async () => {
  await pool.end();
  await db.drop();
});

beforeEach(async () => {
  metrics = new MetricsService();
  await db.query('TRUNCATE samples');
});

afterEach(async () => {
  for (const writer of writers.splice(0)) await writer.close();
});

function newPool(url: string): pg.Pool {
  const created = new pg.Pool({ connectionString: url, max: 4, application_name: APPLICATION_NAME });
  // Backends terminated by a test surface here while idle; without a listener they would crash the worker.
  created.on('error', () => undefined);
  return created;
}

function writer(options: BatchWriterOptions, on: pg.Pool = pool): BatchWriter<Sample> {
  const created = new BatchWriter(on, SAMPLES, metrics, options);
  writers.push(created);
  return created;
}

async function stored(): Promise<Array<{ source: number; second: number; value: number; note: string | null }>> {
  return db.query(
    `SELECT source, extract(epoch FROM ts - '2026-01-01Z')::int AS second, value, note FROM samples ORDER BY source, ts`,
  );
}

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const found = metrics.registry.getSingleMetric(name);
  if (!found) return 0;
  const { values } = await found.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((sum, v) => sum + v.value, 0);
}

async function flushes(): Promise<number> {
  const histogram = metrics.registry.getSingleMetric('plantgraph_batch_flush_duration_seconds');
  const { values } = await histogram!.get();
  const count = values.find(
    (v) => (v as { metricName?: string }).metricName === 'plantgraph_batch_flush_duration_seconds_count',
  );
  return count?.value ?? 0;
}

/** Settles each promise into an inspectable slot, so a test can wait for some of them. */
function track<T>(promise: Promise<T>) {
  const slot: { value?: T; error?: unknown; done: boolean } = { done: false };
  promise.then(
    (value) => Object.assign(slot, { value, done: true }),
    (error) => Object.assign(slot, { error, done: true }),
  );
  return slot;
}

/** Holds an ACCESS EXCLUSIVE lock on the table in an open transaction: inserts block until release(). */
async function lockTable(): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE samples IN ACCESS EXCLUSIVE MODE');
  return {
    release: async () => {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

async function blockedInserts(): Promise<number> {
  const [{ count }] = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM pg_stat_activity
     WHERE datname = current_database() AND application_name = $1 AND wait_event_type = 'Lock'`,
    [APPLICATION_NAME],
  );
  return count;
}

describe('BatchWriter', () => {
  it('writes a batch as soon as it holds maxBatchRows, in one statement, without waiting for the delay', async () => {
    const sut = writer({ maxBatchRows: 10, maxDelayMs: 60_000 });

    const first = Array.from({ length: 9 }, (_, n) => track(sut.write([sample(1, n)])));
    expect(await stored()).toEqual([]);
    const last = track(sut.write([sample(1, 9)]));

    await waitFor(() => last.done && first.every((w) => w.done), { what: 'the ten writes' });
    expect([...first, last].map((w) => w.value)).toEqual(
      Array.from({ length: 10 }, (_, n) => ({ inserted: 1, newRows: [sample(1, n)] })),
    );
    expect(await stored()).toHaveLength(10);
    expect(await flushes()).toBe(1);
    expect(await metric('plantgraph_batch_rows_written_total', { table: 'samples' })).toBe(10);
  });

  it('writes a smaller batch maxDelayMs after its first row, gathering the writes made meanwhile', async () => {
    const sut = writer({ maxBatchRows: 1000, maxDelayMs: 200 });
    const started = Date.now();

    const writes = [sut.write([sample(1, 0)]), sut.write([sample(2, 0), sample(2, 1)]), sut.write([sample(3, 0)])];
    const results = await Promise.all(writes);

    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
    expect(results.map((r) => r.inserted)).toEqual([1, 2, 1]);
    expect(await stored()).toHaveLength(4);
    expect(await flushes()).toBe(1);
  });

  it('resolves a write only once its rows are committed and visible to other connections', async () => {
    const sut = writer({ maxBatchRows: 7, maxDelayMs: 2 });

    const visibleOnResolve = await Promise.all(
      Array.from({ length: 40 }, async (_, n) => {
        await sut.write([sample(n, n)]);
        const rows = await db.query('SELECT 1 FROM samples WHERE source = $1', [n]);
        return rows.length === 1;
      }),
    );

    expect(visibleOnResolve.every(Boolean)).toBe(true);
  });

  it('stores a duplicate once, whether already stored or repeated in the batch, and tells each caller which rows were new', async () => {
    await writer({}).write([sample(1, 0, 10)]);
    const sut = writer({ maxBatchRows: 1000, maxDelayMs: 20 });

    const [a, b, c] = await Promise.all([
      sut.write([sample(1, 0, 99), sample(1, 1, 11), sample(1, 1, 98)]),
      sut.write([sample(1, 1, 97), sample(1, 2, 12)]),
      sut.write([sample(1, 0, 96)]),
    ]);

    expect(a).toEqual({ inserted: 1, newRows: [sample(1, 1, 11)] });
    expect(b).toEqual({ inserted: 1, newRows: [sample(1, 2, 12)] });
    expect(c).toEqual({ inserted: 0, newRows: [] });
    expect(await stored()).toEqual([
      { source: 1, second: 0, value: 10, note: null },
      { source: 1, second: 1, value: 11, note: null },
      { source: 1, second: 2, value: 12, note: null },
    ]);
    expect(await metric('plantgraph_batch_duplicates_total', { table: 'samples' })).toBe(4);
  });

  it('rejects only the callers whose rows PostgreSQL refuses; the rest of their batch is stored', async () => {
    const sut = writer({ maxBatchRows: 1000, maxDelayMs: 20 });
    const outsidePartitions = { source: 2, ts: new Date('2031-01-01Z'), value: 1 };

    const results = await Promise.allSettled([
      sut.write([sample(1, 0)]),
      sut.write([sample(2, 0), outsidePartitions]),
      sut.write([sample(3, 0)]),
      sut.write([{ source: 4, ts: new Date(Number.NaN), value: 1 }]),
      sut.write([{ source: 2 ** 40, ts: new Date(JANUARY_2026), value: 1 }]),
      sut.write([sample(5, 0)]),
    ]);

    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    const reasons = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as BatchRowsRejectedError] : []));
    expect(reasons.every((e) => e instanceof BatchRowsRejectedError)).toBe(true);
    expect(reasons.map((e) => e.code)).toEqual(['23514', 'unencodable', '22003']);
    expect((await stored()).map((r) => r.source)).toEqual([1, 3, 5]);
    expect(await metric('plantgraph_batch_flush_failures_total', { table: 'samples', kind: 'rejected' })).toBe(2);
  });

  it('stores text and special numbers exactly as given', async () => {
    const notes = ['say "hi"', 'back\\slash', 'a,b', '{braces}', 'NULL', '', ' padded ', 'ünï 🌡', null];
    const values = [Number.NaN, Number.POSITIVE_INFINITY, -0.5, 1e-300, 2 ** 53, 1.7976931348623157e308, 0, 1, 2];

    await writer({}).write(notes.map((note, n) => ({ ...sample(1, n, values[n]), note })));

    const rows = await stored();
    expect(rows.map((r) => r.note)).toEqual(notes);
    expect(rows.map((r) => r.value)).toEqual(values);
  });

  it('fails the batch fast while PostgreSQL refuses connections, and writes again once it is back', async () => {
    const outageDb = await createTestDatabase();
    const outagePool = newPool(outageDb.url);
    const admin = new pg.Client({ connectionString: process.env.TEST_PG_ADMIN_URL });
    await admin.connect();
    try {
      await outageDb.query(
        'CREATE TABLE samples (source int, ts timestamptz, value float8, note text, PRIMARY KEY (source, ts))',
      );
      const sut = writer({ maxBatchRows: 100, maxDelayMs: 5 }, outagePool);
      await sut.write([sample(1, 0)]);

      await admin.query(`ALTER DATABASE "${outageDb.name}" ALLOW_CONNECTIONS false`);
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2',
        [outageDb.name, APPLICATION_NAME],
      );
      const started = Date.now();
      const during = await Promise.allSettled([sut.write([sample(2, 0)]), sut.write([sample(3, 0)])]);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(during.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      const reason = (during[0] as PromiseRejectedResult).reason;
      expect(reason).not.toBeInstanceOf(BatchRowsRejectedError);

      await admin.query(`ALTER DATABASE "${outageDb.name}" ALLOW_CONNECTIONS true`);
      await expect(sut.write([sample(2, 0), sample(3, 0)])).resolves.toMatchObject({ inserted: 2 });
      expect(await outageDb.query('SELECT source FROM samples ORDER BY source')).toEqual([
        { source: 1 },
        { source: 2 },
        { source: 3 },
      ]);
      expect(await metric('plantgraph_batch_flush_failures_total', { table: 'samples', kind: 'unavailable' })).toBe(1);
    } finally {
      await admin.query(`ALTER DATABASE "${outageDb.name}" ALLOW_CONNECTIONS true`);
      await admin.end();
      await outagePool.end();
      await outageDb.drop();
    }
  });

  it('fails a flush that gets no answer within flushTimeoutMs, and writes again afterwards', async () => {
    const sut = writer({ maxDelayMs: 1, flushTimeoutMs: 300 });
    const lock = await lockTable();
    try {
      const started = Date.now();
      await expect(sut.write([sample(1, 0)])).rejects.toThrow(/timeout/i);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await lock.release();
    }
    await expect(sut.write([sample(2, 0)])).resolves.toMatchObject({ inserted: 1 });
  });

  it('makes writers wait while maxQueuedRows are queued, and lets them in as batches commit', async () => {
    const sut = writer({ maxBatchRows: 50, maxDelayMs: 1, maxQueuedRows: 100, maxConcurrentFlushes: 1 });
    const lock = await lockTable();
    const queuedWhenSettled: number[] = [];
    let writes: Array<ReturnType<typeof track<WriteResult<Sample>>>> = [];
    try {
      writes = Array.from({ length: 30 }, (_, w) =>
        track(
          sut
            .write(Array.from({ length: 10 }, (_, n) => sample(w, n)))
            .finally(() => queuedWhenSettled.push(sut.queuedRows)),
        ),
      );
      expect(sut.queuedRows).toBe(100);
      await waitFor(async () => (await blockedInserts()) === 1, { what: 'the first flush to block on the lock' });
      expect(sut.queuedRows).toBe(100);
      expect(writes.some((w) => w.done)).toBe(false);
    } finally {
      await lock.release();
    }

    await waitFor(() => writes.every((w) => w.done), { what: 'every write' });
    expect(writes.every((w) => w.value?.inserted === 10)).toBe(true);
    expect(await stored()).toHaveLength(300);
    expect(Math.max(...queuedWhenSettled)).toBeLessThanOrEqual(100);
    expect(sut.queuedRows).toBe(0);
  });

  it('takes a write larger than maxQueuedRows when nothing else is queued', async () => {
    const sut = writer({ maxBatchRows: 10, maxQueuedRows: 20 });

    const result = await sut.write(Array.from({ length: 50 }, (_, n) => sample(1, n)));

    expect(result.inserted).toBe(50);
    expect(await flushes()).toBe(1);
  });

  it('on close, writes what is queued at once and resolves when it is committed', async () => {
    const sut = writer({ maxBatchRows: 1000, maxDelayMs: 60_000 });
    const writes = [track(sut.write([sample(1, 0)])), track(sut.write([sample(2, 0)]))];

    await sut.close();

    expect(writes.map((w) => w.value?.inserted)).toEqual([1, 1]);
    expect(await stored()).toHaveLength(2);
    // Shutdown hooks are not ordered between modules: a handler finishing late still gets its rows written.
    await expect(sut.write([sample(3, 0)])).resolves.toMatchObject({ inserted: 1 });
  });

  it('flushNow writes the open batch without waiting for the delay', async () => {
    const sut = writer({ maxBatchRows: 1000, maxDelayMs: 60_000 });
    const write = track(sut.write([sample(1, 0)]));

    await sut.flushNow();

    expect(write.value).toEqual({ inserted: 1, newRows: [sample(1, 0)] });
  });
});
