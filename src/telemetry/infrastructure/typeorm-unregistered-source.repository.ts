import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { PageResult } from '../../shared/graphql/pagination.js';
import {
  UnregisteredSourceRepository,
  type UnregisteredSource,
  type UnregisteredSourceKind,
} from '../application/ingestion.ports.js';
import { UnregisteredSourceOrmEntity } from './telemetry.orm-entities.js';

@Injectable()
export class TypeormUnregisteredSourceRepository extends UnregisteredSourceRepository {
  constructor(
    @InjectRepository(UnregisteredSourceOrmEntity) private readonly repo: Repository<UnregisteredSourceOrmEntity>,
  ) {
    super();
  }

  async record(sightings: readonly UnregisteredSource[]): Promise<void> {
    if (!sightings.length) return;
    await this.repo.query(
      `INSERT INTO unregistered_sources (topic, kind, source_key, first_seen_at, last_seen_at, message_count)
       SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::timestamptz[], $5::timestamptz[], $6::bigint[])
       ON CONFLICT (topic) DO UPDATE SET
         first_seen_at = LEAST(unregistered_sources.first_seen_at, EXCLUDED.first_seen_at),
         last_seen_at = GREATEST(unregistered_sources.last_seen_at, EXCLUDED.last_seen_at),
         message_count = unregistered_sources.message_count + EXCLUDED.message_count`,
      [
        sightings.map((s) => s.topic),
        sightings.map((s) => s.kind),
        sightings.map((s) => s.sourceKey),
        sightings.map((s) => s.firstSeenAt),
        sightings.map((s) => s.lastSeenAt),
        sightings.map((s) => s.messageCount),
      ],
    );
  }

  async list(
    kind: UnregisteredSourceKind | undefined,
    page: { offset: number; limit: number },
  ): Promise<PageResult<UnregisteredSource>> {
    const [rows, totalCount] = await this.repo.findAndCount({
      where: kind ? { kind } : {},
      order: { lastSeenAt: 'DESC', id: 'ASC' },
      skip: page.offset,
      take: page.limit,
    });
    return { items: rows.map(toSource), totalCount, ...page };
  }

  async findByTopic(topic: string): Promise<UnregisteredSource | null> {
    const row = await this.repo.findOneBy({ topic });
    return row && toSource(row);
  }

  async deleteSource(kind: UnregisteredSourceKind, sourceKey: string): Promise<void> {
    await this.repo.delete({ kind, sourceKey });
  }
}

function toSource(row: UnregisteredSourceOrmEntity): UnregisteredSource {
  return {
    topic: row.topic,
    kind: row.kind as UnregisteredSourceKind,
    sourceKey: row.sourceKey,
    firstSeenAt: row.firstSeenAt,
    lastSeenAt: row.lastSeenAt,
    messageCount: row.messageCount,
  };
}
