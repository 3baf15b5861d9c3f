import pg from 'pg';
import type { StoredSeries } from '../application/readings-import.ports.js';

/**
 * A worker-pool task (shared/jobs): reads a sensor's stored readings in the worker thread, on
 * a connection of its own, and hands them back as typed arrays (transferred, not copied). A
 * baseline job reads up to 50,000 readings: parsed on the event loop, their rows blocked it
 * for 40–70 ms at a time, which board replies and ingestion acknowledgements waited behind.
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
    const { rows } = await client.query<{ ms: number; ppmv: number }>(
      `SELECT (extract(epoch FROM ts) * 1000)::float8 AS ms, ppmv FROM ppmv_samples
       WHERE sensor_id = $1
         AND ts >= coalesce(to_timestamp($2::float8 / 1000), '-infinity')
         AND ts <= coalesce(to_timestamp($3::float8 / 1000), 'infinity')
       ORDER BY ts LIMIT $4`,
      [sensorId, fromMs, toMs, max],
    );
    return { times: Float64Array.from(rows, (r) => r.ms), ppmv: Float64Array.from(rows, (r) => r.ppmv) };
  } finally {
    await client.end();
  }
}
