import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { transactionalManager } from '../../shared/database/typeorm-transactions.js';
import {
  BoardRepository,
  CardAuthorizationRepository,
  UnknownCardRepository,
  UseRepository,
  type OpenAndLatestUse,
  type OrphanedUse,
} from '../application/board-protocol.ports.js';
import type { Board } from '../domain/board.js';
import type { NewUse, Use, UseClosing, UseCloseReason, UseOrigin } from '../domain/use.js';
import { AuthorizationOrmEntity, BoardOrmEntity, UnknownCardOrmEntity, UseOrmEntity } from './access.orm-entities.js';
import { useOf } from './typeorm-access.repositories.js';

/** First key of the per-machine advisory lock of use changes ('ACCS'); the second is the machine id. */
const USE_LOCK_KEY = 0x41434353;

interface UseRow {
  id: string;
  machine_id: number;
  user_id: string | null;
  started_at: Date;
  last_seen_at: Date;
  ended_at: Date | null;
  counted_seconds: number | null;
  reported_duration_seconds: number | null;
  replay: boolean;
  origin: string;
  close_reason: string | null;
  anonymized: boolean;
  created_at: Date;
  open: boolean;
}

@Injectable()
export class TypeormUseRepository extends UseRepository {
  constructor(@InjectRepository(UseOrmEntity) private readonly repo: Repository<UseOrmEntity>) {
    super();
  }

  async lockMachine(machineId: number): Promise<void> {
    await this.manager().query('SELECT pg_advisory_xact_lock($1, $2)', [USE_LOCK_KEY, machineId]);
  }

  async openAndLatest(machineId: number): Promise<OpenAndLatestUse> {
    // One round trip: the open use (partial unique index) and the latest started one.
    const rows: UseRow[] = await this.manager().query(
      `(SELECT *, true AS open FROM access_uses WHERE machine_id = $1 AND ended_at IS NULL)
       UNION ALL
       (SELECT *, false AS open FROM access_uses WHERE machine_id = $1 ORDER BY started_at DESC, id DESC LIMIT 1)`,
      [machineId],
    );
    const open = rows.find((row) => row.open);
    const latest = rows.find((row) => !row.open);
    return { open: open ? useOfRow(open) : null, latest: latest ? useOfRow(latest) : null };
  }

  async insert(use: NewUse): Promise<Use> {
    const repo = this.manager().getRepository(UseOrmEntity);
    const saved = await repo.save(repo.create(use));
    return useOf(saved);
  }

  async close(closing: UseClosing, alreadyClosed: boolean): Promise<boolean> {
    const [, affected] = await this.manager().query(
      `UPDATE access_uses SET ended_at = $2, counted_seconds = $3, close_reason = $4,
              reported_duration_seconds = $5, last_seen_at = $6
        WHERE id = $1 AND (ended_at IS NULL) <> $7`,
      [
        closing.useId,
        closing.endedAt,
        closing.countedSeconds,
        closing.reason,
        closing.reportedDurationSeconds,
        closing.lastSeenAt,
        alreadyClosed,
      ],
    );
    return affected > 0;
  }

  async refresh(useId: string, lastSeenAt: Date): Promise<void> {
    await this.manager().query('UPDATE access_uses SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2', [
      useId,
      lastSeenAt,
    ]);
  }

  async refreshOpen(machineId: number, lastSeenAt: Date): Promise<boolean> {
    const [, affected] = await this.manager().query(
      `UPDATE access_uses SET last_seen_at = GREATEST(last_seen_at, $2)
        WHERE machine_id = $1 AND ended_at IS NULL`,
      [machineId, lastSeenAt],
    );
    return affected > 0;
  }

  async findOrphaned(silentSince: Date, limit: number): Promise<OrphanedUse[]> {
    const rows: { id: string; machine_id: number }[] = await this.repo.query(
      `SELECT id, machine_id FROM access_uses WHERE ended_at IS NULL AND last_seen_at < $1
        ORDER BY last_seen_at LIMIT $2`,
      [silentSince, limit],
    );
    return rows.map((row) => ({ id: String(row.id), machineId: row.machine_id }));
  }

  private manager() {
    return transactionalManager(this.repo.manager);
  }
}

@Injectable()
export class TypeormBoardRepository extends BoardRepository {
  constructor(@InjectRepository(BoardOrmEntity) private readonly repo: Repository<BoardOrmEntity>) {
    super();
  }

  async upsertMany(boards: readonly Board[]): Promise<void> {
    if (!boards.length) return;
    // A late `alive` (queued in the broker) never overwrites a newer one.
    await this.repo.query(
      `INSERT INTO access_boards (machine_id, firmware_version, ip, serial, heap, last_seen_at)
       SELECT * FROM unnest($1::int[], $2::varchar[], $3::varchar[], $4::varchar[], $5::bigint[], $6::timestamptz[])
       ON CONFLICT (machine_id) DO UPDATE SET firmware_version = EXCLUDED.firmware_version, ip = EXCLUDED.ip,
              serial = EXCLUDED.serial, heap = EXCLUDED.heap, last_seen_at = EXCLUDED.last_seen_at
        WHERE access_boards.last_seen_at <= EXCLUDED.last_seen_at`,
      [
        boards.map((b) => b.machineId),
        boards.map((b) => b.firmwareVersion),
        boards.map((b) => b.ip),
        boards.map((b) => b.serial),
        boards.map((b) => b.heap),
        boards.map((b) => b.lastSeenAt),
      ],
    );
  }
}

@Injectable()
export class TypeormUnknownCardRepository extends UnknownCardRepository {
  constructor(@InjectRepository(UnknownCardOrmEntity) private readonly repo: Repository<UnknownCardOrmEntity>) {
    super();
  }

  async record(cardUid: string, machineId: number, attemptedAt: Date): Promise<void> {
    await this.repo.insert({ cardUid, machineId, attemptedAt });
  }
}

@Injectable()
export class TypeormCardAuthorizationRepository extends CardAuthorizationRepository {
  constructor(@InjectRepository(AuthorizationOrmEntity) private readonly repo: Repository<AuthorizationOrmEntity>) {
    super();
  }

  async authorizedAmong(machineId: number, userIds: readonly string[]): Promise<Set<string>> {
    if (!userIds.length) return new Set();
    const rows: { user_id: string }[] = await this.repo.query(
      'SELECT user_id FROM access_authorizations WHERE machine_id = $1 AND user_id = ANY($2::uuid[])',
      [machineId, userIds],
    );
    return new Set(rows.map((row) => row.user_id));
  }
}

/** A use as a raw query returns it (snake_case columns). */
function useOfRow(row: UseRow): Use {
  return {
    id: String(row.id),
    machineId: row.machine_id,
    userId: row.user_id,
    startedAt: row.started_at,
    lastSeenAt: row.last_seen_at,
    endedAt: row.ended_at,
    countedSeconds: row.counted_seconds,
    reportedDurationSeconds: row.reported_duration_seconds,
    replay: row.replay,
    origin: row.origin as UseOrigin,
    closeReason: row.close_reason as UseCloseReason | null,
    anonymized: row.anonymized,
    createdAt: row.created_at,
  };
}
