import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { NotFoundError } from '../../shared/errors/domain-errors.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import {
  changeBand,
  orderBands,
  type MachineState,
  type StateBand,
  type StateBandChanges,
} from '../domain/machine-state.js';
import { StateBandRepository } from './machine-state.ports.js';

/** Published after a band changed, so that every replica classifies with the new bands. */
export const STATE_BANDS_CHANGED = 'telemetry.state-bands-changed';
export interface StateBandsChangedEvent {
  /** The replica that made the change (it has reloaded already). */
  origin: string;
}

/** The state bands (thresholds as data), kept in memory in priority order for the hot path. */
@Injectable()
export class StateBandsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(StateBandsService.name);
  private readonly origin = randomUUID();
  private bands: StateBand[] = [];
  private generation = 0;
  private loaded?: Promise<void>;
  private changes?: AsyncIterableIterator<StateBandsChangedEvent>;

  constructor(
    private readonly repository: StateBandRepository,
    private readonly pubsub: PubSub,
  ) {}

  onModuleInit(): Promise<void> {
    this.changes = this.pubsub.subscribe<StateBandsChangedEvent>(STATE_BANDS_CHANGED);
    void this.followChanges(this.changes);
    return this.ready();
  }

  async onModuleDestroy(): Promise<void> {
    await this.changes?.return?.();
  }

  /** Resolves once the bands are in memory (the first load). */
  ready(): Promise<void> {
    this.loaded ??= this.reload();
    return this.loaded;
  }

  /** In priority order: the first band containing a reading wins. */
  ordered(): readonly StateBand[] {
    return this.bands;
  }

  async update(state: MachineState, changes: StateBandChanges): Promise<StateBand> {
    const band = await this.repository.find(state);
    if (!band) throw new NotFoundError('State band', state);
    const saved = await this.repository.save(changeBand(band, changes));
    await this.reload();
    await this.pubsub.publish<StateBandsChangedEvent>(STATE_BANDS_CHANGED, { origin: this.origin });
    return saved;
  }

  /** A load that started earlier and finishes later must not overwrite a newer one. */
  private async reload(): Promise<void> {
    const generation = ++this.generation;
    const bands = orderBands(await this.repository.list());
    if (generation === this.generation) this.bands = bands;
  }

  private async followChanges(events: AsyncIterable<StateBandsChangedEvent>): Promise<void> {
    try {
      for await (const event of events) {
        if (event.origin === this.origin) continue;
        await this.reload().catch((err) => this.logger.error({ err }, 'Reloading the state bands failed'));
      }
    } catch (err) {
      this.logger.error({ err }, 'Following state band changes stopped');
    }
  }
}
