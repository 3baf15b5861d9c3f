import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the leak simulation needs beside the registry: candidate leaks and sea currents per
 * template (both go with their template), and the Johansen plume model's parameters as one row,
 * seeded with the reference's values (a 5.5, p −0.4, q 0.34, κ 0.41, α 0.32, u_ref 0.30 m/s,
 * t_ref 600 s, depth 70 m, detection limit 5e-7 kg/m³, seawater 6.2 °C).
 *
 * No candidates are seeded: the reference's five belong to one of its templates, and no
 * template is seeded (fields are; templates are each installation's own). The embedded
 * simulator gives its demo templates the reference's five.
 */
export class LeakSimulationInputs1796342000000 implements MigrationInterface {
  name = 'LeakSimulationInputs1796342000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "leak_candidates" ("id" SERIAL NOT NULL, "template_id" integer NOT NULL, "name" character varying(100) NOT NULL, "x" double precision NOT NULL, "y" double precision NOT NULL, "z" double precision NOT NULL, "rate" double precision NOT NULL, "duration" double precision NOT NULL, CONSTRAINT "CHK_leak_candidates_rate_duration" CHECK ("rate" >= 0 AND "duration" > 0), CONSTRAINT "PK_a6e19a79757e2d574d5e5c353c1" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_leak_candidates_template_name" ON "leak_candidates"  ("template_id", "name") ',
    );
    await queryRunner.query(
      'CREATE TABLE "leak_sea_currents" ("template_id" integer NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "u" double precision NOT NULL, "v" double precision NOT NULL, CONSTRAINT "PK_331d2b2157e54197d5213ef10cd" PRIMARY KEY ("template_id", "at"))',
    );
    await queryRunner.query(
      'CREATE TABLE "leak_plume_parameters" ("id" smallint NOT NULL, "a" double precision NOT NULL, "p" double precision NOT NULL, "q" double precision NOT NULL, "kappa" double precision NOT NULL, "alpha" double precision NOT NULL, "reference_speed" double precision NOT NULL, "reference_time" double precision NOT NULL, "depth" double precision NOT NULL, "detection_limit" double precision NOT NULL, "seawater_temperature" double precision NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_leak_plume_parameters_single" CHECK ("id" = 1), CONSTRAINT "PK_6ec52b53f1577935cecc9dabe4b" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'ALTER TABLE "leak_candidates" ADD CONSTRAINT "FK_91705793713ea064995fa259ba5" FOREIGN KEY ("template_id") REFERENCES "leak_templates"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "leak_sea_currents" ADD CONSTRAINT "FK_123a2c24f870eb7274fba0a58f6" FOREIGN KEY ("template_id") REFERENCES "leak_templates"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(`INSERT INTO "leak_plume_parameters"
      ("id", "a", "p", "q", "kappa", "alpha", "reference_speed", "reference_time", "depth", "detection_limit", "seawater_temperature")
      VALUES (1, 5.5, -0.4, 0.34, 0.41, 0.32, 0.3, 600, 70, 5e-7, 6.2)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "leak_sea_currents" DROP CONSTRAINT "FK_123a2c24f870eb7274fba0a58f6"');
    await queryRunner.query('ALTER TABLE "leak_candidates" DROP CONSTRAINT "FK_91705793713ea064995fa259ba5"');
    await queryRunner.query('DROP TABLE "leak_plume_parameters"');
    await queryRunner.query('DROP TABLE "leak_sea_currents"');
    await queryRunner.query('DROP INDEX "public"."UQ_leak_candidates_template_name"');
    await queryRunner.query('DROP TABLE "leak_candidates"');
  }
}
