import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Derived-state ownership (src/shared/ownership): the processes alive and the lease of each
 * of the 64 buckets of source ids. Unregistered sources move to the shared ingestion path:
 * a topic may list a missing part of a registered source (an axis), so a topic is unique
 * with its part, and the list is pruned by last seen.
 */
export class IngestionAndOwnership1796321000000 implements MigrationInterface {
  name = 'IngestionAndOwnership1796321000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "ownership_members" ("member" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_ownership_members" PRIMARY KEY ("member"))',
    );
    await queryRunner.query(
      `CREATE TABLE "ownership_leases" ("bucket" integer NOT NULL, "owner" text, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT '-infinity', CONSTRAINT "PK_ownership_leases" PRIMARY KEY ("bucket"), CONSTRAINT "CHK_ownership_leases_bucket" CHECK ("bucket" >= 0 AND "bucket" < 64))`,
    );
    await queryRunner.query('INSERT INTO "ownership_leases" ("bucket") SELECT generate_series(0, 63)');
    await queryRunner.query(`ALTER TABLE "unregistered_sources" ADD "part" character varying(50) NOT NULL DEFAULT ''`);
    await queryRunner.query('DROP INDEX "public"."UQ_unregistered_sources_topic"');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_unregistered_sources_topic_part" ON "unregistered_sources" ("topic", "part") ',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_unregistered_sources_last_seen" ON "unregistered_sources" ("last_seen_at") ',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."IDX_unregistered_sources_last_seen"');
    await queryRunner.query('DROP INDEX "public"."UQ_unregistered_sources_topic_part"');
    await queryRunner.query(`DELETE FROM "unregistered_sources" WHERE "part" <> ''`);
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_unregistered_sources_topic" ON "unregistered_sources" ("topic") ');
    await queryRunner.query('ALTER TABLE "unregistered_sources" DROP COLUMN "part"');
    await queryRunner.query('DROP TABLE "ownership_leases"');
    await queryRunner.query('DROP TABLE "ownership_members"');
  }
}
