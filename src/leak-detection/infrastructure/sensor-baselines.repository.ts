import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { pgArray } from '../../shared/database/pg-array-literal.js';
import { transactionalManager } from '../../shared/database/transactions.adapter.js';
import { SensorBaselineRepository, type StoredBaseline } from '../application/sensor-baselines.ports.js';

interface Row {
  sensor_id: number;
  name: string;
  source: StoredBaseline['source'];
  values: number[];
  joints: number[];
  readings_up_to: Date | null;
  updated_at: Date;
}

@Injectable()
export class SqlSensorBaselineRepository extends SensorBaselineRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async load(sensorIds: readonly number[]): Promise<Map<number, StoredBaseline>> {
    if (!sensorIds.length) return new Map();
    const rows: Row[] = await transactionalManager(this.dataSource.manager).query(
      'SELECT * FROM leak_sensor_baselines WHERE sensor_id = ANY($1::int[])',
      [pgArray(sensorIds)],
    );
    return new Map(
      rows.map((r) => [
        r.sensor_id,
        {
          sensorId: r.sensor_id,
          name: r.name,
          source: r.source,
          values: Float64Array.from(r.values),
          joints: r.joints,
          readingsUpTo: r.readings_up_to,
          updatedAt: r.updated_at,
        },
      ]),
    );
  }

  async save(b: Omit<StoredBaseline, 'updatedAt'>): Promise<void> {
    await transactionalManager(this.dataSource.manager).query(
      `INSERT INTO leak_sensor_baselines (sensor_id, name, source, "values", joints, readings_up_to)
       VALUES ($1, $2, $3, $4::float8[], $5::int[], $6)
       ON CONFLICT (sensor_id) DO UPDATE SET name = EXCLUDED.name, source = EXCLUDED.source, "values" = EXCLUDED."values",
         joints = EXCLUDED.joints, readings_up_to = EXCLUDED.readings_up_to, updated_at = now()`,
      [b.sensorId, b.name, b.source, pgArray(Array.from(b.values)), pgArray(b.joints), b.readingsUpTo],
    );
  }
}
