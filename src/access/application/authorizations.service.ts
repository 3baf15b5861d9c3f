import { Injectable } from '@nestjs/common';
import { MachinesService } from '../../machines/application/machines.service.js';
import { UsersService } from '../../identity/application/users.service.js';
import { NotFoundError } from '../../shared/errors/domain-errors.js';
import { toPage, type PageType } from '../../shared/graphql/pagination.js';
import type { Authorization } from '../domain/board.js';
import { AccessDirectory, type Labelled } from './access-directory.service.js';
import { AuthorizationRepository } from './access.ports.js';

export interface AuthorizationQuery {
  userId?: string | null;
  machineCode?: string | null;
}

export interface BulkAuthorizationResult {
  added: Labelled<Authorization>[];
  /** Users that held an authorisation for the machine already. */
  skippedUserIds: string[];
}

/** Who may use which machine, for machine types that need an authorisation. */
@Injectable()
export class AuthorizationsService {
  constructor(
    private readonly authorizations: AuthorizationRepository,
    private readonly directory: AccessDirectory,
    private readonly users: UsersService,
    private readonly machines: MachinesService,
  ) {
    machines.registerDeletionParticipant({
      what: 'access authorisations',
      count: (id) => authorizations.countOfMachine(id),
      delete: (id) => authorizations.deleteOfMachine(id),
    });
  }

  async list(query: AuthorizationQuery, page: { offset: number; limit: number }) {
    const machineId = query.machineCode ? this.machines.requireByCode(query.machineCode).id : undefined;
    const result = await this.authorizations.list({ userId: query.userId ?? undefined, machineId }, page);
    return toPage({ ...result, items: await this.directory.label(result.items) });
  }

  async create(userId: string, machineCode: string): Promise<Labelled<Authorization>> {
    const machine = this.machines.requireByCode(machineCode);
    await this.users.get(userId);
    const [labelled] = await this.directory.label([await this.authorizations.create(userId, machine.id)]);
    return labelled;
  }

  /** Authorises many users on one machine; those already authorised are skipped, not refused. */
  async bulkAdd(machineCode: string, userIds: readonly string[]): Promise<BulkAuthorizationResult> {
    const machine = this.machines.requireByCode(machineCode);
    const wanted = [...new Set(userIds)];
    for (const id of wanted) await this.users.get(id);
    const added = await this.authorizations.addMissing(machine.id, wanted);
    const addedIds = new Set(added.map((a) => a.userId));
    return {
      added: await this.directory.label(added),
      skippedUserIds: wanted.filter((id) => !addedIds.has(id)),
    };
  }

  async delete(id: number): Promise<Labelled<Authorization>> {
    const authorization = await this.authorizations.findById(id);
    if (!authorization) throw new NotFoundError('Authorization', id);
    await this.authorizations.delete(id);
    const [labelled] = await this.directory.label([authorization]);
    return labelled;
  }
}

export type AuthorizationPage = PageType<Labelled<Authorization>>;
