/**
 * Which SQL should the batch writer send? Writes the same N electrical samples, B rows per
 * statement, into a day-partitioned table with each candidate, in interleaved rounds, and
 * prints the median. Not a test: run with `npm run bench:insert`.
 *
 *   --rows N (100000)  --batch B (5000)  --rounds R (5)
 */
import { ELECTRICAL_SAMPLES } from '../src/telemetry/infrastructure/machine-samples.tables.js';
import type pg from 'pg';
import { BatchWriter, type BatchTable } from '../src/shared/database/batch-writer.js';
import { arrayElement } from '../src/shared/database/pg-array-literal.js';
import { MetricsService } from '../src/shared/observability/metrics.service.js';
import { machineLine, count, median, ms, option, printTable } from './figures.js';
import { createElectricalTable, openScratchDatabase } from './scratch-database.js';

interface Row {
  machineId: number;
  ts: Date;
  current: number;
  voltage: number;
}

type Variant = (batch: Row[]) => Promise<unknown>;

const ROWS = option('rows', 100_000);
const BATCH = option('batch', 5000);
const ROUNDS = option('rounds', 5);
const MACHINES = 100;
const FROM = new Date('2026-01-01T00:00:00Z');
const TABLE = 'electrical_samples';
const COLUMNS = '(machine_id, ts, current, voltage)';
const UNNEST = 'unnest($1::int[], $2::timestamptz[], $3::float8[], $4::float8[])';

const ELECTRICAL: BatchTable<Row> = { ...ELECTRICAL_SAMPLES, name: TABLE };

/** 100 machines sampling every 10 ms from FROM: keys never repeat within a round. */
function batches(duplicateShare = 0): Row[][] {
  const all: Row[][] = [];
  let sequence = 0;
  for (let start = 0; start < ROWS; start += BATCH) {
    const batch: Row[] = [];
    for (let i = 0; i < BATCH; i++, sequence++)
      batch.push({
        machineId: sequence % MACHINES,
        ts: new Date(FROM.getTime() + Math.floor(sequence / MACHINES) * 10),
        current: Math.random() * 200,
        voltage: 20 + Math.random() * 10,
      });
    // A redelivery: the tail of the batch repeats rows of the previous one.
    const previous = all.at(-1);
    if (previous && duplicateShare) {
      const repeated = Math.floor(BATCH * duplicateShare);
      batch.splice(BATCH - repeated, repeated, ...previous.slice(0, repeated));
    }
    all.push(batch);
  }
  return all;
}

function literal(values: unknown[]): string {
  return `{${values.map(arrayElement).join(',')}}`;
}

function literals(batch: Row[]): string[] {
  return [
    literal(batch.map((r) => r.machineId)),
    literal(batch.map((r) => r.ts)),
    literal(batch.map((r) => r.current)),
    literal(batch.map((r) => r.voltage)),
  ];
}

/**
 * COPY … FROM STDIN through pg's query protocol hooks: what pg-copy-streams does, reduced
 * to one buffer. Here only to measure COPY without adding that dependency.
 */
class CopyIn implements pg.Submittable {
  private error?: Error;
  private settle!: { resolve(): void; reject(error: Error): void };
  readonly done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));

  constructor(
    private readonly text: string,
    private readonly data: Buffer,
  ) {}

  submit(connection: pg.Connection): void {
    (connection as unknown as { query(text: string): void }).query(this.text);
  }

  handleCopyInResponse(connection: { sendCopyFromChunk(b: Buffer): void; endCopyFrom(): void }): void {
    for (let offset = 0; offset < this.data.length; offset += 65_536)
      connection.sendCopyFromChunk(this.data.subarray(offset, offset + 65_536));
    connection.endCopyFrom();
  }

  handleError(error: Error): void {
    this.error = error;
  }

  handleReadyForQuery(): void {
    if (this.error) this.settle.reject(this.error);
    else this.settle.resolve();
  }

  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handleCopyData(): void {}
}

function tsv(batch: Row[]): Buffer {
  return Buffer.from(batch.map((r) => `${r.machineId}\t${r.ts.toISOString()}\t${r.current}\t${r.voltage}\n`).join(''));
}

async function copy(pool: pg.Pool, text: string, batch: Row[], before?: string[], after?: string[]): Promise<void> {
  const client = await pool.connect();
  try {
    for (const sql of before ?? []) await client.query(sql);
    const copyIn = new CopyIn(text, tsv(batch));
    client.query(copyIn);
    await copyIn.done;
    for (const sql of after ?? []) await client.query(sql);
  } finally {
    client.release();
  }
}

function variants(pool: pg.Pool, metrics: MetricsService): Record<string, Variant> {
  const writer = new BatchWriter(pool, ELECTRICAL, metrics, { maxBatchRows: BATCH, maxQueuedRows: BATCH * 2 });
  const insert = `INSERT INTO ${TABLE} ${COLUMNS} SELECT * FROM ${UNNEST} ON CONFLICT DO NOTHING`;
  return {
    'unnest, pg serialises JS arrays': (b) =>
      pool.query(insert, [
        b.map((r) => r.machineId),
        b.map((r) => r.ts),
        b.map((r) => r.current),
        b.map((r) => r.voltage),
      ]),
    'unnest, array literals built here': (b) => pool.query(insert, literals(b)),
    'unnest, literals, named statement': (b) => pool.query({ name: 'bench_unnest', text: insert, values: literals(b) }),
    'unnest + RETURNING key': (b) =>
      pool.query({ name: 'bench_returning', text: `${insert} RETURNING machine_id, ts`, values: literals(b) }),
    'unnest + ordinals of new rows, always': (b) =>
      pool.query({
        name: 'bench_ordinals',
        text: `WITH input AS (SELECT * FROM ${UNNEST} WITH ORDINALITY AS u(machine_id, ts, current, voltage, i)),
          stored AS (INSERT INTO ${TABLE} ${COLUMNS} SELECT machine_id, ts, current, voltage FROM input
                     ON CONFLICT DO NOTHING RETURNING machine_id, ts)
          SELECT array_agg(i::int) FROM (SELECT min(i) AS i FROM input JOIN stored USING (machine_id, ts)
                                         GROUP BY machine_id, ts) AS firsts`,
        values: literals(b),
      }),
    'BatchWriter (ordinals only if duplicates)': (b) => writer.write(b),
    'multi-row VALUES': async (b) => {
      const perStatement = Math.floor(65_535 / 4);
      for (let start = 0; start < b.length; start += perStatement) {
        const chunk = b.slice(start, start + perStatement);
        const tuples = chunk.map((_, i) => `($${4 * i + 1}, $${4 * i + 2}, $${4 * i + 3}, $${4 * i + 4})`);
        await pool.query(
          `INSERT INTO ${TABLE} ${COLUMNS} VALUES ${tuples.join(', ')} ON CONFLICT DO NOTHING`,
          chunk.flatMap((r) => [r.machineId, r.ts, r.current, r.voltage]),
        );
      }
    },
    'COPY to temp table + INSERT … ON CONFLICT': (b) =>
      copy(
        pool,
        'COPY electrical_in FROM STDIN',
        b,
        [
          'BEGIN',
          `CREATE TEMP TABLE IF NOT EXISTS electrical_in (machine_id int, ts timestamptz, current float8, voltage float8)
           ON COMMIT DELETE ROWS`,
        ],
        [`INSERT INTO ${TABLE} ${COLUMNS} SELECT * FROM electrical_in ON CONFLICT DO NOTHING`, 'COMMIT'],
      ),
    'COPY into the table (no ON CONFLICT: fails on a duplicate)': (b) => copy(pool, `COPY ${TABLE} FROM STDIN`, b),
  };
}

async function timeRun(pool: pg.Pool, variant: Variant, data: Row[][]): Promise<number> {
  await pool.query(`TRUNCATE ${TABLE}`);
  const started = performance.now();
  for (const batch of data) await variant(batch);
  return performance.now() - started;
}

async function main(): Promise<void> {
  console.log(machineLine());
  const db = await openScratchDatabase();
  try {
    const days = Math.ceil(((ROWS / MACHINES) * 10) / 86_400_000) + 1;
    await createElectricalTable(db.pool, TABLE, FROM, days);
    console.log(
      `${count(ROWS)} electrical rows in statements of ${count(BATCH)}, ${ROUNDS} rounds, on ${db.where}; ` +
        `table range-partitioned by day, PRIMARY KEY (machine_id, ts)`,
    );
    const metrics = new MetricsService();
    const candidates = variants(db.pool, metrics);
    const withDuplicates = new BatchWriter(db.pool, ELECTRICAL, metrics, { maxBatchRows: BATCH });
    const times: Record<string, number[]> = {};
    const record = (name: string, elapsed: number) => (times[name] ??= []).push(elapsed);
    for (let round = 0; round < ROUNDS; round++) {
      const data = batches();
      for (const [name, variant] of Object.entries(candidates)) record(name, await timeRun(db.pool, variant, data));
      record('BatchWriter, 10% duplicates', await timeRun(db.pool, (b) => withDuplicates.write(b), batches(0.1)));
    }
    const perRow = Math.min(BATCH, 5000);
    await db.pool.query(`TRUNCATE ${TABLE}`);
    const single = batches()[0].slice(0, perRow);
    const started = performance.now();
    for (const r of single)
      await db.pool.query({
        name: 'bench_single',
        text: `INSERT INTO ${TABLE} ${COLUMNS} VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        values: [r.machineId, r.ts, r.current, r.voltage],
      });
    const perRowMs = performance.now() - started;

    const statements = Math.ceil(ROWS / BATCH);
    const reference = median(times['BatchWriter (ordinals only if duplicates)']);
    const rows = Object.entries(times).map(([name, elapsed]) => {
      const m = median(elapsed);
      return {
        variant: name,
        'rows/s': count((ROWS / m) * 1000),
        'ms/statement': ms(m / statements),
        'vs BatchWriter': `${m >= reference ? '+' : ''}${(((m - reference) / reference) * 100).toFixed(0)}%`,
      };
    });
    rows.push({
      variant: `one INSERT per row (${count(perRow)} rows)`,
      'rows/s': count((perRow / perRowMs) * 1000),
      'ms/statement': ms(perRowMs / perRow),
      'vs BatchWriter': `×${(((perRowMs / perRow) * ROWS) / reference).toFixed(0)} slower`,
    });
    printTable(`Median of ${ROUNDS} rounds (writes one after the other, one connection busy at a time):`, rows);
  } finally {
    await db.drop();
  }
}

await main();
