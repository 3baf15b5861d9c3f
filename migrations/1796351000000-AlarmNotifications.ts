import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alarm notification channels (e-mail recipients, or a webhook URL whose signing secret is
 * kept in webhook_secrets, apart from anything shown) and rules (which alarms, on which
 * transitions, to which channels, at most how many per window), and a record per rule and
 * transition of what was enqueued or held back by the rule's rate limit: the rate limit counts
 * it, in the database, so it holds across replicas. No foreign key to alarms: the record
 * outlives nothing of the lifecycle's and needs none of its rows.
 */
export class AlarmNotifications1796351000000 implements MigrationInterface {
  name = 'AlarmNotifications1796351000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "webhook_secrets" (
      "ref" varchar(100) NOT NULL,
      "secret" varchar(256) NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "PK_webhook_secrets" PRIMARY KEY ("ref"))`);
    await queryRunner.query(`CREATE TABLE "notification_channels" (
      "id" SERIAL NOT NULL,
      "name" varchar(100) NOT NULL,
      "kind" varchar(10) NOT NULL,
      "recipients" text[] NOT NULL DEFAULT '{}',
      "url" varchar(2000),
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "PK_notification_channels" PRIMARY KEY ("id"),
      CONSTRAINT "UQ_notification_channels_name" UNIQUE ("name"),
      CONSTRAINT "CHK_notification_channels_kind" CHECK (
        ("kind" = 'EMAIL' AND "url" IS NULL AND cardinality("recipients") > 0)
        OR ("kind" = 'WEBHOOK' AND "url" IS NOT NULL AND cardinality("recipients") = 0)))`);
    await queryRunner.query(`CREATE TABLE "notification_rules" (
      "id" SERIAL NOT NULL,
      "name" varchar(100) NOT NULL,
      "enabled" boolean NOT NULL DEFAULT true,
      "source_kinds" text[] NOT NULL DEFAULT '{}',
      "types" text[] NOT NULL DEFAULT '{}',
      "min_severity" varchar(15) NOT NULL DEFAULT 'INDETERMINATE',
      "source_keys" text[] NOT NULL DEFAULT '{}',
      "experiment" varchar(100),
      "transitions" text[] NOT NULL,
      "rate_limit_max" integer,
      "rate_limit_window_seconds" integer,
      "weekly_digest" boolean NOT NULL DEFAULT false,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "PK_notification_rules" PRIMARY KEY ("id"),
      CONSTRAINT "UQ_notification_rules_name" UNIQUE ("name"),
      CONSTRAINT "CHK_notification_rules_severity"
        CHECK ("min_severity" IN ('CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'INDETERMINATE')),
      CONSTRAINT "CHK_notification_rules_transitions" CHECK (cardinality("transitions") > 0),
      CONSTRAINT "CHK_notification_rules_rate_limit" CHECK (
        ("rate_limit_max" IS NULL AND "rate_limit_window_seconds" IS NULL)
        OR ("rate_limit_max" > 0 AND "rate_limit_window_seconds" > 0)))`);
    // A channel in use is not deleted from under its rules (RESTRICT): its deletion is refused instead.
    await queryRunner.query(`CREATE TABLE "notification_rule_channels" (
      "rule_id" integer NOT NULL,
      "channel_id" integer NOT NULL,
      CONSTRAINT "PK_notification_rule_channels" PRIMARY KEY ("rule_id", "channel_id"),
      CONSTRAINT "FK_notification_rule_channels_rule" FOREIGN KEY ("rule_id") REFERENCES "notification_rules"("id") ON DELETE CASCADE,
      CONSTRAINT "FK_notification_rule_channels_channel" FOREIGN KEY ("channel_id") REFERENCES "notification_channels"("id") ON DELETE RESTRICT)`);
    await queryRunner.query(
      'CREATE INDEX "IDX_notification_rule_channels_channel" ON "notification_rule_channels" ("channel_id")',
    );
    await queryRunner.query(`CREATE TABLE "alarm_notifications" (
      "id" BIGSERIAL NOT NULL,
      "rule_id" integer NOT NULL,
      "alarm_id" bigint NOT NULL,
      "transition_id" bigint NOT NULL,
      "transition_kind" varchar(20) NOT NULL,
      "outcome" varchar(15) NOT NULL,
      "channels" integer NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "PK_alarm_notifications" PRIMARY KEY ("id"),
      CONSTRAINT "UQ_alarm_notifications_rule_transition" UNIQUE ("rule_id", "transition_id"),
      CONSTRAINT "CHK_alarm_notifications_outcome" CHECK ("outcome" IN ('ENQUEUED', 'RATE_LIMITED')),
      CONSTRAINT "FK_alarm_notifications_rule" FOREIGN KEY ("rule_id") REFERENCES "notification_rules"("id") ON DELETE CASCADE)`);
    // The rate limit's count: what a rule enqueued within its window.
    await queryRunner.query(
      `CREATE INDEX "IDX_alarm_notifications_rule_enqueued" ON "alarm_notifications" ("rule_id", "created_at") WHERE "outcome" = 'ENQUEUED'`,
    );
    await queryRunner.query('CREATE INDEX "IDX_alarm_notifications_created" ON "alarm_notifications" ("created_at")');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "alarm_notifications"');
    await queryRunner.query('DROP TABLE "notification_rule_channels"');
    await queryRunner.query('DROP TABLE "notification_rules"');
    await queryRunner.query('DROP TABLE "notification_channels"');
    await queryRunner.query('DROP TABLE "webhook_secrets"');
  }
}
