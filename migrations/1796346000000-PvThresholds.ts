import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Threshold subscriptions (one per user per PV), their episodes, and how far each PV's
 * threshold stage has taken in its values (its owner resumes there after a restart).
 */
export class PvThresholds1796346000000 implements MigrationInterface {
  name = 'PvThresholds1796346000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "pv_threshold_subscriptions" (
      "id" SERIAL NOT NULL,
      "user_id" uuid NOT NULL,
      "pv_id" integer NOT NULL,
      "email" varchar(254) NOT NULL,
      "min" double precision NOT NULL,
      "max" double precision NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "PK_pv_threshold_subscriptions" PRIMARY KEY ("id"),
      CONSTRAINT "UQ_pv_threshold_subscriptions_user_pv" UNIQUE ("user_id", "pv_id"),
      CONSTRAINT "CHK_pv_threshold_subscriptions_band" CHECK ("min" < "max"),
      CONSTRAINT "FK_pv_threshold_subscriptions_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE,
      CONSTRAINT "FK_pv_threshold_subscriptions_pv" FOREIGN KEY ("pv_id") REFERENCES "pvs"("id") ON DELETE CASCADE)`);
    await queryRunner.query(
      'CREATE INDEX "IDX_pv_threshold_subscriptions_pv" ON "pv_threshold_subscriptions" ("pv_id")',
    );
    await queryRunner.query(`CREATE TABLE "pv_threshold_episodes" (
      "id" BIGSERIAL NOT NULL,
      "subscription_id" integer NOT NULL,
      "limit" varchar(3) NOT NULL,
      "limit_value" double precision NOT NULL,
      "started_at" timestamptz NOT NULL,
      "start_value" double precision NOT NULL,
      "peak" double precision NOT NULL,
      "ended_at" timestamptz,
      CONSTRAINT "PK_pv_threshold_episodes" PRIMARY KEY ("id"),
      CONSTRAINT "CHK_pv_threshold_episodes_limit" CHECK ("limit" IN ('MIN', 'MAX')),
      CONSTRAINT "FK_pv_threshold_episodes_subscription" FOREIGN KEY ("subscription_id") REFERENCES "pv_threshold_subscriptions"("id") ON DELETE CASCADE)`);
    await queryRunner.query(
      'CREATE INDEX "IDX_pv_threshold_episodes_subscription" ON "pv_threshold_episodes" ("subscription_id", "started_at")',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_pv_threshold_episodes_open" ON "pv_threshold_episodes" ("subscription_id") WHERE "ended_at" IS NULL',
    );
    await queryRunner.query(`CREATE TABLE "pv_threshold_watermarks" (
      "pv_id" integer NOT NULL,
      "up_to" timestamptz NOT NULL,
      CONSTRAINT "PK_pv_threshold_watermarks" PRIMARY KEY ("pv_id"),
      CONSTRAINT "FK_pv_threshold_watermarks_pv" FOREIGN KEY ("pv_id") REFERENCES "pvs"("id") ON DELETE CASCADE)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "pv_threshold_watermarks"');
    await queryRunner.query('DROP TABLE "pv_threshold_episodes"');
    await queryRunner.query('DROP TABLE "pv_threshold_subscriptions"');
  }
}
