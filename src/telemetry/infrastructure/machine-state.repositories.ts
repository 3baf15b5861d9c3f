import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import type { MachineState, StateBand } from '../domain/machine-state.js';
import type { Episode, MachineTrack, Segment } from '../domain/machine-state-tracker.js';
import type { StoredSegment, TimeWindow } from '../domain/machine-state-window.js';
import {
  MachineStateRepository,
  StateBandRepository,
  type MachineTimelineWrites,
  type StoredEpisode,
} from '../application/machine-state.ports.js';
import { pgArray } from '../../shared/database/pg-array-literal.js';
import { transactionalManager } from '../../shared/database/transactions.adapter.js';
import { StateBandOrmEntity } from './telemetry.orm-entities.js';

interface SegmentRow {
  machine_id: number;
  state: MachineState;
  started_at: Date;
  ended_at: Date | null;
  last_sample_at: Date;
}

interface EpisodeRow {
  id: string;
  machine_id: number;
  shift_id: number | null;
  started_at: Date;
  ended_at: Date | null;
  last_sample_at: Date;
  peak_current: number;
  peak_voltage: number;
  sample_count: number;
}

const SEGMENT_COLUMNS = 'machine_id, state, started_at, ended_at, last_sample_at';
const EPISODE_COLUMNS =
  'id, machine_id, shift_id, started_at, ended_at, last_sample_at, peak_current, peak_voltage, sample_count';

/**
 * Rows that overlap [$2, $3) for the machines $1: those starting inside, plus the last one
 * starting before (rows of a machine never overlap, so at most that one reaches in), all
 * through the (machine_id, started_at) index however long the history.
 */
function overlapping(table: string, columns: string): string {
  return `SELECT * FROM (
      SELECT ${columns} FROM ${table} WHERE machine_id = ANY($1::int[]) AND started_at >= $2 AND started_at < $3
      UNION ALL
      SELECT p.* FROM unnest($1::int[]) AS m(id) CROSS JOIN LATERAL (
        SELECT ${columns} FROM ${table} t WHERE t.machine_id = m.id AND t.started_at < $2
        ORDER BY t.started_at DESC LIMIT 1) p
      WHERE coalesce(p.ended_at, p.last_sample_at) > $2
    ) rows ORDER BY machine_id, started_at LIMIT $4`;
}

@Injectable()
export class SqlMachineStateRepository extends MachineStateRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async loadTracks(machineIds?: readonly number[]): Promise<Map<number, MachineTrack>> {
    const only = machineIds ? 'AND machine_id = ANY($1::int[])' : '';
    const params = machineIds ? [pgArray(machineIds)] : [];
    const [segments, episodes]: [SegmentRow[], EpisodeRow[]] = await Promise.all([
      this.dataSource.query(
        `SELECT ${SEGMENT_COLUMNS} FROM machine_state_segments WHERE ended_at IS NULL ${only}`,
        params,
      ),
      this.dataSource.query(
        `SELECT ${EPISODE_COLUMNS} FROM out_of_standard_episodes WHERE ended_at IS NULL ${only}`,
        params,
      ),
    ]);
    const tracks = new Map<number, MachineTrack>();
    const trackOf = (id: number) => tracks.get(id) ?? tracks.set(id, { segment: null, episode: null }).get(id)!;
    for (const row of segments) trackOf(row.machine_id).segment = toSegment(row);
    for (const row of episodes) trackOf(row.machine_id).episode = toEpisode(row);
    return tracks;
  }

  /** In the caller's transaction (the derived-state runner opens one per batch). */
  async write(writes: readonly MachineTimelineWrites[]): Promise<void> {
    const manager = transactionalManager(this.dataSource.manager);
    // Open rows are closed before new ones are inserted: one open row per machine is a unique index.
    await updateOpenSegments(manager, writes);
    await insertSegments(manager, writes);
    await updateOpenEpisodes(manager, writes);
    await insertEpisodes(manager, writes);
  }

  async segments(machineIds: readonly number[], window: TimeWindow, limit: number): Promise<StoredSegment[]> {
    const rows: SegmentRow[] = await this.dataSource.query(overlapping('machine_state_segments', SEGMENT_COLUMNS), [
      pgArray(machineIds),
      window.from,
      window.to,
      limit,
    ]);
    return rows.map((row) => ({ machineId: row.machine_id, ...toSegment(row) }));
  }

  async episodes(machineIds: readonly number[], window: TimeWindow, limit: number): Promise<StoredEpisode[]> {
    const rows: EpisodeRow[] = await this.dataSource.query(overlapping('out_of_standard_episodes', EPISODE_COLUMNS), [
      pgArray(machineIds),
      window.from,
      window.to,
      limit,
    ]);
    return rows.map((row) => ({ id: Number(row.id), machineId: row.machine_id, ...toEpisode(row) }));
  }

  async countOf(machineId: number): Promise<{ segments: number; episodes: number }> {
    const [row]: { segments: number; episodes: number }[] = await this.dataSource.query(
      `SELECT (SELECT count(*)::int FROM machine_state_segments WHERE machine_id = $1) AS segments,
              (SELECT count(*)::int FROM out_of_standard_episodes WHERE machine_id = $1) AS episodes`,
      [machineId],
    );
    return row;
  }

  /** In the caller's transaction when there is one (deleting a machine). */
  async deleteOf(machineId: number): Promise<void> {
    const manager = transactionalManager(this.dataSource.manager);
    await manager.query('DELETE FROM out_of_standard_episodes WHERE machine_id = $1', [machineId]);
    await manager.query('DELETE FROM machine_state_segments WHERE machine_id = $1', [machineId]);
  }
}

async function updateOpenSegments(manager: EntityManager, writes: readonly MachineTimelineWrites[]): Promise<void> {
  const rows = writes.flatMap((w) => (w.updatedSegment ? [{ machineId: w.machineId, ...w.updatedSegment }] : []));
  if (!rows.length) return;
  await manager.query(
    `UPDATE machine_state_segments s SET ended_at = v.ended_at, last_sample_at = v.last_sample_at
     FROM unnest($1::int[], $2::timestamptz[], $3::timestamptz[]) AS v(machine_id, ended_at, last_sample_at)
     WHERE s.machine_id = v.machine_id AND s.ended_at IS NULL`,
    [
      pgArray(rows.map((r) => r.machineId)),
      pgArray(rows.map((r) => r.endedAt)),
      pgArray(rows.map((r) => r.lastSampleAt)),
    ],
  );
}

async function insertSegments(manager: EntityManager, writes: readonly MachineTimelineWrites[]): Promise<void> {
  const rows = writes.flatMap((w) => w.newSegments.map((s) => ({ machineId: w.machineId, ...s })));
  if (!rows.length) return;
  await manager.query(
    `INSERT INTO machine_state_segments (machine_id, state, started_at, ended_at, last_sample_at)
     SELECT * FROM unnest($1::int[], $2::varchar[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[])`,
    [
      pgArray(rows.map((r) => r.machineId)),
      pgArray(rows.map((r) => r.state)),
      pgArray(rows.map((r) => r.startedAt)),
      pgArray(rows.map((r) => r.endedAt)),
      pgArray(rows.map((r) => r.lastSampleAt)),
    ],
  );
}

async function updateOpenEpisodes(manager: EntityManager, writes: readonly MachineTimelineWrites[]): Promise<void> {
  const rows = writes.flatMap((w) => (w.updatedEpisode ? [{ machineId: w.machineId, ...w.updatedEpisode }] : []));
  if (!rows.length) return;
  await manager.query(
    `UPDATE out_of_standard_episodes e SET ended_at = v.ended_at, last_sample_at = v.last_sample_at,
       peak_current = v.peak_current, peak_voltage = v.peak_voltage, sample_count = v.sample_count
     FROM unnest($1::int[], $2::timestamptz[], $3::timestamptz[], $4::float8[], $5::float8[], $6::int[])
       AS v(machine_id, ended_at, last_sample_at, peak_current, peak_voltage, sample_count)
     WHERE e.machine_id = v.machine_id AND e.ended_at IS NULL`,
    [
      pgArray(rows.map((r) => r.machineId)),
      pgArray(rows.map((r) => r.endedAt)),
      pgArray(rows.map((r) => r.lastSampleAt)),
      pgArray(rows.map((r) => r.peakCurrent)),
      pgArray(rows.map((r) => r.peakVoltage)),
      pgArray(rows.map((r) => r.sampleCount)),
    ],
  );
}

async function insertEpisodes(manager: EntityManager, writes: readonly MachineTimelineWrites[]): Promise<void> {
  const rows = writes.flatMap((w) => w.newEpisodes.map((e) => ({ machineId: w.machineId, ...e })));
  if (!rows.length) return;
  await manager.query(
    `INSERT INTO out_of_standard_episodes
       (machine_id, shift_id, started_at, ended_at, last_sample_at, peak_current, peak_voltage, sample_count)
     SELECT * FROM unnest($1::int[], $2::int[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[],
       $6::float8[], $7::float8[], $8::int[])`,
    [
      pgArray(rows.map((r) => r.machineId)),
      pgArray(rows.map((r) => r.shiftId)),
      pgArray(rows.map((r) => r.startedAt)),
      pgArray(rows.map((r) => r.endedAt)),
      pgArray(rows.map((r) => r.lastSampleAt)),
      pgArray(rows.map((r) => r.peakCurrent)),
      pgArray(rows.map((r) => r.peakVoltage)),
      pgArray(rows.map((r) => r.sampleCount)),
    ],
  );
}

function toSegment(row: SegmentRow): Segment {
  return { state: row.state, startedAt: row.started_at, endedAt: row.ended_at, lastSampleAt: row.last_sample_at };
}

function toEpisode(row: EpisodeRow): Episode {
  return {
    shiftId: row.shift_id,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    lastSampleAt: row.last_sample_at,
    peakCurrent: row.peak_current,
    peakVoltage: row.peak_voltage,
    sampleCount: row.sample_count,
  };
}

@Injectable()
export class TypeormStateBandRepository extends StateBandRepository {
  constructor(@InjectRepository(StateBandOrmEntity) private readonly repo: Repository<StateBandOrmEntity>) {
    super();
  }

  async list(): Promise<StateBand[]> {
    return (await this.repo.find()).map(toBand);
  }

  async find(state: MachineState): Promise<StateBand | null> {
    const row = await this.repo.findOneBy({ state });
    return row && toBand(row);
  }

  async save(band: StateBand): Promise<StateBand> {
    const row = await this.repo.findOneByOrFail({ state: band.state });
    return toBand(await this.repo.save({ ...row, ...band }));
  }
}

function toBand(row: StateBandOrmEntity): StateBand {
  const { id: _id, ...band } = row;
  return band as StateBand;
}
