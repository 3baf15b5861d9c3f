import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Experiments: experiments, their process variables (PVs), users assigned to experiments,
 * the record of PV sets (entities), and the PV values, range-partitioned by day like the
 * other sample tables and written in bulk by the ingestion path: one table for numbers and
 * texts, exactly one of the two per row. Permissions experiments:read/operate/write for the
 * seeded roles.
 */
export class Experiments1796341000000 implements MigrationInterface {
  name = 'Experiments1796341000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "experiments" ("id" SERIAL NOT NULL, "name" character varying(100) NOT NULL, "display_name" character varying(200), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_aafe1321d916fac58ba06ad8178" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_experiments_name" ON "experiments"  ("name") ');
    await queryRunner.query(
      `CREATE TABLE "pvs" ("id" SERIAL NOT NULL, "experiment_id" integer NOT NULL, "name" character varying(100) NOT NULL, "display_name" character varying(200), "unit" character varying(30) NOT NULL DEFAULT '', "writable" boolean NOT NULL DEFAULT false, "type" character varying(10) NOT NULL DEFAULT 'NUMBER', "threshold_min" double precision, "threshold_max" double precision, "set_min" double precision, "set_max" double precision, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_pvs_set_range" CHECK ("set_min" IS NULL OR "set_max" IS NULL OR "set_min" <= "set_max"), CONSTRAINT "CHK_pvs_thresholds" CHECK ("threshold_min" IS NULL OR "threshold_max" IS NULL OR "threshold_min" < "threshold_max"), CONSTRAINT "CHK_pvs_type" CHECK ("type" IN ('NUMBER', 'TEXT')), CONSTRAINT "PK_1526a8ec438c9c7b78611d1a31b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query('CREATE INDEX "IDX_pvs_experiment" ON "pvs"  ("experiment_id") ');
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_pvs_name" ON "pvs"  ("name") ');
    await queryRunner.query(
      'CREATE TABLE "experiment_users" ("experiment_id" integer NOT NULL, "user_id" uuid NOT NULL, "assigned_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_23048a8623c0bffb23f6e9763a3" PRIMARY KEY ("experiment_id", "user_id"))',
    );
    await queryRunner.query('CREATE INDEX "IDX_experiment_users_user" ON "experiment_users"  ("user_id") ');
    await queryRunner.query(
      'CREATE TABLE "pv_sets" ("id" BIGSERIAL NOT NULL, "pv_id" integer NOT NULL, "user_id" uuid, "value" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_9da989699886b8bfe1c19bee9af" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "IDX_pv_sets_at" ON "pv_sets"  ("at") ');
    await queryRunner.query('CREATE INDEX "IDX_pv_sets_pv_at" ON "pv_sets"  ("pv_id", "at") ');
    await queryRunner.query(
      'ALTER TABLE "pvs" ADD CONSTRAINT "FK_4fd5f52f474d41497a2328d178b" FOREIGN KEY ("experiment_id") REFERENCES "experiments"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "experiment_users" ADD CONSTRAINT "FK_21bc74aa91d7b4c671bb538dc87" FOREIGN KEY ("experiment_id") REFERENCES "experiments"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "experiment_users" ADD CONSTRAINT "FK_d040bedccc58656ec35a4f634e6" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "pv_sets" ADD CONSTRAINT "FK_28129bf1d427e86ad3bc053e2f8" FOREIGN KEY ("pv_id") REFERENCES "pvs"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "pv_sets" ADD CONSTRAINT "FK_ff5277448f55ebcf082071ac256" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(`CREATE TABLE "pv_samples" (
      "pv_id" integer NOT NULL, "ts" timestamptz NOT NULL, "value" double precision, "text" text,
      CONSTRAINT "CHK_pv_samples_one_value" CHECK (("value" IS NULL) <> ("text" IS NULL)),
      PRIMARY KEY ("pv_id", "ts")) PARTITION BY RANGE ("ts")`);
    await queryRunner.query('CREATE TABLE "pv_samples_default" PARTITION OF "pv_samples" DEFAULT');

    await queryRunner.query(`UPDATE "roles" SET "permissions" = array_cat("permissions", CASE "name"
      WHEN 'admin' THEN ARRAY['experiments:read','experiments:operate','experiments:write']
      WHEN 'manager' THEN ARRAY['experiments:read','experiments:operate']
      WHEN 'supervisor' THEN ARRAY['experiments:read','experiments:operate']
      WHEN 'operator' THEN ARRAY['experiments:read','experiments:operate']
      ELSE ARRAY[]::text[] END) WHERE "is_system"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE "roles" SET "permissions" = ARRAY(SELECT p FROM unnest("permissions") p
      WHERE p NOT IN ('experiments:read','experiments:operate','experiments:write'))`);
    await queryRunner.query('DROP TABLE "pv_samples"');
    await queryRunner.query('ALTER TABLE "pv_sets" DROP CONSTRAINT "FK_ff5277448f55ebcf082071ac256"');
    await queryRunner.query('ALTER TABLE "pv_sets" DROP CONSTRAINT "FK_28129bf1d427e86ad3bc053e2f8"');
    await queryRunner.query('ALTER TABLE "experiment_users" DROP CONSTRAINT "FK_d040bedccc58656ec35a4f634e6"');
    await queryRunner.query('ALTER TABLE "experiment_users" DROP CONSTRAINT "FK_21bc74aa91d7b4c671bb538dc87"');
    await queryRunner.query('ALTER TABLE "pvs" DROP CONSTRAINT "FK_4fd5f52f474d41497a2328d178b"');
    await queryRunner.query('DROP INDEX "public"."IDX_pv_sets_pv_at"');
    await queryRunner.query('DROP INDEX "public"."IDX_pv_sets_at"');
    await queryRunner.query('DROP TABLE "pv_sets"');
    await queryRunner.query('DROP INDEX "public"."IDX_experiment_users_user"');
    await queryRunner.query('DROP TABLE "experiment_users"');
    await queryRunner.query('DROP INDEX "public"."UQ_pvs_name"');
    await queryRunner.query('DROP INDEX "public"."IDX_pvs_experiment"');
    await queryRunner.query('DROP TABLE "pvs"');
    await queryRunner.query('DROP INDEX "public"."UQ_experiments_name"');
    await queryRunner.query('DROP TABLE "experiments"');
  }
}
