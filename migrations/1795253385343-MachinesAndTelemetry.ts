import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MachinesAndTelemetry1795253385343 implements MigrationInterface {
  name = 'MachinesAndTelemetry1795253385343';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Overlapping shifts of a machine are refused by an exclusion constraint (needs btree_gist).
    await queryRunner.query('CREATE EXTENSION IF NOT EXISTS btree_gist');
    await queryRunner.query(
      'CREATE TABLE "machine_types" ("id" SERIAL NOT NULL, "name" character varying(100) NOT NULL, "auto_logoff_minutes" integer NOT NULL DEFAULT \'0\', "grace_minutes" integer NOT NULL DEFAULT \'0\', "needs_authorization" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_619f25685fdfcd545089e70d5c3" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_machine_types_name" ON "machine_types"  ("name") ');
    await queryRunner.query(
      'CREATE TABLE "element_types" ("id" SERIAL NOT NULL, "name" character varying(100) NOT NULL, "range" character varying(100) NOT NULL DEFAULT \'\', "current_min" double precision NOT NULL, "current_max" double precision NOT NULL, "voltage_min" double precision NOT NULL, "voltage_max" double precision NOT NULL, "description" text NOT NULL DEFAULT \'\', "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0b8247f4f53985ef7b423693837" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_element_types_name" ON "element_types"  ("name") ');
    await queryRunner.query(
      'CREATE TABLE "machines" ("id" SERIAL NOT NULL, "code" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "model" character varying(200) NOT NULL DEFAULT \'\', "maker" character varying(200) NOT NULL DEFAULT \'\', "capacity_amps" double precision, "date_of_purchase" date, "machine_type_id" integer, "blocked" boolean NOT NULL DEFAULT false, "usage_seconds" bigint NOT NULL DEFAULT \'0\', "last_seen_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7b0817c674bb984650c5274e713" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_machines_code" ON "machines"  ("code") ');
    await queryRunner.query(
      'CREATE TABLE "machine_axes" ("id" SERIAL NOT NULL, "machine_id" integer NOT NULL, "name" character varying(1) NOT NULL, "max_velocity" double precision NOT NULL, "max_acceleration" double precision NOT NULL, CONSTRAINT "CHK_machine_axes_name" CHECK ("name" IN (\'X\', \'Y\', \'Z\', \'A\', \'C\')), CONSTRAINT "PK_de0c6dd4cea6856b8e76f267a94" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_machine_axes_machine_name" ON "machine_axes"  ("machine_id", "name") ',
    );
    await queryRunner.query(
      'CREATE TABLE "machine_tools" ("id" SERIAL NOT NULL, "machine_id" integer NOT NULL, "number" integer NOT NULL, "tool_offset" double precision NOT NULL DEFAULT \'0\', "feed_rate" double precision NOT NULL DEFAULT \'0\', CONSTRAINT "PK_118da9bd5474ac9066ad56c1254" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_machine_tools_machine_number" ON "machine_tools"  ("machine_id", "number") ',
    );
    await queryRunner.query(
      'CREATE TABLE "machine_state_bands" ("id" SERIAL NOT NULL, "state" character varying(20) NOT NULL, "priority" integer NOT NULL, "current_min" double precision, "current_max" double precision, "voltage_min" double precision, "voltage_max" double precision, "color" character varying(20) NOT NULL DEFAULT \'\', CONSTRAINT "PK_cbb8671d510803fd2dd89e25f73" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_machine_state_bands_state" ON "machine_state_bands"  ("state") ');
    await queryRunner.query(
      'CREATE TABLE "machine_state_segments" ("id" BIGSERIAL NOT NULL, "machine_id" integer NOT NULL, "state" character varying(20) NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ended_at" TIMESTAMP WITH TIME ZONE, "last_sample_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_6b2366c4f0cf3efaa003d66292d" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_machine_state_segments_open" ON "machine_state_segments"  ("machine_id") WHERE "ended_at" IS NULL',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_machine_state_segments_machine_start" ON "machine_state_segments"  ("machine_id", "started_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "out_of_standard_episodes" ("id" BIGSERIAL NOT NULL, "machine_id" integer NOT NULL, "shift_id" integer, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ended_at" TIMESTAMP WITH TIME ZONE, "last_sample_at" TIMESTAMP WITH TIME ZONE NOT NULL, "peak_current" double precision NOT NULL, "peak_voltage" double precision NOT NULL, "sample_count" integer NOT NULL DEFAULT \'1\', CONSTRAINT "PK_66786e7f89af777dcf74ac22568" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_out_of_standard_episodes_open" ON "out_of_standard_episodes"  ("machine_id") WHERE "ended_at" IS NULL',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_out_of_standard_episodes_machine_start" ON "out_of_standard_episodes"  ("machine_id", "started_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "operators" ("id" SERIAL NOT NULL, "name" character varying(200) NOT NULL, "number" integer NOT NULL, "qualification" character varying(200) NOT NULL DEFAULT \'\', "qualified_thickness" double precision, "date_of_joining" date, "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3d02b3692836893720335a79d1b" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_operators_number" ON "operators"  ("number") ');
    await queryRunner.query(
      'CREATE TABLE "shifts" ("id" SERIAL NOT NULL, "machine_id" integer NOT NULL, "operator_id" integer NOT NULL, "element_type_id" integer NOT NULL, "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "plate_thickness" character varying(50) NOT NULL DEFAULT \'\', "plate_description" text NOT NULL DEFAULT \'\', "remarks" text NOT NULL DEFAULT \'\', "i_no" character varying(100) NOT NULL DEFAULT \'\', "fc_no" character varying(100) NOT NULL DEFAULT \'\', "project" character varying(100) NOT NULL DEFAULT \'\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_shifts_order" CHECK ("ends_at" > "starts_at"), CONSTRAINT "EX_shifts_no_overlap" EXCLUDE USING gist ("machine_id" WITH =, tstzrange("starts_at", "ends_at") WITH &&), CONSTRAINT "PK_84d692e367e4d6cdf045828768c" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "IDX_shifts_machine_start" ON "shifts"  ("machine_id", "starts_at") ');
    await queryRunner.query(
      'CREATE TABLE "instructions" ("id" SERIAL NOT NULL, "text" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1695991f6159e4ae33b136a67ef" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_instructions_text" ON "instructions"  ("text") ');
    await queryRunner.query(
      'CREATE TABLE "unregistered_sources" ("id" SERIAL NOT NULL, "topic" character varying(500) NOT NULL, "kind" character varying(20) NOT NULL, "source_key" character varying(300) NOT NULL, "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "message_count" bigint NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_unregistered_sources_count" CHECK ("message_count" > 0), CONSTRAINT "PK_65b773d8d70fea4f84874e598bb" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_unregistered_sources_topic" ON "unregistered_sources"  ("topic") ',
    );
    await queryRunner.query(
      'ALTER TABLE "machines" ADD CONSTRAINT "FK_cde756a1fae3f931dde27c45ed1" FOREIGN KEY ("machine_type_id") REFERENCES "machine_types"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "machine_axes" ADD CONSTRAINT "FK_e1057d3491a038ce1d6ac48b496" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "machine_tools" ADD CONSTRAINT "FK_925ad9b4bfca3ade383313551a7" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "machine_state_segments" ADD CONSTRAINT "FK_48193df12327d67f66127c8bc72" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "out_of_standard_episodes" ADD CONSTRAINT "FK_9bf72ce8648942e928ce4a73a87" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "out_of_standard_episodes" ADD CONSTRAINT "FK_fc5f8fea8798f736a697de123b4" FOREIGN KEY ("shift_id") REFERENCES "shifts"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "shifts" ADD CONSTRAINT "FK_6a75a91d3cfd8728dc492ebef76" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "shifts" ADD CONSTRAINT "FK_4fb929ba9d0a54ee24e825ac76d" FOREIGN KEY ("operator_id") REFERENCES "operators"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "shifts" ADD CONSTRAINT "FK_30efcc765c39718d0839b2148d7" FOREIGN KEY ("element_type_id") REFERENCES "element_types"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );

    // Samples: range-partitioned by time (daily partitions are created ahead by the
    // telemetry maintenance job). The DEFAULT partition only catches what arrives before
    // its day's partition exists, so that nothing is ever refused.
    await queryRunner.query(`CREATE TABLE "electrical_samples" (
      "machine_id" integer NOT NULL, "ts" timestamptz NOT NULL,
      "current" double precision NOT NULL, "voltage" double precision NOT NULL,
      PRIMARY KEY ("machine_id", "ts")) PARTITION BY RANGE ("ts")`);
    await queryRunner.query(`CREATE TABLE "axis_samples" (
      "machine_id" integer NOT NULL, "axis" char(1) NOT NULL, "ts" timestamptz NOT NULL,
      "actual" double precision NOT NULL, "target" double precision NOT NULL,
      "distance_to_go" double precision NOT NULL, "velocity" double precision NOT NULL,
      "acceleration" double precision NOT NULL, "homed" boolean NOT NULL,
      PRIMARY KEY ("machine_id", "axis", "ts")) PARTITION BY RANGE ("ts")`);
    await queryRunner.query(`CREATE TABLE "tool_samples" (
      "machine_id" integer NOT NULL, "ts" timestamptz NOT NULL,
      "tool_in_use" integer, "tool_offset" double precision, "feed_rate" double precision,
      PRIMARY KEY ("machine_id", "ts")) PARTITION BY RANGE ("ts")`);
    for (const table of ['electrical_samples', 'axis_samples', 'tool_samples'])
      await queryRunner.query(`CREATE TABLE "${table}_default" PARTITION OF "${table}" DEFAULT`);

    // Seeded state bands: evaluated by priority, the first band containing a reading wins.
    await queryRunner.query(`INSERT INTO "machine_state_bands"
      ("state", "priority", "current_min", "current_max", "voltage_min", "voltage_max", "color") VALUES
      ('PRODUCTION', 1, 100, NULL, NULL, NULL, '#2e7d32'),
      ('OFF', 2, NULL, 5, NULL, 5, '#9e9e9e'),
      ('IDLE', 3, NULL, NULL, NULL, NULL, '#f9a825')`);

    await queryRunner.query(`UPDATE "roles" SET "permissions" = array_cat("permissions", CASE "name"
      WHEN 'admin' THEN ARRAY['machines:read','machines:write','shifts:write','telemetry:configure']
      WHEN 'manager' THEN ARRAY['machines:read','machines:write','shifts:write','telemetry:configure']
      WHEN 'supervisor' THEN ARRAY['machines:read','shifts:write']
      WHEN 'operator' THEN ARRAY['machines:read']
      ELSE ARRAY[]::text[] END) WHERE "is_system"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE "roles" SET "permissions" = ARRAY(SELECT p FROM unnest("permissions") p
      WHERE p NOT IN ('machines:read','machines:write','shifts:write','telemetry:configure'))`);
    for (const table of ['electrical_samples', 'axis_samples', 'tool_samples'])
      await queryRunner.query(`DROP TABLE "${table}"`);
    await queryRunner.query('ALTER TABLE "shifts" DROP CONSTRAINT "FK_30efcc765c39718d0839b2148d7"');
    await queryRunner.query('ALTER TABLE "shifts" DROP CONSTRAINT "FK_4fb929ba9d0a54ee24e825ac76d"');
    await queryRunner.query('ALTER TABLE "shifts" DROP CONSTRAINT "FK_6a75a91d3cfd8728dc492ebef76"');
    await queryRunner.query('ALTER TABLE "out_of_standard_episodes" DROP CONSTRAINT "FK_fc5f8fea8798f736a697de123b4"');
    await queryRunner.query('ALTER TABLE "out_of_standard_episodes" DROP CONSTRAINT "FK_9bf72ce8648942e928ce4a73a87"');
    await queryRunner.query('ALTER TABLE "machine_state_segments" DROP CONSTRAINT "FK_48193df12327d67f66127c8bc72"');
    await queryRunner.query('ALTER TABLE "machine_tools" DROP CONSTRAINT "FK_925ad9b4bfca3ade383313551a7"');
    await queryRunner.query('ALTER TABLE "machine_axes" DROP CONSTRAINT "FK_e1057d3491a038ce1d6ac48b496"');
    await queryRunner.query('ALTER TABLE "machines" DROP CONSTRAINT "FK_cde756a1fae3f931dde27c45ed1"');
    await queryRunner.query('DROP INDEX "public"."UQ_unregistered_sources_topic"');
    await queryRunner.query('DROP TABLE "unregistered_sources"');
    await queryRunner.query('DROP INDEX "public"."UQ_instructions_text"');
    await queryRunner.query('DROP TABLE "instructions"');
    await queryRunner.query('DROP INDEX "public"."IDX_shifts_machine_start"');
    await queryRunner.query('DROP TABLE "shifts"');
    await queryRunner.query('DROP INDEX "public"."UQ_operators_number"');
    await queryRunner.query('DROP TABLE "operators"');
    await queryRunner.query('DROP INDEX "public"."IDX_out_of_standard_episodes_machine_start"');
    await queryRunner.query('DROP INDEX "public"."UQ_out_of_standard_episodes_open"');
    await queryRunner.query('DROP TABLE "out_of_standard_episodes"');
    await queryRunner.query('DROP INDEX "public"."IDX_machine_state_segments_machine_start"');
    await queryRunner.query('DROP INDEX "public"."UQ_machine_state_segments_open"');
    await queryRunner.query('DROP TABLE "machine_state_segments"');
    await queryRunner.query('DROP INDEX "public"."UQ_machine_state_bands_state"');
    await queryRunner.query('DROP TABLE "machine_state_bands"');
    await queryRunner.query('DROP INDEX "public"."UQ_machine_tools_machine_number"');
    await queryRunner.query('DROP TABLE "machine_tools"');
    await queryRunner.query('DROP INDEX "public"."UQ_machine_axes_machine_name"');
    await queryRunner.query('DROP TABLE "machine_axes"');
    await queryRunner.query('DROP INDEX "public"."UQ_machines_code"');
    await queryRunner.query('DROP TABLE "machines"');
    await queryRunner.query('DROP INDEX "public"."UQ_element_types_name"');
    await queryRunner.query('DROP TABLE "element_types"');
    await queryRunner.query('DROP INDEX "public"."UQ_machine_types_name"');
    await queryRunner.query('DROP TABLE "machine_types"');
  }
}
