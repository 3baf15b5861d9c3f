import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { selectPage, sqlWhere } from '../database/sql-page.js';
import { transactionalManager } from '../database/transactions.adapter.js';
import type { PageResult } from '../graphql/pagination.js';
import type { OutboxMessage, OutboxState } from './outbox-message.js';

interface Row {
  id: string;
  channel: string;
  idempotency_key: string;
  payload: unknown;
  state: OutboxState;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

export interface OutboxFilter {
  states?: readonly OutboxState[];
  channel?: string;
}

/**
 * The outbox table (migration Outbox). Enqueueing joins the caller's transaction, so the
 * message exists exactly when what caused it was committed. Claims use SKIP LOCKED and push
 * the message's next attempt a lease ahead: several replicas' workers never take the same
 * message at once, and one whose worker died mid-send is retried once the lease has passed.
 */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Adds the message unless its key is already in the outbox; true when it was added. */
  async enqueue(channel: string, idempotencyKey: string, payload: unknown): Promise<boolean> {
    const rows: unknown[] = await transactionalManager(this.dataSource.manager).query(
      `INSERT INTO outbox_messages (channel, idempotency_key, payload) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (channel, idempotency_key) DO NOTHING RETURNING id`,
      [channel, idempotencyKey, JSON.stringify(payload)],
    );
    return rows.length > 0;
  }

  /** Up to `limit` due messages of these channels, each now held for `leaseMs`. */
  async claimDue(channels: readonly string[], limit: number, leaseMs: number): Promise<OutboxMessage[]> {
    const rows: Row[] = await this.dataSource.query(
      // Wrapped in a SELECT: TypeORM answers a bare UPDATE … RETURNING as [rows, count].
      `WITH claimed AS (
         UPDATE outbox_messages m SET next_attempt_at = now() + $3 * interval '1 millisecond'
         FROM (SELECT id FROM outbox_messages
               WHERE state = 'PENDING' AND next_attempt_at <= now() AND channel = ANY($1::text[])
               ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED) due
         WHERE m.id = due.id RETURNING m.*)
       SELECT * FROM claimed`,
      [channels, limit, leaseMs],
    );
    return rows.map(toMessage).sort((a, b) => Number(a.id) - Number(b.id));
  }

  async markSent(id: string, attempts: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox_messages SET state = 'SENT', attempts = $2, sent_at = now(), last_error = NULL WHERE id = $1`,
      [id, attempts],
    );
  }

  /** A failed attempt: retried after `retryInMs`, or FAILED for good when that is null. */
  async markFailed(id: string, attempts: number, error: string, retryInMs: number | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox_messages SET attempts = $2, last_error = $3,
         state = CASE WHEN $4::int IS NULL THEN 'FAILED' ELSE 'PENDING' END,
         next_attempt_at = CASE WHEN $4::int IS NULL THEN next_attempt_at ELSE now() + $4::int * interval '1 millisecond' END
       WHERE id = $1`,
      [id, attempts, error, retryInMs],
    );
  }

  /** Sends a FAILED message again (its attempts start over); null when there is no such message. */
  async resend(id: string): Promise<OutboxMessage | null> {
    const rows: Row[] = await this.dataSource.query(
      `WITH resent AS (UPDATE outbox_messages SET state = 'PENDING', attempts = 0, next_attempt_at = now()
         WHERE id = $1 AND state <> 'SENT' RETURNING *)
       SELECT * FROM resent`,
      [id],
    );
    return rows[0] ? toMessage(rows[0]) : null;
  }

  async find(id: string): Promise<OutboxMessage | null> {
    const rows: Row[] = await this.dataSource.query('SELECT * FROM outbox_messages WHERE id = $1', [id]);
    return rows[0] ? toMessage(rows[0]) : null;
  }

  list(filter: OutboxFilter, page: { offset: number; limit: number }): Promise<PageResult<OutboxMessage>> {
    const where = sqlWhere([
      filter.states?.length && ['state = ANY(?::text[])', filter.states],
      filter.channel && ['channel = ?', filter.channel],
    ]);
    return selectPage(this.dataSource, { from: 'outbox_messages', filter: where, orderBy: 'id DESC' }, page, toMessage);
  }
}

function toMessage(r: Row): OutboxMessage {
  return {
    id: String(r.id),
    channel: r.channel,
    idempotencyKey: r.idempotency_key,
    payload: r.payload,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  };
}
