import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { NotFoundError } from '../../shared/errors/domain-errors.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import { ReplicatedState } from '../../shared/pubsub/replicated-state.js';
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

/** The state bands (thresholds as data), kept in memory in priority order for the hot path. */
@Injectable()
export class StateBandsService implements OnModuleInit, OnModuleDestroy {
  private readonly bands: ReplicatedState<StateBand[]>;

  constructor(
    private readonly repository: StateBandRepository,
    pubsub: PubSub,
  ) {
    this.bands = new ReplicatedState(
      pubsub,
      STATE_BANDS_CHANGED,
      async () => orderBands(await repository.list()),
      [],
      new Logger(StateBandsService.name),
      'the state bands',
    );
  }

  onModuleInit(): Promise<void> {
    return this.bands.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.bands.stop();
  }

  /** Resolves once the bands are in memory (the first load). */
  ready(): Promise<void> {
    return this.bands.ready();
  }

  /** In priority order: the first band containing a reading wins. */
  ordered(): readonly StateBand[] {
    return this.bands.value;
  }

  async update(state: MachineState, changes: StateBandChanges): Promise<StateBand> {
    const band = await this.repository.find(state);
    if (!band) throw new NotFoundError('State band', state);
    const saved = await this.repository.save(changeBand(band, changes));
    await this.bands.changed();
    return saved;
  }
}
