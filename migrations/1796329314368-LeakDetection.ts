import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Leak detection: fields (seeded with their sensor tag formats), templates, sensors, sensor
 * and system events (entities), and two tables range-partitioned by day like telemetry's
 * samples, written in bulk by the ingestion path: the ppmv readings and the anomaly level
 * of each reading. Permissions leaks:read/write/operate for the seeded roles.
 */
export class LeakDetection1796329314368 implements MigrationInterface {
  name = 'LeakDetection1796329314368';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "leak_fields" ("id" SERIAL NOT NULL, "name" character varying(100) NOT NULL, "tag_prefix" character varying(50) NOT NULL DEFAULT \'\', "description" text NOT NULL DEFAULT \'\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_784c9827c7397f30722adee4ad6" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_leak_fields_name" ON "leak_fields"  ("name") ');
    await queryRunner.query(
      'CREATE TABLE "leak_templates" ("id" SERIAL NOT NULL, "field_id" integer NOT NULL, "name" character varying(200) NOT NULL, "angle_from_north" double precision NOT NULL, "height" double precision, "roof_height" double precision, "porosity" jsonb, "wall_area" jsonb, "inclination" jsonb, "internal_volume" double precision, "length" double precision, "width" double precision, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_17e0bd4d118391a2e125af9e811" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_leak_templates_field_name" ON "leak_templates"  ("field_id", "name") ',
    );
    await queryRunner.query(
      'CREATE TABLE "leak_sensors" ("id" SERIAL NOT NULL, "template_id" integer NOT NULL, "name" character varying(100) NOT NULL, "x" double precision NOT NULL, "y" double precision NOT NULL, "z" double precision NOT NULL, "pinned" boolean NOT NULL DEFAULT false, "feedback_mode" boolean NOT NULL DEFAULT false, "window" integer NOT NULL DEFAULT \'144\', "warning_percent" double precision NOT NULL DEFAULT \'100\', "critical_percent" double precision NOT NULL DEFAULT \'200\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_leak_sensors_thresholds" CHECK ("critical_percent" > "warning_percent" AND "warning_percent" > 0), CONSTRAINT "PK_229b55d72dc3c18dde1edf956a2" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "IDX_leak_sensors_template" ON "leak_sensors"  ("template_id") ');
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_leak_sensors_name" ON "leak_sensors"  ("name") ');
    await queryRunner.query(
      'CREATE TABLE "leak_sensor_events" ("id" BIGSERIAL NOT NULL, "sensor_id" integer NOT NULL, "level" character varying(20) NOT NULL, "previous_level" character varying(20), "at" TIMESTAMP WITH TIME ZONE NOT NULL, "ppmv" double precision NOT NULL, "percent" double precision, CONSTRAINT "PK_911a6b1fe2f54b291a35a6bdb4f" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_leak_sensor_events_sensor_at" ON "leak_sensor_events"  ("sensor_id", "at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "leak_system_events" ("id" BIGSERIAL NOT NULL, "type" character varying(20) NOT NULL, "message" text NOT NULL, "sensor_id" integer, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_182c50d0364be5b7777aec9e6f9" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "IDX_leak_system_events_at" ON "leak_system_events"  ("at") ');
    await queryRunner.query(
      'ALTER TABLE "leak_templates" ADD CONSTRAINT "FK_9b3a8c64c2b7209142ec3dd953b" FOREIGN KEY ("field_id") REFERENCES "leak_fields"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "leak_sensors" ADD CONSTRAINT "FK_cad288be04a29001ea34f308703" FOREIGN KEY ("template_id") REFERENCES "leak_templates"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "leak_sensor_events" ADD CONSTRAINT "FK_f7fc346f72a2c70f9b64b439752" FOREIGN KEY ("sensor_id") REFERENCES "leak_sensors"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "leak_system_events" ADD CONSTRAINT "FK_165c08fd054492bee8e3aaef98b" FOREIGN KEY ("sensor_id") REFERENCES "leak_sensors"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(`CREATE TABLE "ppmv_samples" (
      "sensor_id" integer NOT NULL, "ts" timestamptz NOT NULL, "ppmv" double precision NOT NULL,
      PRIMARY KEY ("sensor_id", "ts")) PARTITION BY RANGE ("ts")`);
    await queryRunner.query(`CREATE TABLE "anomaly_levels" (
      "sensor_id" integer NOT NULL, "ts" timestamptz NOT NULL, "level" varchar(10) NOT NULL,
      "percent" double precision, "feedback" boolean NOT NULL DEFAULT false,
      PRIMARY KEY ("sensor_id", "ts")) PARTITION BY RANGE ("ts")`);
    for (const table of ['ppmv_samples', 'anomaly_levels'])
      await queryRunner.query(`CREATE TABLE "${table}_default" PARTITION OF "${table}" DEFAULT`);

    await queryRunner.query(`INSERT INTO "leak_fields" ("name", "tag_prefix", "description") VALUES
      ('Trestakk', '19XT', 'Tags 19XT<template digit><sensor digit>…, e.g. 19XT2116'),
      ('Snorre', '19H-QI___', 'Tags 19H-QI___<template><suffix digit><sensor>72, e.g. 19H-QI___5472'),
      ('Troll', '', 'No tag format known'),
      ('Askeladd', '18AI', 'Tags like 18AIJ012A; no decoding rule known')`);

    await queryRunner.query(`UPDATE "roles" SET "permissions" = array_cat("permissions", CASE "name"
      WHEN 'admin' THEN ARRAY['leaks:read','leaks:write','leaks:operate']
      WHEN 'manager' THEN ARRAY['leaks:read','leaks:write','leaks:operate']
      WHEN 'supervisor' THEN ARRAY['leaks:read','leaks:operate']
      WHEN 'operator' THEN ARRAY['leaks:read']
      ELSE ARRAY[]::text[] END) WHERE "is_system"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE "roles" SET "permissions" = ARRAY(SELECT p FROM unnest("permissions") p
      WHERE p NOT IN ('leaks:read','leaks:write','leaks:operate'))`);
    await queryRunner.query('DROP TABLE "anomaly_levels"');
    await queryRunner.query('DROP TABLE "ppmv_samples"');
    await queryRunner.query('ALTER TABLE "leak_system_events" DROP CONSTRAINT "FK_165c08fd054492bee8e3aaef98b"');
    await queryRunner.query('ALTER TABLE "leak_sensor_events" DROP CONSTRAINT "FK_f7fc346f72a2c70f9b64b439752"');
    await queryRunner.query('ALTER TABLE "leak_sensors" DROP CONSTRAINT "FK_cad288be04a29001ea34f308703"');
    await queryRunner.query('ALTER TABLE "leak_templates" DROP CONSTRAINT "FK_9b3a8c64c2b7209142ec3dd953b"');
    await queryRunner.query('DROP INDEX "public"."IDX_leak_system_events_at"');
    await queryRunner.query('DROP TABLE "leak_system_events"');
    await queryRunner.query('DROP INDEX "public"."IDX_leak_sensor_events_sensor_at"');
    await queryRunner.query('DROP TABLE "leak_sensor_events"');
    await queryRunner.query('DROP INDEX "public"."UQ_leak_sensors_name"');
    await queryRunner.query('DROP INDEX "public"."IDX_leak_sensors_template"');
    await queryRunner.query('DROP TABLE "leak_sensors"');
    await queryRunner.query('DROP INDEX "public"."UQ_leak_templates_field_name"');
    await queryRunner.query('DROP TABLE "leak_templates"');
    await queryRunner.query('DROP INDEX "public"."UQ_leak_fields_name"');
    await queryRunner.query('DROP TABLE "leak_fields"');
  }
}
