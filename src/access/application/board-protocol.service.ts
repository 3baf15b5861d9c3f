import { Injectable, Logger } from '@nestjs/common';
import type { User } from '../../identity/domain/user.js';
import { UsersService } from '../../identity/application/users.service.js';
import { MachinesService } from '../../machines/application/machines.service.js';
import type { MachineProfile } from '../../machines/domain/machine.js';
import { Transactions } from '../../shared/database/transactions.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import { ONLINE_WINDOW_MS } from '../domain/board.js';
import {
  AccessLevel,
  accessLevel,
  mayRecordMaintenance,
  type AccessMachine,
  type CardHolder,
} from '../domain/card-access.js';
import { overduePlans } from '../domain/maintenance.js';
import { ACCESS_STATUS_CHANGED, type AccessStatusChangedEvent } from './access-events.js';
import {
  AuthorizationRepository,
  MaintenanceRepository,
  UnknownCardRepository,
  UseRepository,
} from './access.ports.js';
import {
  DEFAULT_GRACE_MINUTES,
  DEFAULT_LOGOFF_MINUTES,
  refusal,
  UNKNOWN_MACHINE_MESSAGE,
  type BoardReply,
  type BoardRequest,
  type MachineReply,
  type SimpleReply,
  type SyncCacheReply,
  type UserReply,
} from './board-exchange.js';
import { BoardSightings } from './board-sightings.service.js';
import { UseSessionsService } from './use-sessions.service.js';

const INVALID_CARD = 'Invalid card';
/** synccache looks at this many card holders at most (the reply holds far fewer anyway). */
const SYNC_CACHE_HOLDERS = 200;

type Alive = Extract<BoardRequest, { action: 'alive' }>;

/**
 * The FAB-O-MATIC board protocol (PROTOCOLS.md section B): one method per action, each
 * answering with the reply the board expects (null: no reply). The machine comes from the
 * topic and is read from the machine directory (every replica reloads it on each registry
 * change, so a machine blocked a moment ago is refused); every request for a known machine
 * marks it seen, without waiting for that write; an unknown machine gets a refusal and
 * nothing is written. A request costs only the queries its answer needs.
 */
@Injectable()
export class BoardProtocolService {
  private readonly logger = new Logger(BoardProtocolService.name);
  /** When this replica last heard from each machine: "seen again after being offline" costs no query. */
  private readonly heardAt = new Map<number, number>();

  constructor(
    private readonly machines: MachinesService,
    private readonly users: UsersService,
    private readonly authorizations: AuthorizationRepository,
    private readonly maintenance: MaintenanceRepository,
    private readonly uses: UseSessionsService,
    private readonly useLocks: UseRepository,
    private readonly sightings: BoardSightings,
    private readonly unknownCards: UnknownCardRepository,
    private readonly transactions: Transactions,
    private readonly pubsub: PubSub,
  ) {}

  /** `at` is when the message was received: "now" for every rule. */
  answer(code: string, request: BoardRequest, at: Date): Promise<BoardReply | null> {
    switch (request.action) {
      case 'checkuser':
        return this.checkUser(code, request.uid, at);
      case 'checkmachine':
        return this.checkMachine(code, at);
      case 'startuse':
        return this.startUse(code, request.uid, request.replay, at);
      case 'inuse':
        return this.inUse(code, request.uid, request.duration, at);
      case 'stopuse':
        return this.stopUse(code, request.uid, request.duration, request.replay, at);
      case 'maintenance':
        return this.recordMaintenance(code, request.uid, request.replay, at);
      case 'alive':
        return this.alive(code, request, at);
      case 'synccache':
        return this.syncCache(code, at);
    }
  }

  async checkUser(code: string, uid: string, at: Date): Promise<UserReply> {
    const found = await this.machineAndHolder(code, uid, at);
    if (!found) return refusal('checkuser', UNKNOWN_MACHINE_MESSAGE) as UserReply;
    const { machine, holder } = found;
    if (!holder) {
      await this.unknownCards.record(uid, machine.id, at);
      this.statusChanged(machine.id);
      return { request_ok: true, is_valid: false, name: 'Unknown', missing_auth: false, level: AccessLevel.REFUSED };
    }
    const level = await this.levelOf(holder, machine);
    if (level === AccessLevel.REFUSED)
      return { request_ok: true, is_valid: false, name: 'User not authorized', missing_auth: true, level };
    return { request_ok: true, is_valid: true, name: holder.displayName, missing_auth: false, level };
  }

  async checkMachine(code: string, at: Date): Promise<MachineReply> {
    const machine = this.machine(code, at);
    if (!machine) return refusal('checkmachine', UNKNOWN_MACHINE_MESSAGE) as MachineReply;
    const [due] = overduePlans(await this.maintenance.progress([machine.id]));
    return {
      request_ok: true,
      is_valid: true,
      maintenance: due !== undefined,
      allowed: !machine.blocked,
      name: machine.name,
      logoff: machine.autoLogoffMinutes,
      type: machine.machineTypeId ?? 0,
      grace: machine.graceMinutes,
      description: due?.plan.lcdMessage ?? '',
    };
  }

  async startUse(code: string, uid: string, replay: boolean, at: Date): Promise<SimpleReply> {
    const found = await this.machineAndHolder(code, uid, at);
    if (!found) return refusal('startuse', UNKNOWN_MACHINE_MESSAGE) as SimpleReply;
    if (!found.holder) return { request_ok: false, message: INVALID_CARD };
    const outcome = await this.uses.start(found.machine.id, found.holder.userId, at, replay);
    if (outcome.changed) this.statusChanged(found.machine.id);
    return { request_ok: true, message: '' };
  }

  async inUse(code: string, uid: string, duration: number, at: Date): Promise<SimpleReply> {
    const found = await this.machineAndHolder(code, uid, at);
    if (!found) return refusal('inuse', UNKNOWN_MACHINE_MESSAGE) as SimpleReply;
    if (!found.holder) return { request_ok: false, message: INVALID_CARD };
    const outcome = await this.uses.heartbeat(found.machine.id, found.holder.userId, duration, at);
    if (outcome.changed) this.statusChanged(found.machine.id);
    return { request_ok: outcome.accepted, message: 'inUse' };
  }

  async stopUse(code: string, uid: string, duration: number, replay: boolean, at: Date): Promise<SimpleReply> {
    const found = await this.machineAndHolder(code, uid, at);
    if (!found) return refusal('stopuse', UNKNOWN_MACHINE_MESSAGE) as SimpleReply;
    if (!found.holder) return { request_ok: false, message: INVALID_CARD };
    const outcome = await this.uses.stop(found.machine.id, found.holder.userId, duration, at, replay);
    if (outcome.changed) this.statusChanged(found.machine.id);
    return { request_ok: true, message: `Duration ${outcome.seconds} seconds` };
  }

  /** One intervention per overdue plan, none when nothing is due; only maintainers. */
  async recordMaintenance(code: string, uid: string, replay: boolean, at: Date): Promise<SimpleReply> {
    const found = await this.machineAndHolder(code, uid, at);
    if (!found) return refusal('maintenance', UNKNOWN_MACHINE_MESSAGE) as SimpleReply;
    const { machine, holder } = found;
    if (!holder) return { request_ok: false, message: 'Wrong user card' };
    if (!mayRecordMaintenance(holder)) return { request_ok: false, message: 'Not authorized' };
    const recorded = await this.transactions.run(async () => {
      // The machine's lock: a replayed copy handled elsewhere meanwhile sees the plans no longer due.
      await this.useLocks.lockMachine(machine.id);
      const due = overduePlans(await this.maintenance.progress([machine.id]));
      const added = await this.maintenance.addInterventions(
        due.map(({ plan }) => ({
          planId: plan.id,
          machineId: machine.id,
          userId: holder.userId,
          performedAt: at,
          origin: 'board' as const,
          replay,
          notes: '',
        })),
      );
      return added.length;
    });
    if (recorded) this.statusChanged(machine.id);
    return { request_ok: true, message: '' };
  }

  /** Batched with other boards' (see BoardSightings). */
  async alive(code: string, board: Alive, at: Date): Promise<null> {
    const machine = this.machine(code, at);
    if (!machine) return null;
    await this.sightings.record({
      machineId: machine.id,
      firmwareVersion: board.version,
      ip: board.ip,
      serial: board.serial,
      heap: board.heap,
      lastSeenAt: at,
    });
    return null;
  }

  /** The cards authorised on the machine (same rule as checkuser), staff first; the wire layer keeps what fits. */
  async syncCache(code: string, at: Date): Promise<SyncCacheReply> {
    const machine = this.machine(code, at);
    if (!machine) return refusal('synccache', UNKNOWN_MACHINE_MESSAGE) as SyncCacheReply;
    const page = await this.users.list({ disabled: false }, { offset: 0, limit: SYNC_CACHE_HOLDERS });
    const holders = page.items.map(cardHolderOf).filter((h): h is CardHolder => h !== null);
    const authorized = await this.authorizations.authorizedAmong(
      machine.id,
      holders.filter((h) => !h.authorizeAll).map((h) => h.userId),
    );
    const cards = holders
      .map((h) => ({ uid: h.cardUid, level: accessLevel(h, machine, authorized.has(h.userId)) as number }))
      .filter((card) => card.level !== AccessLevel.REFUSED)
      .sort((a, b) => b.level - a.level || a.uid.localeCompare(b.uid));
    return { request_ok: true, cards };
  }

  private async machineAndHolder(
    code: string,
    uid: string,
    at: Date,
  ): Promise<{ machine: AccessMachine; holder: CardHolder | null } | null> {
    const machine = this.machine(code, at);
    if (!machine) return null;
    const user = await this.users.findByCardUid(uid);
    return { machine, holder: user && cardHolderOf(user) };
  }

  /** The machine as boards see it, from the directory, and marked seen. */
  private machine(code: string, at: Date): AccessMachine | null {
    const profile = this.machines.findByCode(code);
    if (!profile) return null;
    this.machines.markSeen([profile.id], at);
    this.heard(profile.id, at);
    return accessMachineOf(profile);
  }

  /** A machine heard for the first time, or again after being offline, changes status. */
  private heard(machineId: number, at: Date): void {
    const previous = this.heardAt.get(machineId);
    if (previous === undefined || at.getTime() > previous) this.heardAt.set(machineId, at.getTime());
    if (previous === undefined || at.getTime() - previous > ONLINE_WINDOW_MS) this.statusChanged(machineId);
  }

  private async levelOf(holder: CardHolder, machine: AccessMachine): Promise<AccessLevel> {
    // The authorisation only matters for a user who is not staff, on an open machine whose type asks for it.
    const needsLookup = !holder.disabled && !holder.authorizeAll && !machine.blocked && machine.needsAuthorization;
    const hasAuthorization =
      needsLookup && (await this.authorizations.authorizedAmong(machine.id, [holder.userId])).has(holder.userId);
    return accessLevel(holder, machine, hasAuthorization);
  }

  /** After the change committed; never holds up the reply, never fails it. */
  private statusChanged(machineId: number): void {
    this.pubsub
      .publish<AccessStatusChangedEvent>(ACCESS_STATUS_CHANGED, { machineId })
      .catch((error: Error) => this.logger.warn(`Publishing an access status change failed: ${error.message}`));
  }
}

/** A machine with no type needs authorisations and gets the original's defaults (1440 min, 2 min, type 0). */
function accessMachineOf(machine: MachineProfile): AccessMachine {
  const type = machine.machineType;
  return {
    id: machine.id,
    code: machine.code,
    name: machine.name,
    blocked: machine.blocked,
    machineTypeId: type?.id ?? null,
    needsAuthorization: type?.needsAuthorization ?? true,
    autoLogoffMinutes: type?.autoLogoffMinutes ?? DEFAULT_LOGOFF_MINUTES,
    graceMinutes: type?.graceMinutes ?? DEFAULT_GRACE_MINUTES,
  };
}

function cardHolderOf(user: User): CardHolder | null {
  if (!user.cardUid) return null;
  return {
    userId: user.id,
    displayName: user.displayName,
    cardUid: user.cardUid,
    disabled: user.disabled,
    authorizeAll: user.roles.some((role) => role.authorizeAll),
    canMaintain: user.roles.some((role) => role.canMaintain),
  };
}
