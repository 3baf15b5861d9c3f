import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AlarmConditionRepository, type StoredAlarmCondition } from '../application/alarm-conditions.ports.js';
import type { AlarmConditionData } from '../domain/alarm-conditions.js';

interface Row {
  type: string;
  source_kind: StoredAlarmCondition['kind'];
  enabled: boolean;
  severity: StoredAlarmCondition['severity'];
  parameters: Record<string, number>;
  message_template: string;
  updated_at: Date;
  updated_by: string | null;
}

@Injectable()
export class SqlAlarmConditionRepository extends AlarmConditionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async all(): Promise<StoredAlarmCondition[]> {
    const rows: Row[] = await this.dataSource.query('SELECT * FROM alarm_conditions ORDER BY source_kind, type');
    return rows.map(fromRow);
  }

  async update(c: AlarmConditionData, byUserId: string): Promise<StoredAlarmCondition | null> {
    const [rows]: [Row[], number] = await this.dataSource.query(
      `UPDATE alarm_conditions
          SET enabled = $2, severity = $3, parameters = $4::jsonb, message_template = $5, updated_at = now(), updated_by = $6
        WHERE type = $1 RETURNING *`,
      [c.type, c.enabled, c.severity, JSON.stringify(c.parameters), c.messageTemplate, byUserId],
    );
    return rows[0] ? fromRow(rows[0]) : null;
  }
}

function fromRow(row: Row): StoredAlarmCondition {
  return {
    type: row.type,
    kind: row.source_kind,
    enabled: row.enabled,
    severity: row.severity,
    parameters: row.parameters,
    messageTemplate: row.message_template,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}
