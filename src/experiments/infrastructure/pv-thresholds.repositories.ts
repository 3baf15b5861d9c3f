import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { NotFoundError } from '../../shared/errors/domain-errors.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import { pgArray } from '../../shared/database/pg-array-literal.js';
import { selectPage, sqlWhere } from '../../shared/database/sql-page.js';
import { transactionalManager } from '../../shared/database/transactions.adapter.js';
import { translateUniqueViolation } from '../../shared/database/unique-violation.js';
import type { ClosedEpisode, OpenEpisode, ThresholdLimit } from '../domain/threshold-episodes.js';
import {
  ThresholdEpisodeRepository,
  ThresholdSubscriptionRepository,
  type StoredEpisode,
  type ThresholdSubscription,
  type ThresholdSubscriptionFilter,
} from '../application/pv-thresholds.ports.js';

type Page = { offset: number; limit: number };

interface SubscriptionRow {
  id: number;
  user_id: string;
  pv_id: number;
  email: string;
  min: number;
  max: number;
  created_at: Date;
}

interface EpisodeRow {
  id: string;
  subscription_id: number;
  limit: ThresholdLimit;
  limit_value: number;
  started_at: Date;
  start_value: number;
  peak: number;
  ended_at: Date | null;
}

const toSubscription = (r: SubscriptionRow): ThresholdSubscription => ({
  id: r.id,
  userId: r.user_id,
  pvId: r.pv_id,
  email: r.email,
  min: r.min,
  max: r.max,
  createdAt: r.created_at,
});

const toEpisode = (r: EpisodeRow): StoredEpisode => ({
  id: String(r.id),
  subscriptionId: r.subscription_id,
  limit: r.limit,
  limitValue: r.limit_value,
  startedAt: r.started_at,
  startValue: r.start_value,
  peak: r.peak,
  endedAt: r.ended_at,
});

/** SQL over pv_threshold_subscriptions (no entity: migration PvThresholds). */
@Injectable()
export class SqlThresholdSubscriptionRepository extends ThresholdSubscriptionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  private query<T>(sql: string, params: unknown[]): Promise<T> {
    return transactionalManager(this.dataSource.manager).query(sql, params) as Promise<T>;
  }

  async create(s: Omit<ThresholdSubscription, 'id' | 'createdAt'>): Promise<ThresholdSubscription> {
    const rows = await translateUniqueViolation(
      this.query<SubscriptionRow[]>(
        `INSERT INTO pv_threshold_subscriptions (user_id, pv_id, email, min, max) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [s.userId, s.pvId, s.email, s.min, s.max],
      ),
      {
        UQ_pv_threshold_subscriptions_user_pv: {
          field: 'pvName',
          message: 'You have a threshold subscription on this PV already: update it instead',
        },
      },
    );
    return toSubscription(rows[0]);
  }

  async update(id: number, c: Pick<ThresholdSubscription, 'email' | 'min' | 'max'>): Promise<ThresholdSubscription> {
    const [rows] = await this.query<[SubscriptionRow[], number]>(
      `UPDATE pv_threshold_subscriptions SET email = $2, min = $3, max = $4 WHERE id = $1 RETURNING *`,
      [id, c.email, c.min, c.max],
    );
    if (!rows.length) throw new NotFoundError('Threshold subscription', id);
    return toSubscription(rows[0]);
  }

  async find(userId: string, pvId: number): Promise<ThresholdSubscription | null> {
    const rows = await this.query<SubscriptionRow[]>(
      'SELECT * FROM pv_threshold_subscriptions WHERE user_id = $1 AND pv_id = $2',
      [userId, pvId],
    );
    return rows.length ? toSubscription(rows[0]) : null;
  }

  async list(filter: ThresholdSubscriptionFilter, page: Page): Promise<PageResult<ThresholdSubscription>> {
    if (filter.pvIds && !filter.pvIds.length) return { items: [], totalCount: 0, ...page };
    const where = sqlWhere([
      filter.userId && ['user_id = ?', filter.userId],
      filter.pvIds && ['pv_id = ANY(?::int[])', pgArray(filter.pvIds)],
    ]);
    return selectPage(
      transactionalManager(this.dataSource.manager),
      { from: 'pv_threshold_subscriptions', filter: where, orderBy: 'id' },
      page,
      toSubscription,
    );
  }

  async ofPvs(pvIds: readonly number[]): Promise<ThresholdSubscription[]> {
    if (!pvIds.length) return [];
    const rows = await this.query<SubscriptionRow[]>(
      'SELECT * FROM pv_threshold_subscriptions WHERE pv_id = ANY($1::int[]) ORDER BY id',
      [pgArray(pvIds)],
    );
    return rows.map(toSubscription);
  }

  async delete(filter: {
    ids?: readonly number[];
    pvIds?: readonly number[];
    userId?: string;
  }): Promise<ThresholdSubscription[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.ids) where.push(`id = ANY($${params.push(pgArray(filter.ids))}::int[])`);
    if (filter.pvIds) where.push(`pv_id = ANY($${params.push(pgArray(filter.pvIds))}::int[])`);
    if (filter.userId) where.push(`user_id = $${params.push(filter.userId)}`);
    if (!where.length) throw new Error('Deleting threshold subscriptions needs a filter');
    const [rows] = await this.query<[SubscriptionRow[], number]>(
      `DELETE FROM pv_threshold_subscriptions WHERE ${where.join(' AND ')} RETURNING *`,
      params,
    );
    return rows.map(toSubscription);
  }
}

/** SQL over pv_threshold_episodes and pv_threshold_watermarks (no entities: migration PvThresholds). */
@Injectable()
export class SqlThresholdEpisodeRepository extends ThresholdEpisodeRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  private query<T>(sql: string, params: unknown[]): Promise<T> {
    return transactionalManager(this.dataSource.manager).query(sql, params) as Promise<T>;
  }

  async openOf(pvIds: readonly number[]): Promise<Map<number, StoredEpisode>> {
    if (!pvIds.length) return new Map();
    const rows = await this.query<EpisodeRow[]>(
      `SELECT e.* FROM pv_threshold_episodes e JOIN pv_threshold_subscriptions s ON s.id = e.subscription_id
       WHERE s.pv_id = ANY($1::int[]) AND e.ended_at IS NULL`,
      [pgArray(pvIds)],
    );
    return new Map(rows.map((r) => [r.subscription_id, toEpisode(r)]));
  }

  async watermarks(pvIds: readonly number[]): Promise<Map<number, Date>> {
    if (!pvIds.length) return new Map();
    const rows = await this.query<Array<{ pv_id: number; up_to: Date }>>(
      'SELECT pv_id, up_to FROM pv_threshold_watermarks WHERE pv_id = ANY($1::int[])',
      [pgArray(pvIds)],
    );
    return new Map(rows.map((r) => [r.pv_id, r.up_to]));
  }

  async setWatermark(pvId: number, upTo: Date): Promise<void> {
    await this.query(
      `INSERT INTO pv_threshold_watermarks (pv_id, up_to) VALUES ($1, $2)
       ON CONFLICT (pv_id) DO UPDATE SET up_to = EXCLUDED.up_to`,
      [pvId, upTo],
    );
  }

  async start(subscriptionId: number, e: OpenEpisode): Promise<StoredEpisode> {
    const rows = await this.query<EpisodeRow[]>(
      `INSERT INTO pv_threshold_episodes (subscription_id, "limit", limit_value, started_at, start_value, peak)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [subscriptionId, e.limit, e.limitValue, e.startedAt, e.startValue, e.peak],
    );
    return toEpisode(rows[0]);
  }

  async movePeak(id: string, peak: number): Promise<void> {
    await this.query('UPDATE pv_threshold_episodes SET peak = $2 WHERE id = $1', [id, peak]);
  }

  async end(id: string, e: ClosedEpisode): Promise<void> {
    await this.query('UPDATE pv_threshold_episodes SET peak = $2, ended_at = $3 WHERE id = $1', [
      id,
      e.peak,
      e.endedAt,
    ]);
  }

  async list(subscriptionIds: readonly number[], page: Page): Promise<PageResult<StoredEpisode>> {
    if (!subscriptionIds.length) return { items: [], totalCount: 0, ...page };
    return selectPage(
      transactionalManager(this.dataSource.manager),
      {
        from: 'pv_threshold_episodes',
        filter: sqlWhere([['subscription_id = ANY(?::int[])', pgArray(subscriptionIds)]]),
        orderBy: 'started_at DESC, id DESC',
      },
      page,
      toEpisode,
    );
  }
}
