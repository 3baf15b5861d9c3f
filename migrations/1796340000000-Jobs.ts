import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Long jobs (src/shared/jobs): one row per job, whatever its kind. `owner` and `heartbeat_at`
 * say which process runs it and that it still lives; a job whose heartbeat stopped is failed
 * by whichever replica notices first. Written with plain SQL (jobs.repository.ts), no entity.
 */
export class Jobs1796340000000 implements MigrationInterface {
  name = 'Jobs1796340000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "jobs" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "kind" varchar(100) NOT NULL,
      "permission" varchar(100) NOT NULL,
      "state" varchar(10) NOT NULL DEFAULT 'QUEUED',
      "percent" double precision NOT NULL DEFAULT 0,
      "message" varchar(200) NOT NULL DEFAULT '',
      "result" jsonb,
      "error_code" varchar(50),
      "error_message" text,
      "created_by" uuid NOT NULL,
      "owner" varchar(64) NOT NULL,
      "heartbeat_at" timestamptz NOT NULL DEFAULT now(),
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "started_at" timestamptz,
      "finished_at" timestamptz,
      CONSTRAINT "PK_jobs" PRIMARY KEY ("id"),
      CONSTRAINT "CHK_jobs_state" CHECK ("state" IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
      CONSTRAINT "CHK_jobs_percent" CHECK ("percent" >= 0 AND "percent" <= 100))`);
    // Lists: a user's own jobs, newest first; the sweep: unfinished jobs only.
    await queryRunner.query('CREATE INDEX "IDX_jobs_created_by_created_at" ON "jobs" ("created_by", "created_at")');
    await queryRunner.query('CREATE INDEX "IDX_jobs_kind_created_at" ON "jobs" ("kind", "created_at")');
    await queryRunner.query(
      `CREATE INDEX "IDX_jobs_unfinished" ON "jobs" ("heartbeat_at") WHERE "state" IN ('QUEUED', 'RUNNING')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "jobs"');
  }
}
