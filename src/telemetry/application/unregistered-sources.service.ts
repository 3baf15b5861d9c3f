import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { AxisFields } from '../../machines/domain/machine.js';
import { MachinesService } from '../../machines/application/machines.service.js';
import { InvalidInputError, NotFoundError } from '../../shared/errors/domain-errors.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import { LogThrottle } from '../../shared/mqtt/log-throttle.js';
import {
  UnregisteredSourceRepository,
  type UnregisteredSource,
  type UnregisteredSourceKind,
} from './ingestion.ports.js';

export interface RegisterMachineCommand {
  name?: string;
  model?: string;
  maker?: string;
  axes?: AxisFields[];
}

/** Sightings are written at most this often, in one statement: a flood of unknown topics costs one upsert per second. */
const FLUSH_INTERVAL_MS = 1_000;
/** Distinct topics remembered between two flushes; beyond, new topics wait for the next second. */
const MAX_PENDING_TOPICS = 10_000;

/**
 * Topics that carry data for a source nobody registered (PROTOCOLS.md: "listed as
 * unregistered so that an admin can register it"), with first/last seen and a count.
 * Sightings are aggregated in memory and upserted every second, so that a device
 * publishing 100 messages per second for an unknown code costs no database write per message.
 */
@Injectable()
export class UnregisteredSourcesService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(UnregisteredSourcesService.name);
  private readonly failureLog = new LogThrottle(60_000);
  private pending = new Map<string, UnregisteredSource>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(
    private readonly repository: UnregisteredSourceRepository,
    private readonly machines: MachinesService,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS).unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.flushing;
    await this.flush();
  }

  record(kind: UnregisteredSourceKind, topic: string, sourceKey: string, at: Date): void {
    const sighting = this.pending.get(topic);
    if (sighting) {
      sighting.messageCount++;
      if (at > sighting.lastSeenAt) sighting.lastSeenAt = at;
      if (at < sighting.firstSeenAt) sighting.firstSeenAt = at;
    } else if (this.pending.size < MAX_PENDING_TOPICS) {
      this.pending.set(topic, { topic, kind, sourceKey, firstSeenAt: at, lastSeenAt: at, messageCount: 1 });
    }
  }

  list(
    kind: UnregisteredSourceKind | undefined,
    page: { offset: number; limit: number },
  ): Promise<PageResult<UnregisteredSource>> {
    return this.repository.list(kind, page);
  }

  /**
   * Creates the machine a topic names (code from the topic, the rest from the command) and
   * forgets every topic of that code. A machine that exists already (created meanwhile
   * through createMachine) is kept as it is.
   */
  async registerMachine(topic: string, command: RegisterMachineCommand): Promise<{ code: string; name: string }> {
    const source = await this.repository.findByTopic(topic);
    if (!source) throw new NotFoundError('Unregistered source', topic);
    if (source.kind !== 'machine')
      throw new InvalidInputError(`${topic} is not a machine's topic`, { topic: `a ${source.kind} topic` });
    const existing = this.machines.findByCode(source.sourceKey);
    const machine =
      existing ??
      (await this.machines.create({
        code: source.sourceKey,
        name: command.name ?? source.sourceKey,
        model: command.model,
        maker: command.maker,
        axes: command.axes,
      }));
    // A flush running now could write the source back after the delete.
    await this.flushing;
    for (const [pendingTopic, sighting] of this.pending)
      if (sighting.kind === source.kind && sighting.sourceKey === source.sourceKey) this.pending.delete(pendingTopic);
    await this.repository.deleteSource(source.kind, source.sourceKey);
    return { code: machine.code, name: machine.name };
  }

  /** Serialised; sightings that could not be written are merged back for the next flush. */
  private flush(): Promise<void> {
    if (this.flushing || !this.pending.size) return this.flushing ?? Promise.resolve();
    const sightings = [...this.pending.values()];
    this.pending = new Map();
    this.flushing = this.repository
      .record(sightings)
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
    const newer = this.pending.get(sighting.topic);
    if (!newer) return void this.pending.set(sighting.topic, sighting);
    newer.messageCount += sighting.messageCount;
    if (sighting.firstSeenAt < newer.firstSeenAt) newer.firstSeenAt = sighting.firstSeenAt;
    if (sighting.lastSeenAt > newer.lastSeenAt) newer.lastSeenAt = sighting.lastSeenAt;
  }
}
