import type { MigrationInterface, QueryRunner } from 'typeorm';

const GRANTS = {
  admin: ['alarms:read', 'alarms:operate', 'alarms:configure'],
  manager: ['alarms:read', 'alarms:operate', 'alarms:configure'],
  supervisor: ['alarms:read', 'alarms:operate'],
  operator: ['alarms:read', 'alarms:operate'],
};

/**
 * The alarms context: one row per alarm (an open alarm, or a closed one kept for history),
 * every transition of every alarm (history and health figures), sources out of service.
 * The partial unique index is what keeps one open alarm per (source, type) when replicas
 * raise the same condition at once: the raise is an INSERT … ON CONFLICT on it.
 */
export class Alarms1796350000000 implements MigrationInterface {
  name = 'Alarms1796350000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "alarms" (
      "id" BIGSERIAL NOT NULL,
      "source_kind" varchar(20) NOT NULL,
      "source_key" varchar(200) NOT NULL,
      "source_name" varchar(200) NOT NULL,
      "source_experiment" varchar(200),
      "type" varchar(100) NOT NULL,
      "severity" varchar(20) NOT NULL,
      "message" text NOT NULL,
      "state" varchar(30) NOT NULL,
      "suppression" varchar(20),
      "shelved_until" timestamptz,
      "shelved_by" uuid,
      "shelve_note" text,
      "assignee_id" uuid,
      "first_raised_at" timestamptz NOT NULL,
      "last_raised_at" timestamptz NOT NULL,
      "last_changed_at" timestamptz NOT NULL,
      "count" integer NOT NULL DEFAULT 1,
      "peak_value" double precision,
      "closed_at" timestamptz,
      CONSTRAINT "PK_alarms" PRIMARY KEY ("id"),
      CONSTRAINT "FK_alarms_assignee" FOREIGN KEY ("assignee_id") REFERENCES "users"("id") ON DELETE SET NULL,
      CONSTRAINT "FK_alarms_shelved_by" FOREIGN KEY ("shelved_by") REFERENCES "users"("id") ON DELETE SET NULL,
      CONSTRAINT "CHK_alarms_source_kind" CHECK ("source_kind" IN ('MACHINE', 'SENSOR', 'PV', 'BOARD', 'SERVICE')),
      CONSTRAINT "CHK_alarms_severity" CHECK ("severity" IN ('CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'INDETERMINATE')),
      CONSTRAINT "CHK_alarms_state" CHECK ("state" IN ('ACTIVE_UNACKNOWLEDGED', 'ACTIVE_ACKNOWLEDGED', 'RETURNED_UNACKNOWLEDGED', 'NORMAL')),
      CONSTRAINT "CHK_alarms_suppression" CHECK ("suppression" IN ('SHELVED', 'OUT_OF_SERVICE')),
      CONSTRAINT "CHK_alarms_shelved" CHECK (("suppression" = 'SHELVED') = ("shelved_until" IS NOT NULL)),
      CONSTRAINT "CHK_alarms_closed" CHECK (("state" = 'NORMAL') = ("closed_at" IS NOT NULL)))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_alarms_open_source_type" ON "alarms" ("source_kind", "source_key", "type")
      WHERE "state" <> 'NORMAL'`);
    // The list's order, and its time window.
    await queryRunner.query('CREATE INDEX "IDX_alarms_last_changed" ON "alarms" ("last_changed_at" DESC, "id" DESC)');
    await queryRunner.query('CREATE INDEX "IDX_alarms_first_raised" ON "alarms" ("first_raised_at")');
    // Every replica's shelf timer looks for shelves run out.
    await queryRunner.query(
      `CREATE INDEX "IDX_alarms_shelved_until" ON "alarms" ("shelved_until") WHERE "suppression" = 'SHELVED'`,
    );

    await queryRunner.query(`CREATE TABLE "alarm_transitions" (
      "id" BIGSERIAL NOT NULL,
      "alarm_id" bigint NOT NULL,
      "kind" varchar(20) NOT NULL,
      "at" timestamptz NOT NULL,
      "by_user_id" uuid,
      "note" text,
      "state_after" varchar(30) NOT NULL,
      "severity" varchar(20) NOT NULL,
      CONSTRAINT "PK_alarm_transitions" PRIMARY KEY ("id"),
      CONSTRAINT "FK_alarm_transitions_alarm" FOREIGN KEY ("alarm_id") REFERENCES "alarms"("id") ON DELETE CASCADE,
      CONSTRAINT "FK_alarm_transitions_by" FOREIGN KEY ("by_user_id") REFERENCES "users"("id") ON DELETE SET NULL)`);
    await queryRunner.query('CREATE INDEX "IDX_alarm_transitions_alarm" ON "alarm_transitions" ("alarm_id", "id")');
    await queryRunner.query('CREATE INDEX "IDX_alarm_transitions_at" ON "alarm_transitions" ("at")');

    await queryRunner.query(`CREATE TABLE "alarm_sources_out_of_service" (
      "source_kind" varchar(20) NOT NULL,
      "source_key" varchar(200) NOT NULL,
      "by_user_id" uuid,
      "note" text,
      "since" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "PK_alarm_sources_out_of_service" PRIMARY KEY ("source_kind", "source_key"),
      CONSTRAINT "FK_alarm_sources_out_of_service_by" FOREIGN KEY ("by_user_id") REFERENCES "users"("id") ON DELETE SET NULL)`);

    await queryRunner.query(`UPDATE "roles" SET "permissions" = array_cat("permissions", CASE "name"
      ${Object.entries(GRANTS)
        .map(([role, permissions]) => `WHEN '${role}' THEN ARRAY[${permissions.map((p) => `'${p}'`).join(',')}]`)
        .join('\n      ')}
      ELSE ARRAY[]::text[] END) WHERE "is_system"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE "roles" SET "permissions" = ARRAY(SELECT p FROM unnest("permissions") p
      WHERE p NOT IN ('alarms:read','alarms:operate','alarms:configure'))`);
    await queryRunner.query('DROP TABLE "alarm_sources_out_of_service"');
    await queryRunner.query('DROP TABLE "alarm_transitions"');
    await queryRunner.query('DROP TABLE "alarms"');
  }
}
