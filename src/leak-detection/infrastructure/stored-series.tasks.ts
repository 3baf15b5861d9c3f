import pg from 'pg';
import { paceComputation } from '../../shared/jobs/job-progress.js';
import type { StoredSeries } from '../application/readings-import.ports.js';

/** Rows per statement: a few milliseconds of PostgreSQL's and this thread's time each. */
const CHUNK = 5_000;

/**
 * A worker-pool task (shared/jobs): reads a sensor's stored readings in the worker thread, on
 * a connection of its own, and hands them back as typed arrays (transferred, not copied). A
 * baseline job reads up to 50,000 readings: parsed on the event loop, their rows blocked it
 * for 40–70 ms at a time, which board replies and ingestion acknowledgements waited behind.
 * Read in chunks (a cursor), pausing between them when the task is paced (a job's
 * read, JOB_CPU_PERCENT): one statement of 50,000 rows kept PostgreSQL and this thread busy
 * for ~100 ms at a stretch, which showed in the board replies' p99 (README, bench:boards).
 */
export async function readStoredSeries(
  databaseUrl: string,
  sensorId: number,
  fromMs: number | null,
  toMs: number | null,
  max: number,
): Promise<StoredSeries> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'plantgraph-job-worker' });
  await client.connect();
  try {
    const times = new Float64Array(max);
    const ppmv = new Float64Array(max);
    let count = 0;
    await client.query('BEGIN READ ONLY');
    await client.query(
      `DECLARE series NO SCROLL CURSOR FOR
       SELECT (extract(epoch FROM ts) * 1000)::float8 AS ms, ppmv FROM ppmv_samples
       WHERE sensor_id = $1
         AND ts >= coalesce(to_timestamp($2::float8 / 1000), '-infinity')
         AND ts <= coalesce(to_timestamp($3::float8 / 1000), 'infinity')
       ORDER BY ts LIMIT $4`,
      [sensorId, fromMs, toMs, max],
    );
    for (;;) {
      const { rows } = await client.query<{ ms: number; ppmv: number }>(`FETCH ${CHUNK} FROM series`);
      for (const row of rows) {
        times[count] = row.ms;
        ppmv[count++] = row.ppmv;
      }
      if (rows.length < CHUNK) break;
      paceComputation();
    }
    await client.query('COMMIT');
    return { times: times.slice(0, count), ppmv: ppmv.slice(0, count) };
  } finally {
    await client.end();
  }
}
