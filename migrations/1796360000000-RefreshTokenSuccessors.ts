import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which token a rotation replaced a refresh token with. A client whose answer to a rotation was
 * lost (the service stopped while answering) presents the old token again; within a short grace
 * that is told apart from theft by its successor never having been used.
 */
export class RefreshTokenSuccessors1796360000000 implements MigrationInterface {
  name = 'RefreshTokenSuccessors1796360000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // No foreign key: tokens go only with their user, successor and all (user_id's cascade).
    await queryRunner.query('ALTER TABLE "refresh_tokens" ADD "replaced_by" uuid');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "refresh_tokens" DROP COLUMN "replaced_by"');
  }
}
