import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { pgArray } from '../../shared/database/pg-array-literal.js';
import type { Queryable } from '../../shared/database/sql-page.js';
import { transactionalManager } from '../../shared/database/transactions.adapter.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import {
  ALARM_SEVERITIES,
  type AlarmSeverity,
  type AlarmSourceKind,
  type AlarmState,
  type AlarmSuppression,
  type AlarmTransitionKind,
} from '../domain/alarm.js';
import type { HealthTransition } from '../domain/alarm-health.js';
import type { AlarmCondition } from '../application/alarm-signals.js';
import {
  AlarmRepository,
  type AlarmChanges,
  type AlarmFilter,
  type OutOfServiceSource,
  type SourceRef,
  type StoredAlarm,
  type StoredTransition,
} from '../application/alarms.ports.js';

type Page = { offset: number; limit: number };

interface AlarmRow {
  id: string;
  source_kind: AlarmSourceKind;
  source_key: string;
  source_name: string;
  source_experiment: string | null;
  type: string;
  severity: AlarmSeverity;
  message: string;
  state: AlarmState;
  suppression: AlarmSuppression | null;
  shelved_until: Date | null;
  shelved_by: string | null;
  shelve_note: string | null;
  assignee_id: string | null;
  first_raised_at: Date;
  last_raised_at: Date;
  last_changed_at: Date;
  count: number;
  peak_value: number | null;
  closed_at: Date | null;
}

interface TransitionRow {
  id: string;
  alarm_id: string;
  kind: AlarmTransitionKind;
  at: Date;
  by_user_id: string | null;
  note: string | null;
  state_after: AlarmState;
  severity: AlarmSeverity;
}

const toAlarm = (r: AlarmRow): StoredAlarm => ({
  id: Number(r.id),
  source: { kind: r.source_kind, key: r.source_key, name: r.source_name, experiment: r.source_experiment },
  type: r.type,
  severity: r.severity,
  message: r.message,
  state: r.state,
  suppression: r.suppression,
  shelvedUntil: r.shelved_until,
  shelvedBy: r.shelved_by,
  shelveNote: r.shelve_note,
  assigneeId: r.assignee_id,
  firstRaisedAt: r.first_raised_at,
  lastRaisedAt: r.last_raised_at,
  lastChangedAt: r.last_changed_at,
  count: r.count,
  peakValue: r.peak_value,
  closedAt: r.closed_at,
});

const toTransition = (r: TransitionRow): StoredTransition => ({
  id: Number(r.id),
  alarmId: Number(r.alarm_id),
  kind: r.kind,
  at: r.at,
  byUserId: r.by_user_id,
  note: r.note,
  stateAfter: r.state_after,
  severity: r.severity,
});

/** Severity rank in SQL: position in ALARM_SEVERITIES, 1 the most severe. */
const RANK = (column: string) => `array_position($10::text[], ${column})`;

/**
 * The raise (domain/alarm-lifecycle.ts's rules in one statement): a new alarm unless the
 * same (source, type) raised at `at` or later already (an event seen twice), in which case
 * nothing is inserted; on the open alarm of (source, type) the partial unique index turns it
 * into the re-raise, which only a newer `at` makes.
 */
const RAISE = `
  INSERT INTO alarms AS a (source_kind, source_key, source_name, source_experiment, type, severity, message,
    state, suppression, first_raised_at, last_raised_at, last_changed_at, count, peak_value)
  SELECT $1::varchar, $2::varchar, $3::varchar, $4::varchar, $5::varchar, $6::varchar, $7::text, 'ACTIVE_UNACKNOWLEDGED',
    CASE WHEN EXISTS (SELECT 1 FROM alarm_sources_out_of_service o WHERE o.source_kind = $1 AND o.source_key = $2)
      THEN 'OUT_OF_SERVICE' END,
    $8::timestamptz, $8::timestamptz, $8::timestamptz, 1, $9::double precision
  WHERE NOT EXISTS (SELECT 1 FROM alarms c WHERE c.source_kind = $1 AND c.source_key = $2 AND c.type = $5
    AND c.state = 'NORMAL' AND c.last_raised_at >= $8)
  ON CONFLICT (source_kind, source_key, type) WHERE state <> 'NORMAL' DO UPDATE SET
    count = a.count + 1,
    peak_value = GREATEST(a.peak_value, EXCLUDED.peak_value),
    severity = CASE WHEN ${RANK('EXCLUDED.severity')} < ${RANK('a.severity')} THEN EXCLUDED.severity ELSE a.severity END,
    state = CASE WHEN a.state = 'ACTIVE_ACKNOWLEDGED' AND ${RANK('EXCLUDED.severity')} >= ${RANK('a.severity')}
      THEN 'ACTIVE_ACKNOWLEDGED' ELSE 'ACTIVE_UNACKNOWLEDGED' END,
    message = EXCLUDED.message,
    source_name = EXCLUDED.source_name,
    source_experiment = EXCLUDED.source_experiment,
    last_raised_at = EXCLUDED.last_raised_at,
    last_changed_at = EXCLUDED.last_changed_at
  WHERE a.last_raised_at < EXCLUDED.last_raised_at
  RETURNING a.*, (xmax = 0) AS inserted`;

/** SQL over the alarms tables (no entities: migration Alarms). Joins the ambient transaction. */
@Injectable()
export class SqlAlarmRepository extends AlarmRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  private query<T>(sql: string, params: unknown[] = []): Promise<T> {
    return transactionalManager(this.dataSource.manager).query(sql, params) as Promise<T>;
  }

  async raise(c: AlarmCondition) {
    const rows = await this.query<Array<AlarmRow & { inserted: boolean }>>(RAISE, [
      c.source.kind,
      c.source.key,
      c.source.name,
      c.source.experiment ?? null,
      c.type,
      c.severity,
      c.message,
      c.at,
      c.value ?? null,
      pgArray(ALARM_SEVERITIES),
    ]);
    if (!rows.length) return null;
    return { alarm: toAlarm(rows[0]), kind: rows[0].inserted ? ('RAISED' as const) : ('RERAISED' as const) };
  }

  async clear(source: SourceRef, type: string, at: Date) {
    const [rows] = await this.query<[Array<AlarmRow & { was: AlarmState }>, number]>(
      `UPDATE alarms a SET
         state = CASE a.state WHEN 'ACTIVE_ACKNOWLEDGED' THEN 'NORMAL' ELSE 'RETURNED_UNACKNOWLEDGED' END,
         closed_at = CASE a.state WHEN 'ACTIVE_ACKNOWLEDGED' THEN $4::timestamptz END,
         last_changed_at = $4
       WHERE a.source_kind = $1 AND a.source_key = $2 AND a.type = $3
         AND a.state IN ('ACTIVE_UNACKNOWLEDGED', 'ACTIVE_ACKNOWLEDGED') AND a.last_raised_at <= $4
       RETURNING a.*`,
      [source.kind, source.key, type, at],
    );
    if (!rows.length) return null;
    const alarm = toAlarm(rows[0]);
    return { alarm, kind: alarm.state === 'NORMAL' ? ('CLEARED' as const) : ('RETURNED' as const) };
  }

  async lock(id: number): Promise<StoredAlarm | null> {
    const rows = await this.query<AlarmRow[]>('SELECT * FROM alarms WHERE id = $1 FOR UPDATE', [id]);
    return rows.length ? toAlarm(rows[0]) : null;
  }

  async update(id: number, changes: AlarmChanges, at: Date): Promise<StoredAlarm> {
    const columns: Record<keyof AlarmChanges, string> = {
      state: 'state',
      suppression: 'suppression',
      shelvedUntil: 'shelved_until',
      shelvedBy: 'shelved_by',
      shelveNote: 'shelve_note',
      assigneeId: 'assignee_id',
    };
    const params: unknown[] = [id, at];
    const sets = ['last_changed_at = $2'];
    for (const [key, value] of Object.entries(changes))
      if (value !== undefined) sets.push(`${columns[key as keyof AlarmChanges]} = $${params.push(value)}`);
    if (changes.state === 'NORMAL') sets.push('closed_at = $2');
    const [rows] = await this.query<[AlarmRow[], number]>(
      `UPDATE alarms SET ${sets.join(', ')} WHERE id = $1 RETURNING *`,
      params,
    );
    return toAlarm(rows[0]);
  }

  async addTransition(
    alarm: StoredAlarm,
    t: { kind: AlarmTransitionKind; at: Date; byUserId: string | null; note: string | null },
  ): Promise<StoredTransition> {
    const rows = await this.query<TransitionRow[]>(
      `INSERT INTO alarm_transitions (alarm_id, kind, at, by_user_id, note, state_after, severity)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [alarm.id, t.kind, t.at, t.byUserId, t.note, alarm.state, alarm.severity],
    );
    return toTransition(rows[0]);
  }

  async takeRunOutShelves(): Promise<StoredAlarm[]> {
    // The database's clock, so that replicas with skewed clocks agree on when a shelf runs out.
    const [rows] = await this.query<[AlarmRow[], number]>(
      `UPDATE alarms SET suppression = NULL, shelved_until = NULL, shelved_by = NULL, shelve_note = NULL,
         last_changed_at = now()
       WHERE suppression = 'SHELVED' AND shelved_until <= now()
       RETURNING *`,
    );
    return rows.map(toAlarm);
  }

  async outOfService(source: SourceRef): Promise<OutOfServiceSource | null> {
    const rows = await this.query<
      Array<{
        source_kind: AlarmSourceKind;
        source_key: string;
        by_user_id: string | null;
        note: string | null;
        since: Date;
      }>
    >('SELECT * FROM alarm_sources_out_of_service WHERE source_kind = $1 AND source_key = $2', [
      source.kind,
      source.key,
    ]);
    return rows.length
      ? {
          kind: rows[0].source_kind,
          key: rows[0].source_key,
          byUserId: rows[0].by_user_id,
          note: rows[0].note,
          since: rows[0].since,
        }
      : null;
  }

  async putOutOfService(source: SourceRef, byUserId: string, note: string | null): Promise<boolean> {
    const rows = await this.query<unknown[]>(
      `INSERT INTO alarm_sources_out_of_service (source_kind, source_key, by_user_id, note) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING source_key`,
      [source.kind, source.key, byUserId, note],
    );
    return rows.length > 0;
  }

  async putInService(source: SourceRef): Promise<boolean> {
    const [rows] = await this.query<[unknown[], number]>(
      'DELETE FROM alarm_sources_out_of_service WHERE source_kind = $1 AND source_key = $2 RETURNING source_key',
      [source.kind, source.key],
    );
    return rows.length > 0;
  }

  async lockOpenOf(source: SourceRef): Promise<StoredAlarm[]> {
    const rows = await this.query<AlarmRow[]>(
      `SELECT * FROM alarms WHERE source_kind = $1 AND source_key = $2 AND state <> 'NORMAL' ORDER BY id FOR UPDATE`,
      [source.kind, source.key],
    );
    return rows.map(toAlarm);
  }

  async find(id: number): Promise<StoredAlarm | null> {
    const rows = await this.query<AlarmRow[]>('SELECT * FROM alarms WHERE id = $1', [id]);
    return rows.length ? toAlarm(rows[0]) : null;
  }

  async list(filter: AlarmFilter, page: Page): Promise<PageResult<StoredAlarm>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const among = (column: string, values: readonly string[] | null | undefined) => {
      if (values?.length) where.push(`${column} = ANY($${params.push(pgArray(values))}::text[])`);
    };
    among('state', filter.states);
    among('severity', filter.severities);
    among('source_kind', filter.sourceKinds);
    among('source_key', filter.sourceKeys);
    among('type', filter.types);
    if (filter.to) where.push(`first_raised_at < $${params.push(filter.to)}`);
    if (filter.from) where.push(`(closed_at IS NULL OR closed_at >= $${params.push(filter.from)})`);
    if (filter.suppressed === true) where.push('suppression IS NOT NULL');
    if (filter.suppressed === false) where.push('suppression IS NULL');
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ count }] = await this.query<Array<{ count: string }>>(`SELECT count(*) FROM alarms ${clause}`, params);
    const rows = await this.query<AlarmRow[]>(
      `SELECT * FROM alarms ${clause} ORDER BY last_changed_at DESC, id DESC
       OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
      [...params, page.offset, page.limit],
    );
    return { items: rows.map(toAlarm), totalCount: Number(count), ...page };
  }

  async history(alarmId: number, page: Page): Promise<PageResult<StoredTransition>> {
    const [{ count }] = await this.query<Array<{ count: string }>>(
      'SELECT count(*) FROM alarm_transitions WHERE alarm_id = $1',
      [alarmId],
    );
    const rows = await this.query<TransitionRow[]>(
      'SELECT * FROM alarm_transitions WHERE alarm_id = $1 ORDER BY id DESC OFFSET $2 LIMIT $3',
      [alarmId, page.offset, page.limit],
    );
    return { items: rows.map(toTransition), totalCount: Number(count), ...page };
  }

  async openCounts() {
    const rows = await this.query<
      Array<{ state: AlarmState; severity: AlarmSeverity; count: string; suppressed: string }>
    >(
      `SELECT state, severity, count(*) AS count, count(*) FILTER (WHERE suppression IS NOT NULL) AS suppressed
       FROM alarms WHERE state <> 'NORMAL' GROUP BY state, severity`,
    );
    const byState = new Map<AlarmState, number>();
    const bySeverity = new Map<AlarmSeverity, number>();
    let suppressed = 0;
    for (const r of rows) {
      byState.set(r.state, (byState.get(r.state) ?? 0) + Number(r.count));
      bySeverity.set(r.severity, (bySeverity.get(r.severity) ?? 0) + Number(r.count));
      suppressed += Number(r.suppressed);
    }
    return { byState, bySeverity, suppressed };
  }

  healthTransitions(from: Date, to: Date): Promise<HealthTransition[]> {
    return readHealthTransitions(transactionalManager(this.dataSource.manager), from, to);
  }
}

/** The transitions the health figures count over [from, to): those of alarms open at some time in it. */
export async function readHealthTransitions(db: Queryable, from: Date, to: Date): Promise<HealthTransition[]> {
  const rows = await db.query<
    Array<{ alarm_id: string; kind: AlarmTransitionKind; at: Date; state_after: AlarmState }>
  >(
    `SELECT t.alarm_id, t.kind, t.at, t.state_after
     FROM alarm_transitions t JOIN alarms a ON a.id = t.alarm_id
     WHERE t.at < $2 AND a.first_raised_at < $2 AND (a.closed_at IS NULL OR a.closed_at >= $1)
     ORDER BY t.at, t.id`,
    [from, to],
  );
  return rows.map((r) => ({ alarmId: Number(r.alarm_id), kind: r.kind, at: r.at, stateAfter: r.state_after }));
}
