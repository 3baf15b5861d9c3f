import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { MachinesService } from '../../machines/application/machines.service.js';
import {
  USER_CHANGED,
  UsersService,
  type Actor,
  type CreateUserCommand,
  type UserChangedEvent,
} from '../../identity/application/users.service.js';
import type { User } from '../../identity/domain/user.js';
import { toPage } from '../../shared/graphql/pagination.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import { AccessDirectory } from './access-directory.service.js';
import { UnknownCardRepository } from './access.ports.js';

/**
 * Attempts of cards nobody holds (recorded by the board protocol's `checkuser`). Once a user
 * holds the card, its attempts are no longer unknown and are removed.
 */
@Injectable()
export class UnknownCardsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(UnknownCardsService.name);
  private userChanges?: AsyncIterableIterator<UserChangedEvent>;

  constructor(
    private readonly cards: UnknownCardRepository,
    private readonly directory: AccessDirectory,
    private readonly users: UsersService,
    private readonly pubsub: PubSub,
    private readonly machines: MachinesService,
  ) {
    machines.registerDeletionParticipant({
      what: 'unknown card attempts',
      count: (id) => cards.countOfMachine(id),
      delete: (id) => cards.deleteOfMachine(id),
    });
  }

  /**
   * Event-driven rather than called by identity: identity does not know access control, and
   * a card can be given to a user by createUser, updateUser or convertUnknownCard, on any
   * replica — every one of them announces USER_CHANGED. Deleting is idempotent, so every
   * replica doing it (events reach each through Redis) is harmless.
   */
  onModuleInit(): void {
    this.userChanges = this.pubsub.subscribe<UserChangedEvent>(USER_CHANGED);
    void this.forgetCardsGivenToUsers(this.userChanges);
  }

  async onModuleDestroy(): Promise<void> {
    await this.userChanges?.return?.();
  }

  async list(machineCode: string | null | undefined, page: { offset: number; limit: number }) {
    const machineId = machineCode ? this.machines.requireByCode(machineCode).id : undefined;
    const result = await this.cards.list({ machineId }, page);
    return toPage({
      ...result,
      items: result.items.map((a) => ({ ...a, machine: this.directory.machineLabel(a.machineId) })),
    });
  }

  /** Creates the user holding the card, and forgets the card's attempts. */
  async convert(cardUid: string, command: Omit<CreateUserCommand, 'cardUid'>, actor: Actor): Promise<User> {
    const user = await this.users.create({ ...command, cardUid }, actor);
    // Also done on the USER_CHANGED event; here too so that the answer already reflects it.
    await this.cards.deleteCard(user.cardUid!);
    return user;
  }

  private async forgetCardsGivenToUsers(events: AsyncIterable<UserChangedEvent>): Promise<void> {
    try {
      for await (const { kind, user } of events) {
        if (kind === 'DELETED' || !user.cardUid) continue;
        await this.cards
          .deleteCard(user.cardUid)
          .catch((err) => this.logger.error({ err }, 'Removing the attempts of a card given to a user failed'));
      }
    } catch (err) {
      this.logger.error({ err }, 'Following user changes stopped');
    }
  }
}
