import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { transactionalManager } from '../database/transactions.adapter.js';

/**
 * webhook_secrets (migration AlarmNotifications): signing secrets by a reference their owner
 * chooses ("notification-channel:12"). Kept apart from outbox payloads, which admins can read;
 * writes join the caller's transaction.
 */
@Injectable()
export class WebhookSecretsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private query<T>(sql: string, params: unknown[]): Promise<T> {
    return transactionalManager(this.dataSource.manager).query(sql, params) as Promise<T>;
  }

  async set(ref: string, secret: string): Promise<void> {
    await this.query(
      `INSERT INTO webhook_secrets (ref, secret) VALUES ($1, $2)
       ON CONFLICT (ref) DO UPDATE SET secret = EXCLUDED.secret, updated_at = now()`,
      [ref, secret],
    );
  }

  async delete(ref: string): Promise<void> {
    await this.query('DELETE FROM webhook_secrets WHERE ref = $1', [ref]);
  }

  /**
   * At send time, never through the ambient transaction: the outbox worker can be woken from
   * inside a cause's transaction (its AsyncLocalStorage context travels with setImmediate),
   * whose connection is released by the time the call goes out.
   */
  async get(ref: string): Promise<string | null> {
    const rows: Array<{ secret: string }> = await this.dataSource.query(
      'SELECT secret FROM webhook_secrets WHERE ref = $1',
      [ref],
    );
    return rows[0]?.secret ?? null;
  }

  /** Which of these references have a secret (never the secrets). */
  async existing(refs: readonly string[]): Promise<Set<string>> {
    if (!refs.length) return new Set();
    const rows = await this.query<Array<{ ref: string }>>('SELECT ref FROM webhook_secrets WHERE ref = ANY($1)', [
      [...refs],
    ]);
    return new Set(rows.map((r) => r.ref));
  }
}
