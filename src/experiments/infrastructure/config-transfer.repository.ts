import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { transactionalManager } from '../../shared/database/transactions.adapter.js';
import type { Experiment, ExperimentFields, Pv, PvFields, PvType } from '../domain/experiments.js';
import { ConfigTransferRepository, type StoredSubscription } from '../application/config-transfer.ports.js';

/** Any constant of our own: pg_advisory_xact_lock keys are shared by the whole database. */
const IMPORT_LOCK_KEY = 0x72747064; // "rtpd"

interface PvRow {
  id: number;
  experiment_id: number;
  name: string;
  display_name: string | null;
  unit: string;
  writable: boolean;
  type: string;
  threshold_min: number | null;
  threshold_max: number | null;
  set_min: number | null;
  set_max: number | null;
}

/** Plain SQL over experiments, pvs, experiment_users and pv_threshold_subscriptions, in the running transaction. */
@Injectable()
export class SqlConfigTransferRepository extends ConfigTransferRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  private query<T>(sql: string, params: unknown[] = []): Promise<T> {
    return transactionalManager(this.dataSource.manager).query(sql, params) as Promise<T>;
  }

  async lockForImport(): Promise<void> {
    await this.query('SELECT pg_advisory_xact_lock($1)', [IMPORT_LOCK_KEY]);
  }

  async experiments(): Promise<Experiment[]> {
    const rows = await this.query<Array<{ id: number; name: string; display_name: string | null }>>(
      'SELECT id, name, display_name FROM experiments ORDER BY name',
    );
    return rows.map((r) => ({ id: r.id, name: r.name, displayName: r.display_name }));
  }

  async pvs(): Promise<Pv[]> {
    const rows = await this.query<PvRow[]>('SELECT * FROM pvs ORDER BY name');
    return rows.map((r) => ({
      id: r.id,
      experimentId: r.experiment_id,
      name: r.name,
      displayName: r.display_name,
      unit: r.unit,
      writable: r.writable,
      type: r.type as PvType,
      thresholdMin: r.threshold_min,
      thresholdMax: r.threshold_max,
      setMin: r.set_min,
      setMax: r.set_max,
    }));
  }

  async assignments(): Promise<Array<{ experimentId: number; userId: string }>> {
    const rows = await this.query<Array<{ experiment_id: number; user_id: string }>>(
      'SELECT experiment_id, user_id FROM experiment_users',
    );
    return rows.map((r) => ({ experimentId: r.experiment_id, userId: r.user_id }));
  }

  async subscriptions(): Promise<StoredSubscription[]> {
    const rows = await this.query<
      Array<{ id: number; user_id: string; pv_id: number; email: string; min: number; max: number }>
    >('SELECT id, user_id, pv_id, email, min, max FROM pv_threshold_subscriptions');
    return rows.map((r) => ({ id: r.id, userId: r.user_id, pvId: r.pv_id, email: r.email, min: r.min, max: r.max }));
  }

  async createExperiment(name: string, fields: ExperimentFields): Promise<number> {
    const rows = await this.query<Array<{ id: number }>>(
      'INSERT INTO experiments (name, display_name) VALUES ($1, $2) RETURNING id',
      [name, fields.displayName],
    );
    return rows[0].id;
  }

  async updateExperiment(id: number, fields: ExperimentFields): Promise<void> {
    await this.query('UPDATE experiments SET display_name = $2 WHERE id = $1', [id, fields.displayName]);
  }

  async createPv(experimentId: number, name: string, f: PvFields): Promise<number> {
    const rows = await this.query<Array<{ id: number }>>(
      `INSERT INTO pvs (experiment_id, name, display_name, unit, writable, type, threshold_min, threshold_max, set_min, set_max)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [
        experimentId,
        name,
        f.displayName,
        f.unit,
        f.writable,
        f.type,
        f.thresholdMin,
        f.thresholdMax,
        f.setMin,
        f.setMax,
      ],
    );
    return rows[0].id;
  }

  async updatePv(id: number, f: PvFields): Promise<void> {
    await this.query(
      `UPDATE pvs SET display_name = $2, unit = $3, writable = $4, type = $5, threshold_min = $6, threshold_max = $7,
       set_min = $8, set_max = $9 WHERE id = $1`,
      [id, f.displayName, f.unit, f.writable, f.type, f.thresholdMin, f.thresholdMax, f.setMin, f.setMax],
    );
  }

  async assign(experimentId: number, userId: string): Promise<void> {
    await this.query('INSERT INTO experiment_users (experiment_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      experimentId,
      userId,
    ]);
  }

  async createSubscription(s: Omit<StoredSubscription, 'id'>): Promise<void> {
    await this.query(
      'INSERT INTO pv_threshold_subscriptions (user_id, pv_id, email, min, max) VALUES ($1, $2, $3, $4, $5)',
      [s.userId, s.pvId, s.email, s.min, s.max],
    );
  }

  async updateSubscription(id: number, s: Pick<StoredSubscription, 'email' | 'min' | 'max'>): Promise<void> {
    await this.query('UPDATE pv_threshold_subscriptions SET email = $2, min = $3, max = $4 WHERE id = $1', [
      id,
      s.email,
      s.min,
      s.max,
    ]);
  }
}
