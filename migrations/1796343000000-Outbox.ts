import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The notification outbox (shared/outbox): a message to send (an e-mail, later a webhook) is
 * written in the transaction of what caused it and sent by a worker, so a crash loses nothing;
 * its idempotency key makes it unique, and travels with it so that a receiver that honours it
 * never acts twice. `notifications:manage` lets admins see failures and send again.
 */
export class Outbox1796343000000 implements MigrationInterface {
  name = 'Outbox1796343000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "outbox_messages" (
      "id" BIGSERIAL NOT NULL,
      "channel" varchar(20) NOT NULL,
      "idempotency_key" varchar(300) NOT NULL,
      "payload" jsonb NOT NULL,
      "state" varchar(10) NOT NULL DEFAULT 'PENDING',
      "attempts" integer NOT NULL DEFAULT 0,
      "next_attempt_at" timestamptz NOT NULL DEFAULT now(),
      "last_error" text,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "sent_at" timestamptz,
      CONSTRAINT "PK_outbox_messages" PRIMARY KEY ("id"),
      CONSTRAINT "UQ_outbox_messages_key" UNIQUE ("channel", "idempotency_key"),
      CONSTRAINT "CHK_outbox_messages_state" CHECK ("state" IN ('PENDING', 'SENT', 'FAILED')))`);
    // The worker's claim: due pending messages, oldest first.
    await queryRunner.query(
      `CREATE INDEX "IDX_outbox_messages_due" ON "outbox_messages" ("next_attempt_at", "id") WHERE "state" = 'PENDING'`,
    );
    await queryRunner.query(`UPDATE "roles" SET "permissions" = array_append("permissions", 'notifications:manage')
      WHERE "is_system" AND "name" = 'admin'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE "roles" SET "permissions" = array_remove("permissions", 'notifications:manage')`);
    await queryRunner.query('DROP TABLE "outbox_messages"');
  }
}
