import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Simulation and estimation on CRITICAL (leak detection): one investigation per sensor and
 * reading, its result (CONFIRMED naming the candidate leak, EXTERNAL_CAUSE, UNDEFINED,
 * NOT_SUPPORTED) and the scores it rests on.
 */
export class LeakInvestigations1796344000000 implements MigrationInterface {
  name = 'LeakInvestigations1796344000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "leak_investigations" (
      "id" BIGSERIAL NOT NULL,
      "sensor_id" integer NOT NULL,
      "at" timestamptz NOT NULL,
      "trigger" varchar(10) NOT NULL,
      "result" varchar(20) NOT NULL,
      "reason" text NOT NULL,
      "confirmed_candidate_id" integer,
      "confirmed_name" varchar(100),
      "details" jsonb NOT NULL DEFAULT '{}',
      "created_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "PK_leak_investigations" PRIMARY KEY ("id"),
      CONSTRAINT "UQ_leak_investigations_sensor_at" UNIQUE ("sensor_id", "at"),
      CONSTRAINT "CHK_leak_investigations_trigger" CHECK ("trigger" IN ('CRITICAL', 'REQUEST')),
      CONSTRAINT "FK_leak_investigations_sensor" FOREIGN KEY ("sensor_id") REFERENCES "leak_sensors"("id") ON DELETE CASCADE,
      CONSTRAINT "FK_leak_investigations_candidate" FOREIGN KEY ("confirmed_candidate_id")
        REFERENCES "leak_candidates"("id") ON DELETE SET NULL)`);
    await queryRunner.query('CREATE INDEX "IDX_leak_investigations_created" ON "leak_investigations" ("created_at")');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "leak_investigations"');
  }
}
