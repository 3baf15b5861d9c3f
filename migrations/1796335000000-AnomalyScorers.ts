import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where each sensor's anomaly scorer stands (leak detection's derived stage): the last scored
 * reading's ordinal, level and time, and what operators taught it in feedback mode. With the
 * newest scored readings (anomaly_levels joined with ppmv_samples) this is the whole scorer:
 * a restarted or new owner resumes it exactly.
 */
export class AnomalyScorers1796335000000 implements MigrationInterface {
  name = 'AnomalyScorers1796335000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "anomaly_scorers" (
      "sensor_id" integer NOT NULL,
      "window" integer NOT NULL,
      "sequence" integer NOT NULL,
      "last_level" varchar(10) NOT NULL,
      "last_ts" timestamptz NOT NULL,
      "feedback_started_at" integer,
      "feedback_history" jsonb NOT NULL DEFAULT '[]',
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "PK_anomaly_scorers" PRIMARY KEY ("sensor_id"),
      CONSTRAINT "CHK_anomaly_scorers_sequence" CHECK ("sequence" > 0),
      CONSTRAINT "FK_anomaly_scorers_sensor" FOREIGN KEY ("sensor_id") REFERENCES "leak_sensors"("id") ON DELETE CASCADE)`);
    // Sensor events are listed newest first, across sensors too.
    await queryRunner.query('CREATE INDEX "IDX_leak_sensor_events_at" ON "leak_sensor_events" ("at")');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "IDX_leak_sensor_events_at"');
    await queryRunner.query('DROP TABLE "anomaly_scorers"');
  }
}
