import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { MetricsService } from '../observability/metrics.service.js';
import { arrayElement } from './pg-array-literal.js';

export interface BatchColumn {
  name: string;
  /** PostgreSQL type of the column, as in a cast: 'int', 'timestamptz', 'float8', 'text', 'uuid', 'jsonb'… */
  type: string;
}

/** What a batch writer inserts, and how a row maps onto it. */
export interface BatchTable<T> {
  /** Table name, optionally schema-qualified; also the `table` label of the metrics. */
  name: string;
  columns: readonly BatchColumn[];
  /**
   * The row's identity (the unique key, e.g. source and ts). NOT NULL columns: a row whose
   * key is already stored is a duplicate, skipped and not reported as new.
   */
  key: readonly string[];
  /**
   * 'key' (default): `ON CONFLICT (key) DO NOTHING`, so a clash on another unique constraint
   * is an error. 'any': `ON CONFLICT DO NOTHING`, skipping a row that clashes on any of them.
   */
  onConflict?: 'key' | 'any';
  /** The row's values, in the order of `columns`. */
  values(row: T): readonly unknown[];
}

export interface BatchWriterOptions {
  /** A batch is written once it holds this many rows… */
  maxBatchRows?: number;
  /** …or this long after its first row arrived, whichever comes first. */
  maxDelayMs?: number;
  /** Rows accepted and not yet committed; beyond it `write()` waits (backpressure). */
  maxQueuedRows?: number;
  /**
   * Statements running at once, each on its own connection. With one, batches are written in
   * order and cannot deadlock; with more, two in-flight batches holding the same keys in
   * opposite orders can (PostgreSQL then fails one, and its writes reject as transient).
   */
  maxConcurrentFlushes?: number;
  /**
   * A flush that gets no connection or no answer within this time fails and its writes
   * reject. The statement may still commit afterwards: a retry then finds its rows stored
   * and does not report them as new.
   */
  flushTimeoutMs?: number;
}

export interface WriteResult<T> {
  /** How many of the written rows were stored now. */
  inserted: number;
  /** The written rows that were stored now (the same objects), in order; duplicates left out. */
  newRows: T[];
}

/**
 * PostgreSQL refused these rows (bad value, missing partition, constraint): writing them
 * again cannot succeed. Other rows of the same batch are not affected. Any other error of
 * `write()` is transient (database unavailable): writing again later may succeed.
 */
export class BatchRowsRejectedError extends Error {
  constructor(
    readonly table: string,
    /** The SQLSTATE (e.g. '22P02', '23514'), or 'unencodable' for a value that could not be sent. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BatchRowsRejectedError';
  }
}

/**
 * Measured on 2 cores (bench/ingest-baselines.ts, part b, MQTT_MAX_IN_FLIGHT 5000 writes
 * outstanding): two statements at once beat one in every run, +5–60% (one batch fills while
 * the other is written); 2500 against 5000 rows per statement is within the noise.
 */
const DEFAULTS: Required<BatchWriterOptions> = {
  maxBatchRows: 2500,
  maxDelayMs: 5,
  maxQueuedRows: 50_000,
  maxConcurrentFlushes: 2,
  flushTimeoutMs: 10_000,
};

interface PendingWrite<T> {
  rows: readonly T[];
  /** Per column, this write's array elements joined with commas. */
  encoded: string[];
  resolve(result: WriteResult<T>): void;
  reject(error: unknown): void;
}

interface Batch<T> {
  writes: PendingWrite<T>[];
  rows: number;
  /** maxDelayMs has passed: write it as soon as a flush slot is free. */
  due: boolean;
  timer?: NodeJS.Timeout;
  settled: Promise<void>;
  markSettled(): void;
}

interface StatementResult {
  inserted: number;
  /** 1-based positions of the stored rows in the statement; null when all were stored. */
  newOrdinals: number[] | null;
}

/**
 * The hot path's writer: gathers the rows of many `write()` calls into one
 * `INSERT … SELECT * FROM unnest($1::type[], …) ON CONFLICT … DO NOTHING` — one statement
 * (so one transaction) per batch, one array parameter per column. `write()` resolves once
 * the statement holding its rows committed, and says which of them were new; it rejects
 * when that statement failed, so an MQTT message is acknowledged only once stored.
 * See bench/batch-insert-variants.ts for why unnest (over multi-row VALUES or COPY).
 */
export class BatchWriter<T> {
  private readonly options: Required<BatchWriterOptions>;
  private readonly statement: { name: string; text: string };
  private readonly metrics: ReturnType<typeof declareMetrics>;
  private readonly unsettled = new Set<Batch<T>>();
  private readonly sealed: Batch<T>[] = [];
  /** Writes waiting for room in the queue, in arrival order. */
  private readonly waiting: PendingWrite<T>[] = [];
  private open?: Batch<T>;
  private queued = 0;
  private inFlight = 0;
  private closing = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly table: BatchTable<T>,
    metrics: MetricsService,
    options: BatchWriterOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    const text = insertStatement(table);
    // A named statement is parsed and planned once per connection, not once per batch.
    this.statement = { name: `batch_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`, text };
    this.metrics = declareMetrics(metrics, table.name);
  }

  /**
   * Queues the rows for the next batch. Resolves once they are committed, with the rows
   * that were new; rejects with BatchRowsRejectedError when PostgreSQL refused these rows,
   * or with the database's error when their batch could not be written. Waits first while
   * maxQueuedRows are already queued. A write's rows always go into one statement.
   */
  write(rows: readonly T[]): Promise<WriteResult<T>> {
    if (!rows.length) return Promise.resolve({ inserted: 0, newRows: [] });
    let encoded: string[];
    try {
      encoded = this.encode(rows);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      const write: PendingWrite<T> = { rows, encoded, resolve, reject };
      if (this.waiting.length || !this.hasRoomFor(rows.length)) this.waiting.push(write);
      else this.enqueue(write);
    });
  }

  /** Rows accepted by `write()` and not yet committed or failed (what maxQueuedRows bounds). */
  get queuedRows(): number {
    return this.queued;
  }

  /** Writes what is queued now without waiting for size or delay; resolves when those batches settled. */
  async flushNow(): Promise<void> {
    if (this.open) this.seal(this.open);
    const pending = [...this.unsettled].map((batch) => batch.settled);
    this.pump();
    await Promise.all(pending);
  }

  /**
   * Drains: writes everything queued or waiting and resolves when it settled. Writes that
   * still arrive afterwards are written at once rather than refused, because Nest does not
   * order shutdown hooks between modules: MQTT handlers may still be finishing.
   */
  async close(): Promise<void> {
    this.closing = true;
    while (this.unsettled.size || this.waiting.length) await this.flushNow();
  }

  private hasRoomFor(count: number): boolean {
    // An empty queue takes a write of any size, so that a write larger than the bound cannot wait forever.
    return this.queued === 0 || this.queued + count <= this.options.maxQueuedRows;
  }

  private encode(rows: readonly T[]): string[] {
    const { columns } = this.table;
    const encoded = new Array<string>(columns.length);
    for (let r = 0; r < rows.length; r++) {
      const values = this.table.values(rows[r]);
      if (values.length !== columns.length)
        throw new Error(`${this.table.name}: values() gave ${values.length} values for ${columns.length} columns`);
      for (let c = 0; c < columns.length; c++) {
        let element: string;
        try {
          element = arrayElement(values[c]);
        } catch (error) {
          throw new BatchRowsRejectedError(
            this.table.name,
            'unencodable',
            `${this.table.name}.${columns[c].name}: ${(error as Error).message}`,
            { cause: error },
          );
        }
        encoded[c] = r === 0 ? element : `${encoded[c]},${element}`;
      }
    }
    return encoded;
  }

  private enqueue(write: PendingWrite<T>): void {
    const count = write.rows.length;
    this.queued += count;
    this.metrics.queued.set(this.queued);
    let batch = this.open;
    if (batch && batch.rows + count > this.options.maxBatchRows) {
      this.seal(batch);
      batch = undefined;
    }
    batch ??= this.openBatch();
    batch.writes.push(write);
    batch.rows += count;
    if (batch.rows >= this.options.maxBatchRows) this.seal(batch);
    else if (this.closing) batch.due = true;
    this.pump();
  }

  private openBatch(): Batch<T> {
    let markSettled!: () => void;
    const settled = new Promise<void>((resolve) => (markSettled = resolve));
    const batch: Batch<T> = { writes: [], rows: 0, due: false, settled, markSettled };
    batch.timer = setTimeout(() => {
      batch.due = true;
      this.pump();
    }, this.options.maxDelayMs);
    this.open = batch;
    this.unsettled.add(batch);
    return batch;
  }

  private seal(batch: Batch<T>): void {
    this.detach(batch);
    this.sealed.push(batch);
  }

  /** The batch takes no more rows. */
  private detach(batch: Batch<T>): void {
    clearTimeout(batch.timer);
    if (this.open === batch) this.open = undefined;
  }

  /**
   * Starts flushes while slots are free: full batches first, then the open one once due.
   * A due batch that finds every slot busy keeps growing until one frees (up to
   * maxBatchRows), so a slow database gets fewer, larger statements rather than a queue
   * of small ones.
   */
  private pump(): void {
    while (this.inFlight < this.options.maxConcurrentFlushes) {
      let batch = this.sealed.shift();
      if (!batch && this.open?.due) {
        batch = this.open;
        this.detach(batch);
      }
      if (!batch) return;
      this.inFlight++;
      void this.flush(batch).then(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** Never rejects: the outcome goes to each write's promise, once the metrics and the queue account for it. */
  private async flush(batch: Batch<T>): Promise<void> {
    const started = performance.now();
    let outcomes: Array<() => void> = [];
    try {
      await this.settle(batch.writes, outcomes);
    } catch (error) {
      // Not a database error (those are settled per write): a bug must not leave the writer stuck with a slot taken.
      outcomes = [() => batch.writes.forEach((write) => write.reject(error))];
    }
    this.metrics.flushDuration.observe((performance.now() - started) / 1000);
    this.unsettled.delete(batch);
    this.queued -= batch.rows;
    this.metrics.queued.set(this.queued);
    for (const outcome of outcomes) outcome();
    while (this.waiting.length && this.hasRoomFor(this.waiting[0].rows.length)) this.enqueue(this.waiting.shift()!);
    batch.markSettled();
  }

  /**
   * Writes these writes' rows in one statement. When PostgreSQL refuses some row, the
   * writes are split in halves and retried, so only the writes holding refused rows fail
   * (log2(writes) extra statements per bad write) and a bad message cannot hold back the
   * good ones it was batched with.
   */
  private async settle(writes: PendingWrite<T>[], outcomes: Array<() => void>): Promise<void> {
    let result: StatementResult;
    try {
      result = await this.execute(writes);
    } catch (error) {
      const refused = isRowError(error);
      if (refused && writes.length > 1) {
        const half = Math.ceil(writes.length / 2);
        await this.settle(writes.slice(0, half), outcomes);
        await this.settle(writes.slice(half), outcomes);
        return;
      }
      this.metrics.failures(refused ? 'rejected' : 'unavailable');
      const reason = refused ? rejection(this.table.name, error) : error;
      outcomes.push(() => writes.forEach((write) => write.reject(reason)));
      return;
    }
    const total = writes.reduce((sum, write) => sum + write.rows.length, 0);
    this.metrics.written.inc(result.inserted);
    if (result.inserted < total) this.metrics.duplicates.inc(total - result.inserted);
    const results = newRowsOf(writes, result.newOrdinals);
    outcomes.push(() => writes.forEach((write, w) => write.resolve(results[w])));
  }

  private async execute(writes: PendingWrite<T>[]): Promise<StatementResult> {
    const total = writes.reduce((sum, write) => sum + write.rows.length, 0);
    const values: unknown[] = this.table.columns.map(
      (_, c) => `{${writes.length === 1 ? writes[0].encoded[c] : writes.map((w) => w.encoded[c]).join(',')}}`,
    );
    values.push(total);
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      const { rows } = await client.query<{ inserted: number; new_ordinals: number[] | null }>({
        ...this.statement,
        values,
        // pg honours query_timeout per query (client.js), though @types/pg lists it for the client only.
        query_timeout: this.options.flushTimeoutMs,
      } as pg.QueryConfig);
      return { inserted: rows[0].inserted, newOrdinals: rows[0].new_ordinals };
    } catch (error) {
      // A connection that timed out or failed is not given to the next caller.
      if (!isRowError(error)) broken = error as Error;
      throw error;
    } finally {
      client.release(broken);
    }
  }

  private async connect(): Promise<pg.PoolClient> {
    const pending = this.pool.connect();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.table.name}: no database connection within ${this.options.flushTimeoutMs} ms`)),
        this.options.flushTimeoutMs,
      );
    });
    try {
      return await Promise.race([pending, timeout]);
    } catch (error) {
      pending.then(
        (client) => client.release(),
        () => undefined,
      );
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The insert, plus which input rows it stored. Counting is nearly free; the join that
 * names the new rows runs only when some were duplicates (CASE evaluates the subquery
 * lazily): +5% over a bare insert, against +15–25% for always returning keys.
 * `min(ordinal)`: of two equal keys in one batch, PostgreSQL stores the first.
 */
function insertStatement<T>(table: BatchTable<T>): string {
  const columns = table.columns.map((c) => identifier(c.name));
  const arrays = table.columns.map((c, i) => `$${i + 1}::${typeName(c.type)}[]`);
  const key = table.key.map((name) => {
    const index = table.columns.findIndex((c) => c.name === name);
    if (index < 0) throw new Error(`${table.name}: key column ${name} is not among the columns`);
    return { name: identifier(name), array: arrays[index] };
  });
  if (!key.length) throw new Error(`${table.name}: a batch table needs key columns`);
  const keyList = key.map((k) => k.name).join(', ');
  const conflict = (table.onConflict ?? 'key') === 'key' ? `(${keyList}) ` : '';
  return `WITH stored AS (
  INSERT INTO ${table.name.split('.').map(identifier).join('.')} (${columns.join(', ')})
  SELECT * FROM unnest(${arrays.join(', ')})
  ON CONFLICT ${conflict}DO NOTHING
  RETURNING ${keyList}
), counted AS (SELECT count(*)::int AS inserted FROM stored)
SELECT inserted, CASE WHEN inserted < $${arrays.length + 1}::int THEN (
  SELECT COALESCE(array_agg(batch_ordinal::int), ARRAY[]::int[]) FROM (
    SELECT min(input.batch_ordinal) AS batch_ordinal
    FROM unnest(${key.map((k) => k.array).join(', ')}) WITH ORDINALITY AS input(${keyList}, batch_ordinal)
    JOIN stored USING (${keyList})
    GROUP BY ${keyList}
  ) AS firsts
) END AS new_ordinals
FROM counted`;
}

function identifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`Not a plain SQL identifier: ${name}`);
  return `"${name}"`;
}

function typeName(type: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_ ]*(\(\d+(,\s*\d+)?\))?$/.test(type)) throw new Error(`Not a plain SQL type: ${type}`);
  return type;
}

/** Each write's share of the stored rows, from their 1-based positions in the statement. */
function newRowsOf<T>(writes: PendingWrite<T>[], newOrdinals: number[] | null): Array<WriteResult<T>> {
  if (!newOrdinals) return writes.map((write) => ({ inserted: write.rows.length, newRows: [...write.rows] }));
  const ordinals = newOrdinals.sort((a, b) => a - b);
  let next = 0;
  let offset = 0;
  return writes.map((write) => {
    const newRows: T[] = [];
    const end = offset + write.rows.length;
    for (; next < ordinals.length && ordinals[next] <= end; next++)
      newRows.push(write.rows[ordinals[next] - offset - 1]);
    offset = end;
    return { inserted: newRows.length, newRows };
  });
}

/** Data exceptions (22xxx: bad value) and integrity violations (23xxx: constraint, no partition for the row). */
function isRowError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

function rejection(table: string, error: unknown): BatchRowsRejectedError {
  const { code, message } = error as { code: string; message: string };
  return new BatchRowsRejectedError(table, code, `${table}: ${message}`, { cause: error });
}

function declareMetrics(metrics: MetricsService, table: string) {
  const failures = metrics.counter(
    'plantgraph_batch_flush_failures_total',
    'Failed batch statements, by table and kind: unavailable (database error; the rows may be written again) or rejected (rows refused)',
    ['table', 'kind'],
  );
  return {
    written: metrics
      .counter('plantgraph_batch_rows_written_total', 'Rows inserted by the batch writers, by table', ['table'])
      .labels({ table }),
    duplicates: metrics
      .counter('plantgraph_batch_duplicates_total', 'Rows skipped as already stored, by table', ['table'])
      .labels({ table }),
    flushDuration: metrics
      .histogram(
        'plantgraph_batch_flush_duration_seconds',
        'Time to write one batch (including retries of its halves), by table',
        ['table'],
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      )
      .labels({ table }),
    failures: (kind: 'unavailable' | 'rejected') => failures.inc({ table, kind }),
    queued: metrics
      .gauge('plantgraph_batch_queue_rows', 'Rows accepted and not yet committed or failed, by table', ['table'])
      .labels({ table }),
  };
}
