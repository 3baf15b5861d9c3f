import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Access1795261138451 implements MigrationInterface {
  name = 'Access1795261138451';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "access_authorizations" ("id" SERIAL NOT NULL, "user_id" uuid NOT NULL, "machine_id" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9ad04b27171ff30c444eeabe1f6" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_access_authorizations_machine" ON "access_authorizations"  ("machine_id") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_access_authorizations_user_machine" ON "access_authorizations"  ("user_id", "machine_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "access_uses" ("id" BIGSERIAL NOT NULL, "machine_id" integer NOT NULL, "user_id" uuid, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ended_at" TIMESTAMP WITH TIME ZONE, "counted_seconds" integer, "reported_duration_seconds" integer, "replay" boolean NOT NULL DEFAULT false, "origin" character varying(10) NOT NULL, "close_reason" character varying(12), "anonymized" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_access_uses_close_reason" CHECK ("close_reason" IN (\'stop\', \'superseded\', \'orphaned\', \'api\')), CONSTRAINT "CHK_access_uses_origin" CHECK ("origin" IN (\'board\', \'api\')), CONSTRAINT "CHK_access_uses_closed" CHECK (("ended_at" IS NULL) = ("close_reason" IS NULL)), CONSTRAINT "PK_8e3289d0e32356e830e5c4ca734" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_access_uses_open_last_seen" ON "access_uses"  ("last_seen_at") WHERE "ended_at" IS NULL',
    );
    await queryRunner.query('CREATE INDEX "IDX_access_uses_start" ON "access_uses"  ("started_at") ');
    await queryRunner.query('CREATE INDEX "IDX_access_uses_user_start" ON "access_uses"  ("user_id", "started_at") ');
    await queryRunner.query(
      'CREATE INDEX "IDX_access_uses_machine_start" ON "access_uses"  ("machine_id", "started_at") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_access_uses_open_per_machine" ON "access_uses"  ("machine_id") WHERE "ended_at" IS NULL',
    );
    await queryRunner.query(
      'CREATE TABLE "access_maintenance_plans" ("id" SERIAL NOT NULL, "machine_id" integer NOT NULL, "description" text NOT NULL, "lcd_message" character varying(40) NOT NULL DEFAULT \'\', "hours_between" double precision NOT NULL, "instructions_url" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_access_maintenance_plans_hours" CHECK ("hours_between" > 0), CONSTRAINT "PK_52099e17027be2f8908edee32b2" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_access_maintenance_plans_machine" ON "access_maintenance_plans"  ("machine_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "access_interventions" ("id" BIGSERIAL NOT NULL, "plan_id" integer NOT NULL, "machine_id" integer NOT NULL, "user_id" uuid, "performed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "origin" character varying(10) NOT NULL, "replay" boolean NOT NULL DEFAULT false, "notes" text NOT NULL DEFAULT \'\', "anonymized" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_access_interventions_origin" CHECK ("origin" IN (\'board\', \'api\')), CONSTRAINT "PK_83ea21f49923291822663401c13" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_access_interventions_machine_performed" ON "access_interventions"  ("machine_id", "performed_at") ',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_access_interventions_plan_performed" ON "access_interventions"  ("plan_id", "performed_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "access_unknown_cards" ("id" BIGSERIAL NOT NULL, "card_uid" character varying(8) NOT NULL, "machine_id" integer NOT NULL, "attempted_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_f0f69d83381ffa7d7ea53d94a41" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "IDX_access_unknown_cards_card" ON "access_unknown_cards"  ("card_uid") ');
    await queryRunner.query(
      'CREATE INDEX "IDX_access_unknown_cards_attempted" ON "access_unknown_cards"  ("attempted_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "access_boards" ("machine_id" integer NOT NULL, "firmware_version" character varying(200) NOT NULL DEFAULT \'\', "ip" character varying(64) NOT NULL DEFAULT \'\', "serial" character varying(64) NOT NULL DEFAULT \'\', "heap" bigint, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_01158fbc8bd5d0f08e8286fd8ba" PRIMARY KEY ("machine_id"))',
    );
    await queryRunner.query(
      'ALTER TABLE "access_authorizations" ADD CONSTRAINT "FK_df8facf035f141c32374ba1d99f" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "access_authorizations" ADD CONSTRAINT "FK_29f6099f53e26d36aa0f3ccb3c1" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "access_uses" ADD CONSTRAINT "FK_5b6b23176bb46997935b0de916b" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "access_uses" ADD CONSTRAINT "FK_ddf2f155a12ebf7b8def18505da" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "access_maintenance_plans" ADD CONSTRAINT "FK_73040a662d4c23217db5986f58a" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "access_interventions" ADD CONSTRAINT "FK_f4a93455aba194d8e156f27e837" FOREIGN KEY ("plan_id") REFERENCES "access_maintenance_plans"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "access_interventions" ADD CONSTRAINT "FK_ebe464b98629cf3b26ad4bcc8f0" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "access_interventions" ADD CONSTRAINT "FK_989681eb95a4b24d1c0e49ce1e2" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "access_unknown_cards" ADD CONSTRAINT "FK_a6e952b46c4b35b6650ba8ab6dd" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "access_boards" ADD CONSTRAINT "FK_01158fbc8bd5d0f08e8286fd8ba" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );

    // API permissions of RFID access control for the seeded roles.
    await queryRunner.query(`UPDATE "roles" SET "permissions" = array_cat("permissions", CASE "name"
      WHEN 'admin' THEN ARRAY['access:read','access:write','access:operate']
      WHEN 'manager' THEN ARRAY['access:read','access:write','access:operate']
      WHEN 'supervisor' THEN ARRAY['access:read','access:operate']
      WHEN 'operator' THEN ARRAY['access:read']
      ELSE ARRAY[]::text[] END) WHERE "is_system"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE "roles" SET "permissions" = ARRAY(SELECT p FROM unnest("permissions") p
      WHERE p NOT IN ('access:read','access:write','access:operate'))`);
    await queryRunner.query('ALTER TABLE "access_boards" DROP CONSTRAINT "FK_01158fbc8bd5d0f08e8286fd8ba"');
    await queryRunner.query('ALTER TABLE "access_unknown_cards" DROP CONSTRAINT "FK_a6e952b46c4b35b6650ba8ab6dd"');
    await queryRunner.query('ALTER TABLE "access_interventions" DROP CONSTRAINT "FK_989681eb95a4b24d1c0e49ce1e2"');
    await queryRunner.query('ALTER TABLE "access_interventions" DROP CONSTRAINT "FK_ebe464b98629cf3b26ad4bcc8f0"');
    await queryRunner.query('ALTER TABLE "access_interventions" DROP CONSTRAINT "FK_f4a93455aba194d8e156f27e837"');
    await queryRunner.query('ALTER TABLE "access_maintenance_plans" DROP CONSTRAINT "FK_73040a662d4c23217db5986f58a"');
    await queryRunner.query('ALTER TABLE "access_uses" DROP CONSTRAINT "FK_ddf2f155a12ebf7b8def18505da"');
    await queryRunner.query('ALTER TABLE "access_uses" DROP CONSTRAINT "FK_5b6b23176bb46997935b0de916b"');
    await queryRunner.query('ALTER TABLE "access_authorizations" DROP CONSTRAINT "FK_29f6099f53e26d36aa0f3ccb3c1"');
    await queryRunner.query('ALTER TABLE "access_authorizations" DROP CONSTRAINT "FK_df8facf035f141c32374ba1d99f"');
    await queryRunner.query('DROP TABLE "access_boards"');
    await queryRunner.query('DROP INDEX "public"."IDX_access_unknown_cards_attempted"');
    await queryRunner.query('DROP INDEX "public"."IDX_access_unknown_cards_card"');
    await queryRunner.query('DROP TABLE "access_unknown_cards"');
    await queryRunner.query('DROP INDEX "public"."IDX_access_interventions_plan_performed"');
    await queryRunner.query('DROP INDEX "public"."IDX_access_interventions_machine_performed"');
    await queryRunner.query('DROP TABLE "access_interventions"');
    await queryRunner.query('DROP INDEX "public"."IDX_access_maintenance_plans_machine"');
    await queryRunner.query('DROP TABLE "access_maintenance_plans"');
    await queryRunner.query('DROP INDEX "public"."UQ_access_uses_open_per_machine"');
    await queryRunner.query('DROP INDEX "public"."IDX_access_uses_machine_start"');
    await queryRunner.query('DROP INDEX "public"."IDX_access_uses_user_start"');
    await queryRunner.query('DROP INDEX "public"."IDX_access_uses_start"');
    await queryRunner.query('DROP INDEX "public"."IDX_access_uses_open_last_seen"');
    await queryRunner.query('DROP TABLE "access_uses"');
    await queryRunner.query('DROP INDEX "public"."UQ_access_authorizations_user_machine"');
    await queryRunner.query('DROP INDEX "public"."IDX_access_authorizations_machine"');
    await queryRunner.query('DROP TABLE "access_authorizations"');
  }
}
