import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-second and per-minute summaries of a sample table, kept by a trigger on it. */
interface Rollup {
  samples: string;
  /** Identity of a series besides the time. */
  keys: string[];
  keyColumns: string;
  /** Quantities summarised as count/min/max/sum. */
  stats: string[];
  /** Boolean quantities summarised as the count of true. */
  shares: string[];
}

const ROLLUPS: Rollup[] = [
  {
    samples: 'electrical_samples',
    keys: ['machine_id'],
    keyColumns: '"machine_id" integer NOT NULL',
    stats: ['current', 'voltage'],
    shares: [],
  },
  {
    samples: 'axis_samples',
    keys: ['machine_id', 'axis'],
    keyColumns: '"machine_id" integer NOT NULL, "axis" char(1) NOT NULL',
    stats: ['actual', 'target', 'distance_to_go', 'velocity', 'acceleration'],
    shares: ['homed'],
  },
];

const LEVELS = [
  { suffix: '1s', width: '1 second' },
  { suffix: '1m', width: '1 minute' },
];

const tableOf = (rollup: Rollup, suffix: string) => `${rollup.samples.replace(/_samples$/, '')}_rollup_${suffix}`;
const functionOf = (rollup: Rollup) => `roll_up_${rollup.samples}`;

export class TelemetryRollups1795261304976 implements MigrationInterface {
  name = 'TelemetryRollups1795261304976';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const rollup of ROLLUPS) {
      const keys = rollup.keys.map((k) => `"${k}"`).join(', ');
      const summaries = [
        ...rollup.shares.map((q) => `"${q}" integer NOT NULL`),
        ...rollup.stats.flatMap((q) => ['min', 'max', 'sum'].map((a) => `"${q}_${a}" double precision NOT NULL`)),
      ].join(', ');
      // Like the sample tables: range-partitioned by day (the telemetry maintenance job
      // creates and drops the partitions of both together), `ts` the start of the period.
      for (const { suffix } of LEVELS) {
        const table = tableOf(rollup, suffix);
        await queryRunner.query(`CREATE TABLE "${table}" (${rollup.keyColumns}, "ts" timestamptz NOT NULL,
          "n" integer NOT NULL, ${summaries},
          PRIMARY KEY (${keys}, "ts")) PARTITION BY RANGE ("ts")`);
        await queryRunner.query(`CREATE TABLE "${table}_default" PARTITION OF "${table}" DEFAULT`);
      }
      await queryRunner.query(rollupFunction(rollup));
      // A statement-level trigger sees, in its transition table, only the rows the statement
      // stored: the duplicates an INSERT … ON CONFLICT DO NOTHING skipped are not counted.
      // Rows moved between partitions by the maintenance job are inserted into the partition
      // itself, where this trigger does not fire, so they are not counted twice either.
      await queryRunner.query(`CREATE TRIGGER "${rollup.samples}_roll_up" AFTER INSERT ON "${rollup.samples}"
        REFERENCING NEW TABLE AS stored FOR EACH STATEMENT EXECUTE FUNCTION "${functionOf(rollup)}"()`);
      // Existing samples (none in a new installation), summarised once.
      await queryRunner.query(`CREATE TEMPORARY TABLE stored AS SELECT * FROM "${rollup.samples}"`);
      for (const level of LEVELS) await queryRunner.query(upsert(rollup, level));
      await queryRunner.query('DROP TABLE stored');
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const rollup of ROLLUPS) {
      await queryRunner.query(`DROP TRIGGER "${rollup.samples}_roll_up" ON "${rollup.samples}"`);
      await queryRunner.query(`DROP FUNCTION "${functionOf(rollup)}"()`);
      for (const { suffix } of LEVELS) await queryRunner.query(`DROP TABLE "${tableOf(rollup, suffix)}"`);
    }
  }
}

/** The trigger function: merges the stored rows into both levels, in key order (no deadlock between two batches). */
function rollupFunction(rollup: Rollup): string {
  return `CREATE FUNCTION "${functionOf(rollup)}"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  ${LEVELS.map((level) => upsert(rollup, level)).join(';\n  ')};
  RETURN NULL;
END $$`;
}

/**
 * count/min/max/sum per key and period of the rows in `stored`, merged into what the level
 * holds: counts and sums add up, minimum and maximum widen. Periods are aligned to the
 * epoch (date_bin), as history buckets are, whatever the session's time zone.
 */
function upsert(rollup: Rollup, level: (typeof LEVELS)[number]): string {
  const table = tableOf(rollup, level.suffix);
  const keys = rollup.keys.map((k) => `"${k}"`);
  const columns = [
    ...keys,
    '"ts"',
    '"n"',
    ...rollup.shares.map((q) => `"${q}"`),
    ...rollup.stats.flatMap((q) => [`"${q}_min"`, `"${q}_max"`, `"${q}_sum"`]),
  ];
  const values = [
    ...keys,
    `date_bin('${level.width}', "ts", TIMESTAMPTZ 'epoch')`,
    'count(*)',
    ...rollup.shares.map((q) => `count(*) FILTER (WHERE "${q}")`),
    ...rollup.stats.flatMap((q) => [`min("${q}")`, `max("${q}")`, `sum("${q}")`]),
  ];
  const groups = columns.slice(0, keys.length + 1).map((_, i) => i + 1);
  const merged = [
    '"n" = r."n" + excluded."n"',
    ...rollup.shares.map((q) => `"${q}" = r."${q}" + excluded."${q}"`),
    ...rollup.stats.flatMap((q) => [
      `"${q}_min" = least(r."${q}_min", excluded."${q}_min")`,
      `"${q}_max" = greatest(r."${q}_max", excluded."${q}_max")`,
      `"${q}_sum" = r."${q}_sum" + excluded."${q}_sum"`,
    ]),
  ];
  return `INSERT INTO "${table}" AS r (${columns.join(', ')})
    SELECT ${values.join(', ')} FROM stored GROUP BY ${groups.join(', ')} ORDER BY ${groups.join(', ')}
    ON CONFLICT (${keys.join(', ')}, "ts") DO UPDATE SET ${merged.join(', ')}`;
}
