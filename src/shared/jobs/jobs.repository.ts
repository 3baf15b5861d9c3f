import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Permission } from '../auth/permissions.js';
import { selectPage, sqlWhere } from '../database/sql-page.js';
import { transactionalManager } from '../database/transactions.adapter.js';
import type { PageResult } from '../graphql/pagination.js';
import type { Job, JobError, JobState } from './jobs.js';

interface JobRow {
  id: string;
  kind: string;
  permission: string;
  state: JobState;
  percent: number;
  message: string;
  result: unknown;
  error_code: string | null;
  error_message: string | null;
  created_by: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const COLUMNS = `id, kind, permission, state, percent, message, result, error_code, error_message,
  created_by, created_at, started_at, finished_at`;

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    permission: row.permission as Permission,
    state: row.state,
    percent: row.percent,
    message: row.message,
    result: row.result,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    createdBy: row.created_by,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** Which jobs a reader may list: everyone's of the permissions it holds (admin), or its own. */
export interface JobFilter {
  kind?: string | null;
  state?: JobState | null;
  permissions: readonly Permission[];
  createdBy?: string;
}

/**
 * The jobs table (migration Jobs), in plain SQL. Every change of state is one conditional
 * UPDATE (… WHERE state IN unfinished), so that a cancel, a finish and the crash sweep from
 * several replicas never overwrite each other's outcome. Time is the database's.
 * (UPDATE … RETURNING is wrapped in a CTE: TypeORM's query() answers a bare UPDATE with [rows, count].)
 */
@Injectable()
export class JobsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(job: { kind: string; permission: Permission; createdBy: string; owner: string }): Promise<Job> {
    const [row] = await this.dataSource.query<JobRow[]>(
      `INSERT INTO jobs (kind, permission, created_by, owner) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
      [job.kind, job.permission, job.createdBy, job.owner],
    );
    return toJob(row);
  }

  async find(id: string): Promise<Job | undefined> {
    const [row] = await this.dataSource.query<JobRow[]>(`SELECT ${COLUMNS} FROM jobs WHERE id = $1`, [id]);
    return row && toJob(row);
  }

  list(filter: JobFilter, page: { offset: number; limit: number }): Promise<PageResult<Job>> {
    const where = sqlWhere([
      ['permission = ANY(?::text[])', [...filter.permissions]],
      filter.createdBy && ['created_by = ?', filter.createdBy],
      filter.kind && ['kind = ?', filter.kind],
      filter.state && ['state = ?', filter.state],
    ]);
    return selectPage(
      this.dataSource,
      { from: 'jobs', columns: COLUMNS, filter: where, orderBy: 'created_at DESC, id' },
      page,
      toJob,
    );
  }

  /** QUEUED → RUNNING; undefined when the job was cancelled meanwhile. */
  start(id: string): Promise<Job | undefined> {
    return this.change(id, `state = 'RUNNING', started_at = now(), heartbeat_at = now()`, `state = 'QUEUED'`, []);
  }

  /** Progress of a running job; undefined when it is not running any more. */
  progress(id: string, percent: number, message: string): Promise<Job | undefined> {
    return this.change(id, 'percent = $2, message = $3', `state = 'RUNNING'`, [percent, message]);
  }

  /**
   * Locks the running job's row until the caller's transaction ends and says whether it still
   * runs: a cancel from any replica then waits for that transaction, and cannot land half-way.
   */
  async lockRunning(id: string): Promise<boolean> {
    const rows = await transactionalManager(this.dataSource.manager).query<Array<{ state: JobState }>>(
      'SELECT state FROM jobs WHERE id = $1 FOR UPDATE',
      [id],
    );
    return rows[0]?.state === 'RUNNING';
  }

  /** RUNNING → SUCCEEDED with its result; joins the caller's transaction (the handler's writes). */
  succeed(id: string, result: unknown): Promise<Job | undefined> {
    return this.change(
      id,
      `state = 'SUCCEEDED', percent = 100, result = $2::jsonb, finished_at = now()`,
      `state = 'RUNNING'`,
      [JSON.stringify(result ?? null)],
    );
  }

  /** An unfinished job → FAILED with why. */
  fail(id: string, error: JobError): Promise<Job | undefined> {
    return this.change(
      id,
      `state = 'FAILED', error_code = $2, error_message = $3, finished_at = now()`,
      `state IN ('QUEUED', 'RUNNING')`,
      [error.code, error.message],
    );
  }

  /** An unfinished job → CANCELLED; undefined when it had finished already. */
  cancel(id: string): Promise<Job | undefined> {
    return this.change(id, `state = 'CANCELLED', finished_at = now()`, `state IN ('QUEUED', 'RUNNING')`, []);
  }

  /** The owner's unfinished jobs are alive: one statement per heartbeat, however many jobs. */
  async heartbeat(owner: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE jobs SET heartbeat_at = now() WHERE owner = $1 AND state IN ('QUEUED', 'RUNNING')`,
      [owner],
    );
  }

  /** Fails the unfinished jobs whose process stopped beating more than `staleMs` ago; returns them. */
  async failOrphans(staleMs: number, error: JobError): Promise<Job[]> {
    const rows = await this.dataSource.query<JobRow[]>(
      `WITH failed AS (
         UPDATE jobs SET state = 'FAILED', error_code = $2, error_message = $3, finished_at = now()
         WHERE state IN ('QUEUED', 'RUNNING') AND heartbeat_at < now() - $1 * interval '1 millisecond'
         RETURNING ${COLUMNS})
       SELECT * FROM failed`,
      [staleMs, error.code, error.message],
    );
    return rows.map(toJob);
  }

  /** Which of these jobs are still QUEUED or RUNNING. */
  async unfinished(ids: readonly string[]): Promise<string[]> {
    if (!ids.length) return [];
    const rows = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT id FROM jobs WHERE id = ANY($1::uuid[]) AND state IN ('QUEUED', 'RUNNING')`,
      [[...ids]],
    );
    return rows.map((r) => r.id);
  }

  /** Fails the owner's unfinished jobs (an orderly stop); returns them. */
  async failOwned(owner: string, error: JobError): Promise<Job[]> {
    const rows = await this.dataSource.query<JobRow[]>(
      `WITH failed AS (
         UPDATE jobs SET state = 'FAILED', error_code = $2, error_message = $3, finished_at = now()
         WHERE state IN ('QUEUED', 'RUNNING') AND owner = $1
         RETURNING ${COLUMNS})
       SELECT * FROM failed`,
      [owner, error.code, error.message],
    );
    return rows.map(toJob);
  }

  private async change(id: string, set: string, when: string, params: unknown[]): Promise<Job | undefined> {
    const rows = await transactionalManager(this.dataSource.manager).query<JobRow[]>(
      `WITH changed AS (UPDATE jobs SET ${set} WHERE id = $1 AND ${when} RETURNING ${COLUMNS})
       SELECT * FROM changed`,
      [id, ...params],
    );
    return rows[0] && toJob(rows[0]);
  }
}
