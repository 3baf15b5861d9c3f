/**
 * A CTE that turns `synchronous_commit` off for the transaction of the statement it heads:
 * the commit then returns without waiting for the WAL to reach the disk (milliseconds on a
 * busy server, more when other databases of the server flush too). For single statements
 * run outside a transaction (the statement is its own transaction) that write data whose
 * loss in a database crash costs nothing because it is refreshed continually: heartbeats,
 * last-seen times, sightings. The write is still atomic and visible at once; a crash may
 * only lose the last few hundred milliseconds of such writes, never corrupt anything.
 * Reference the CTE in the statement (`FROM relaxed`, `SELECT … FROM relaxed`), so that it runs.
 */
export const RELAXED_COMMIT = `relaxed AS (SELECT set_config('synchronous_commit', 'off', true))`;
