import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A sensor's baseline when it is no longer the seed it started from (`high`): the one chosen
 * among the seeded candidates, or the seed augmented with the sensor's own cleaned readings.
 */
export class SensorBaselines1796345000000 implements MigrationInterface {
  name = 'SensorBaselines1796345000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "leak_sensor_baselines" (
      "sensor_id" integer NOT NULL,
      "name" varchar(40) NOT NULL,
      "source" varchar(10) NOT NULL,
      "values" double precision[] NOT NULL,
      "joints" integer[] NOT NULL DEFAULT '{}',
      "readings_up_to" timestamptz,
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "PK_leak_sensor_baselines" PRIMARY KEY ("sensor_id"),
      CONSTRAINT "CHK_leak_sensor_baselines_source" CHECK ("source" IN ('SELECTED', 'AUGMENTED')),
      CONSTRAINT "FK_leak_sensor_baselines_sensor" FOREIGN KEY ("sensor_id") REFERENCES "leak_sensors"("id") ON DELETE CASCADE)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "leak_sensor_baselines"');
  }
}
