import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import type { Permission } from '../auth/permissions.js';
import type { PageResult } from '../graphql/pagination.js';
import { LogThrottle } from '../observability/log-throttle.js';
import { MetricsService } from '../observability/metrics.service.js';
import type { UnregisteredKey } from './sample-kind.js';
import { UnregisteredSourceRepository } from './unregistered-source.repository.js';
import type { UnregisteredSource, UnregisteredSourceKind } from './unregistered-sources.js';

/** Sightings are written at most this often, in one statement: a flood of unknown topics costs one upsert per second. */
const FLUSH_INTERVAL_MS = 1_000;
/** Distinct sightings remembered between two flushes; beyond, they are counted as overflow. */
const MAX_PENDING = 10_000;
const PRUNE_INTERVAL_MS = 3_600_000;
const SUMMARY_INTERVAL_MS = 60_000;

/**
 * Topics that carry data for a source nobody registered (PROTOCOLS.md: "listed as
 * unregistered so that an admin can register it"), with first/last seen and a count, for
 * every sample kind. Bounded, since anyone who can publish can invent codes: at most
 * UNREGISTERED_SOURCES_MAX rows (new ones are not kept once it is full, known ones keep
 * counting), none older than UNREGISTERED_SOURCES_RETENTION_DAYS, and one summary log line
 * a minute instead of a line per source. What is not kept is counted in metrics.
 */
@Injectable()
export class UnregisteredSources implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(UnregisteredSources.name);
  private readonly failureLog = new LogThrottle(60_000);
  private pending = new Map<string, UnregisteredSource>();
  private flushTimer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private readonly minute = { messages: 0, sources: new Set<string>(), notKept: 0, since: Date.now() };
  private readonly metrics: ReturnType<typeof declareMetrics>;
  private readonly readers = new Map<UnregisteredSourceKind, Permission>();

  constructor(
    private readonly repository: UnregisteredSourceRepository,
    private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.metrics = declareMetrics(metrics);
  }

  onModuleInit(): void {
    this.flushTimer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS).unref();
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_INTERVAL_MS).unref();
    void this.prune();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.flushTimer);
    clearInterval(this.pruneTimer);
    await this.flushing;
    await this.flush();
  }

  /** A message refused for want of its source; costs no database write of its own. */
  record(source: UnregisteredKey, topic: string, at: Date): void {
    this.metrics.messages.inc({ kind: source.kind });
    const key = `${topic}\n${source.part ?? ''}`;
    this.noteForSummary(key);
    const sighting = this.pending.get(key);
    if (sighting) {
      sighting.messageCount++;
      if (at > sighting.lastSeenAt) sighting.lastSeenAt = at;
      if (at < sighting.firstSeenAt) sighting.firstSeenAt = at;
    } else if (this.pending.size < MAX_PENDING) {
      this.pending.set(key, {
        topic,
        kind: source.kind,
        sourceKey: source.key,
        part: source.part ?? null,
        firstSeenAt: at,
        lastSeenAt: at,
        messageCount: 1,
      });
    } else {
      this.notKept(1);
    }
  }

  /** A context says which permission lets a caller see its kinds of unregistered source. */
  declareReader(kinds: readonly UnregisteredSourceKind[], permission: Permission): void {
    for (const kind of kinds) this.readers.set(kind, permission);
  }

  kindsReadableWith(permissions: ReadonlySet<Permission>): UnregisteredSourceKind[] {
    return [...this.readers].filter(([, permission]) => permissions.has(permission)).map(([kind]) => kind);
  }

  list(
    kinds: readonly UnregisteredSourceKind[],
    page: { offset: number; limit: number },
  ): Promise<PageResult<UnregisteredSource>> {
    return this.repository.list(kinds, page);
  }

  find(topic: string, part: string | null): Promise<UnregisteredSource | null> {
    return this.repository.find(topic, part);
  }

  /**
   * Forgets every topic of a source once it is registered (a machine has one per kind of
   * data), or one part of it. Waits for a flush that could write it back.
   */
  async forget(kind: UnregisteredSourceKind, sourceKey: string, part?: string): Promise<void> {
    await this.flushing;
    for (const [key, sighting] of this.pending)
      if (sighting.kind === kind && sighting.sourceKey === sourceKey && (part === undefined || sighting.part === part))
        this.pending.delete(key);
    await this.repository.deleteSource(kind, sourceKey, part);
  }

  /** Serialised; sightings that could not be written are merged back for the next flush. */
  private flush(): Promise<void> {
    this.summarise();
    if (this.flushing || !this.pending.size) return this.flushing ?? Promise.resolve();
    const sightings = [...this.pending.values()];
    this.pending = new Map();
    this.flushing = this.repository
      .record(sightings, this.config.UNREGISTERED_SOURCES_MAX)
      .then((dropped) => this.notKept(dropped))
      .catch((error: Error) => {
        for (const sighting of sightings) this.merge(sighting);
        const suppressed = this.failureLog.take('flush');
        if (suppressed !== undefined)
          this.logger.warn(`Recording unregistered sources failed, will retry: ${error.message}`);
      })
      .finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private merge(sighting: UnregisteredSource): void {
    const key = `${sighting.topic}\n${sighting.part ?? ''}`;
    const newer = this.pending.get(key);
    if (!newer) {
      if (this.pending.size < MAX_PENDING) this.pending.set(key, sighting);
      else this.notKept(sighting.messageCount);
      return;
    }
    newer.messageCount += sighting.messageCount;
    if (sighting.firstSeenAt < newer.firstSeenAt) newer.firstSeenAt = sighting.firstSeenAt;
    if (sighting.lastSeenAt > newer.lastSeenAt) newer.lastSeenAt = sighting.lastSeenAt;
  }

  private async prune(): Promise<void> {
    const before = new Date(Date.now() - this.config.UNREGISTERED_SOURCES_RETENTION_DAYS * 86_400_000);
    try {
      const pruned = await this.repository.deleteNotSeenSince(before);
      if (pruned)
        this.logger.log(
          `Forgot ${pruned} unregistered source(s) not seen for ${this.config.UNREGISTERED_SOURCES_RETENTION_DAYS} days`,
        );
    } catch (error) {
      const suppressed = this.failureLog.take('prune');
      if (suppressed !== undefined)
        this.logger.warn(`Pruning unregistered sources failed: ${(error as Error).message}`);
    }
  }

  private notKept(messages: number): void {
    if (!messages) return;
    this.metrics.notKept.inc(messages);
    this.minute.notKept += messages;
  }

  private noteForSummary(key: string): void {
    this.minute.messages++;
    if (this.minute.sources.size < MAX_PENDING) this.minute.sources.add(key);
  }

  /** One line a minute for all unregistered traffic, however many sources it came from. */
  private summarise(): void {
    const { messages, sources, notKept, since } = this.minute;
    if (Date.now() - since < SUMMARY_INTERVAL_MS) return;
    if (messages)
      this.logger.warn(
        `Refused ${messages} message(s) from ${sources.size >= MAX_PENDING ? 'at least ' : ''}${sources.size} unregistered source(s) ` +
          `in the last ${Math.round((Date.now() - since) / 1000)} s` +
          (notKept
            ? `; ${notKept} of them not listed (the list is full at ${this.config.UNREGISTERED_SOURCES_MAX})`
            : '') +
          ' — see the unregisteredSources query',
      );
    this.minute.messages = this.minute.notKept = 0;
    this.minute.sources = new Set();
    this.minute.since = Date.now();
  }
}

function declareMetrics(metrics: MetricsService) {
  return {
    messages: metrics.counter(
      'plantgraph_ingestion_unregistered_messages_total',
      'Messages refused because no registered source has the name in their topic, by kind',
      ['kind'],
    ),
    notKept: metrics.counter(
      'plantgraph_ingestion_unregistered_not_kept_total',
      'Messages of unregistered sources not listed because the list is full (UNREGISTERED_SOURCES_MAX)',
    ),
  };
}
