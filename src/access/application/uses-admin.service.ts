import { Injectable } from '@nestjs/common';
import { MachinesService } from '../../machines/application/machines.service.js';
import { UsersService } from '../../identity/application/users.service.js';
import { Transactions } from '../../shared/database/transactions.js';
import { InvalidInputError, NotFoundError } from '../../shared/errors/domain-errors.js';
import { toPage } from '../../shared/graphql/pagination.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import { checkUseTimes, countedSecondsOf, hoursCorrectionSeconds } from '../domain/use-correction.js';
import type { Use } from '../domain/use.js';
import { AccessDirectory, type Labelled } from './access-directory.service.js';
import { ACCESS_STATUS_CHANGED, type AccessStatusChangedEvent } from './access-events.js';
import { UseRepository, type UseChanges } from './access.ports.js';

export interface UseQuery {
  machineCode?: string | null;
  userId?: string | null;
  from?: Date | null;
  to?: Date | null;
  openOnly?: boolean | null;
}

export interface CreateUseCommand {
  userId: string;
  machineCode: string;
  startedAt: Date;
  /** Omitted: the use is open. */
  endedAt?: Date | null;
  /** Add the use's seconds to the machine's hours. */
  correctMachineHours?: boolean | null;
}

export interface UpdateUseCommand {
  userId?: string;
  startedAt?: Date;
  endedAt?: Date | null;
  /** Change the machine's hours by what the use counts more or less. */
  correctMachineHours?: boolean | null;
}

/**
 * Uses corrected by hand (the board protocol opens and closes the others). Each change runs
 * in one transaction under the machine's lock, with the machine's hours when asked, and the
 * status board hears of it.
 */
@Injectable()
export class UsesAdminService {
  constructor(
    private readonly uses: UseRepository,
    private readonly directory: AccessDirectory,
    private readonly users: UsersService,
    private readonly machines: MachinesService,
    private readonly transactions: Transactions,
    private readonly pubsub: PubSub,
  ) {
    machines.registerDeletionParticipant({
      what: 'machine uses',
      count: (id) => uses.countOfMachine(id),
      delete: (id) => uses.deleteOfMachine(id),
    });
  }

  async list(query: UseQuery, page: { offset: number; limit: number }) {
    if (query.from && query.to && query.to.getTime() <= query.from.getTime())
      throw new InvalidInputError('Empty window', { to: 'must be after from' });
    const result = await this.uses.list(
      {
        machineId: query.machineCode ? this.machines.requireByCode(query.machineCode).id : undefined,
        userId: query.userId ?? undefined,
        from: query.from ?? undefined,
        to: query.to ?? undefined,
        openOnly: query.openOnly ?? undefined,
      },
      page,
    );
    return toPage({ ...result, items: await this.directory.label(result.items) });
  }

  async create(command: CreateUseCommand, now = new Date()): Promise<Labelled<Use>> {
    const machine = this.machines.requireByCode(command.machineCode);
    await this.users.get(command.userId);
    const times = { startedAt: command.startedAt, endedAt: command.endedAt ?? null };
    checkUseTimes(times, now);
    const countedSeconds = countedSecondsOf(times);
    const use = await this.transactions.run(async () => {
      // The board protocol's lock: board messages and corrections of a machine take turns.
      await this.uses.lockMachine(machine.id);
      const created = await this.uses.insert({
        machineId: machine.id,
        userId: command.userId,
        ...times,
        // An open use typed in now was last seen now: the orphan rule closes it after an hour of silence.
        lastSeenAt: times.endedAt ?? now,
        countedSeconds,
        reportedDurationSeconds: null,
        replay: false,
        origin: 'api',
        closeReason: times.endedAt ? 'api' : null,
      });
      if (command.correctMachineHours && countedSeconds)
        await this.machines.addUsageSeconds(machine.id, countedSeconds);
      return created;
    });
    return this.changed(use);
  }

  async update(id: string, command: UpdateUseCommand, now = new Date()): Promise<Labelled<Use>> {
    if (command.endedAt === null)
      throw new InvalidInputError('A closed use cannot be reopened', { endedAt: 'must not be null' });
    if (command.userId !== undefined) await this.users.get(command.userId);
    const use = await this.transactions.run(async () => {
      const before = await this.lockedUse(id);
      const times = {
        startedAt: command.startedAt ?? before.startedAt,
        endedAt: command.endedAt ?? before.endedAt,
      };
      checkUseTimes(times, now);
      const countedSeconds = countedSecondsOf(times);
      const endChanged = times.endedAt?.getTime() !== before.endedAt?.getTime();
      const changes: UseChanges = {
        userId: command.userId,
        startedAt: times.startedAt,
        countedSeconds,
        ...(endChanged && times.endedAt
          ? { endedAt: times.endedAt, lastSeenAt: times.endedAt, closeReason: 'api' as const }
          : {}),
      };
      const updated = await this.uses.update(id, changes);
      const correction = hoursCorrectionSeconds(before.countedSeconds, countedSeconds);
      if (command.correctMachineHours && correction) await this.machines.addUsageSeconds(before.machineId, correction);
      return updated;
    });
    return this.changed(use);
  }

  async delete(id: string, correctMachineHours = false): Promise<Labelled<Use>> {
    const use = await this.transactions.run(async () => {
      const found = await this.lockedUse(id);
      await this.uses.delete(id);
      if (correctMachineHours && found.countedSeconds)
        await this.machines.addUsageSeconds(found.machineId, -found.countedSeconds);
      return found;
    });
    return this.changed(use);
  }

  /** The use as it is once its machine's lock is held (a board message may have just closed it). */
  private async lockedUse(id: string): Promise<Use> {
    const use = await this.uses.findById(id);
    if (!use) throw new NotFoundError('Use', id);
    await this.uses.lockMachine(use.machineId);
    const locked = await this.uses.findById(id);
    if (!locked) throw new NotFoundError('Use', id);
    return locked;
  }

  private async changed(use: Use): Promise<Labelled<Use>> {
    await this.pubsub.publish<AccessStatusChangedEvent>(ACCESS_STATUS_CHANGED, { machineId: use.machineId });
    const [labelled] = await this.directory.label([use]);
    return labelled;
  }
}
