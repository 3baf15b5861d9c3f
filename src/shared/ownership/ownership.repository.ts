import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { transactionalManager } from '../database/transactions.adapter.js';

/** The longest a fenced derived-state transaction waits for a lock (holds()). */
const DERIVED_WRITE_LOCK_TIMEOUT = '5s';

/**
 * The lease tables (migration KeyOwnership): `ownership_members` says which processes are
 * alive, `ownership_leases` which of them owns each bucket of keys until when. Every
 * statement is one round trip; time is the database's, so replicas' clocks do not matter.
 * (UPDATE … RETURNING is wrapped in a CTE: TypeORM's query() answers a bare UPDATE with
 * [rows, count] instead of the rows.)
 */
@Injectable()
export class OwnershipRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Announces the member alive for `ttlMs`; returns how many members are alive (itself included). */
  async heartbeat(member: string, ttlMs: number): Promise<number> {
    const [row] = await this.dataSource.query<Array<{ alive: string }>>(
      `WITH beat AS (
         INSERT INTO ownership_members (member, expires_at) VALUES ($1, now() + $2 * interval '1 millisecond')
         ON CONFLICT (member) DO UPDATE SET expires_at = EXCLUDED.expires_at
       ), gone AS (
         DELETE FROM ownership_members WHERE expires_at < now() - interval '1 hour'
       )
       SELECT 1 + count(*) AS alive FROM ownership_members WHERE member <> $1 AND expires_at > now()`,
      [member, ttlMs],
    );
    return Number(row.alive);
  }

  /** Extends the member's unexpired leases; returns the buckets it still holds (an expired one is lost). */
  async renew(member: string, ttlMs: number): Promise<number[]> {
    const rows = await this.dataSource.query<Array<{ bucket: number }>>(
      `WITH renewed AS (
         UPDATE ownership_leases SET expires_at = now() + $2 * interval '1 millisecond'
         WHERE owner = $1 AND expires_at > now() RETURNING bucket)
       SELECT bucket FROM renewed`,
      [member, ttlMs],
    );
    return rows.map((r) => r.bucket);
  }

  /** Takes up to `count` buckets that nobody holds (free or expired); returns those taken. */
  async acquire(member: string, count: number, ttlMs: number): Promise<number[]> {
    const rows = await this.dataSource.query<Array<{ bucket: number }>>(
      `WITH taken AS (
         UPDATE ownership_leases SET owner = $1, expires_at = now() + $3 * interval '1 millisecond'
         WHERE bucket IN (
           SELECT bucket FROM ownership_leases WHERE owner IS NULL OR expires_at <= now()
           ORDER BY bucket LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING bucket)
       SELECT bucket FROM taken`,
      [member, count, ttlMs],
    );
    return rows.map((r) => r.bucket);
  }

  async release(member: string, buckets: readonly number[]): Promise<void> {
    if (!buckets.length) return;
    await this.dataSource.query(
      `UPDATE ownership_leases SET owner = NULL, expires_at = '-infinity' WHERE owner = $1 AND bucket = ANY($2::int[])`,
      [member, [...buckets]],
    );
  }

  async leave(member: string): Promise<void> {
    await this.dataSource.query(
      `WITH released AS (
         UPDATE ownership_leases SET owner = NULL, expires_at = '-infinity' WHERE owner = $1
       ) DELETE FROM ownership_members WHERE member = $1`,
      [member],
    );
  }

  /**
   * Inside the caller's transaction: true when the member holds every bucket, and the
   * lease rows stay locked (FOR SHARE) until that transaction ends, so nobody can take
   * them over while it writes. The transaction waits at most DERIVED_WRITE_LOCK_TIMEOUT for
   * any lock from here on: a fenced write that cannot get one fails, and its sources are
   * caught up from the store, rather than hold up every later batch of its stage.
   */
  async holds(member: string, buckets: readonly number[]): Promise<boolean> {
    const manager = transactionalManager(this.dataSource.manager);
    await manager.query(`SELECT set_config('lock_timeout', $1, true)`, [DERIVED_WRITE_LOCK_TIMEOUT]);
    const rows = await manager.query<Array<{ bucket: number }>>(
      `SELECT bucket FROM ownership_leases
       WHERE bucket = ANY($2::int[]) AND owner = $1 AND expires_at > now() FOR SHARE`,
      [member, [...buckets]],
    );
    return rows.length === buckets.length;
  }
}
