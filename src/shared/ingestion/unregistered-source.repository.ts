import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { pgArray } from '../database/pg-array-literal.js';
import type { PageResult } from '../graphql/pagination.js';
import { UnregisteredSourceOrmEntity } from './unregistered-source.orm-entity.js';
import type { UnregisteredSource, UnregisteredSourceKind } from './unregistered-sources.js';

@Injectable()
export class UnregisteredSourceRepository {
  constructor(
    @InjectRepository(UnregisteredSourceOrmEntity) private readonly repo: Repository<UnregisteredSourceOrmEntity>,
  ) {}

  /**
   * Adds the sightings in one statement: known ones add up (counts, first/last seen); new
   * ones are kept while the table holds fewer than `max` rows, the most recently seen first.
   * Returns the messages of sightings that were not kept.
   */
  async record(sightings: readonly UnregisteredSource[], max: number): Promise<number> {
    if (!sightings.length) return 0;
    const [row] = await this.repo.query<Array<{ dropped: string }>>(
      `WITH incoming AS (
         SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::timestamptz[],
                              $6::timestamptz[], $7::bigint[])
           AS i(topic, part, kind, source_key, first_seen_at, last_seen_at, message_count)
       ), updated AS (
         UPDATE unregistered_sources u SET
           first_seen_at = LEAST(u.first_seen_at, i.first_seen_at),
           last_seen_at = GREATEST(u.last_seen_at, i.last_seen_at),
           message_count = u.message_count + i.message_count
         FROM incoming i WHERE u.topic = i.topic AND u.part = i.part
         RETURNING u.topic, u.part
       ), inserted AS (
         INSERT INTO unregistered_sources (topic, part, kind, source_key, first_seen_at, last_seen_at, message_count)
         SELECT i.* FROM incoming i
         WHERE NOT EXISTS (SELECT 1 FROM updated u WHERE u.topic = i.topic AND u.part = i.part)
         ORDER BY i.last_seen_at DESC
         LIMIT GREATEST($8 - (SELECT count(*) FROM unregistered_sources), 0)
         ON CONFLICT (topic, part) DO UPDATE SET
           first_seen_at = LEAST(unregistered_sources.first_seen_at, EXCLUDED.first_seen_at),
           last_seen_at = GREATEST(unregistered_sources.last_seen_at, EXCLUDED.last_seen_at),
           message_count = unregistered_sources.message_count + EXCLUDED.message_count
         RETURNING topic, part
       )
       SELECT coalesce(sum(i.message_count), 0) AS dropped FROM incoming i
       WHERE NOT EXISTS (SELECT 1 FROM updated u WHERE u.topic = i.topic AND u.part = i.part)
         AND NOT EXISTS (SELECT 1 FROM inserted n WHERE n.topic = i.topic AND n.part = i.part)`,
      [
        pgArray(sightings.map((s) => s.topic)),
        pgArray(sightings.map((s) => s.part ?? '')),
        pgArray(sightings.map((s) => s.kind)),
        pgArray(sightings.map((s) => s.sourceKey)),
        pgArray(sightings.map((s) => s.firstSeenAt)),
        pgArray(sightings.map((s) => s.lastSeenAt)),
        pgArray(sightings.map((s) => s.messageCount)),
        max,
      ],
    );
    return Number(row.dropped);
  }

  /** Most recently seen first. */
  async list(
    kinds: readonly UnregisteredSourceKind[],
    page: { offset: number; limit: number },
  ): Promise<PageResult<UnregisteredSource>> {
    const [rows, totalCount] = await this.repo
      .createQueryBuilder('s')
      .where('s.kind = ANY(:kinds)', { kinds })
      .orderBy('s.lastSeenAt', 'DESC')
      .addOrderBy('s.id', 'ASC')
      .skip(page.offset)
      .take(page.limit)
      .getManyAndCount();
    return { items: rows.map(toSource), totalCount, ...page };
  }

  async find(topic: string, part: string | null): Promise<UnregisteredSource | null> {
    const row = await this.repo.findOneBy({ topic, part: part ?? '' });
    return row && toSource(row);
  }

  /** Removes every topic of the source (a machine has one per kind of data), or of one part of it. */
  async deleteSource(kind: UnregisteredSourceKind, sourceKey: string, part?: string): Promise<void> {
    await this.repo.delete(part === undefined ? { kind, sourceKey } : { kind, sourceKey, part });
  }

  /** Sources not seen since `before`; returns how many went. */
  async deleteNotSeenSince(before: Date): Promise<number> {
    const [row] = await this.repo.query<Array<{ count: string }>>(
      'WITH gone AS (DELETE FROM unregistered_sources WHERE last_seen_at < $1 RETURNING 1) SELECT count(*) FROM gone',
      [before],
    );
    return Number(row.count);
  }
}

function toSource(row: UnregisteredSourceOrmEntity): UnregisteredSource {
  return {
    topic: row.topic,
    kind: row.kind as UnregisteredSourceKind,
    sourceKey: row.sourceKey,
    part: row.part || null,
    firstSeenAt: row.firstSeenAt,
    lastSeenAt: row.lastSeenAt,
    messageCount: row.messageCount,
  };
}
