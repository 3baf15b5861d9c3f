import { EventEmitter } from 'node:events';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PubSub as MemoryEngine } from 'graphql-subscriptions';
import {
  MACHINES_CHANGED,
  MachinesService,
  type MachinesChangedEvent,
} from '../../machines/application/machines.service.js';
import type { MachineSummary } from '../../machines/domain/machine.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import {
  accessStatus,
  countByStatus,
  isBoardCode,
  type AccessStatus,
  type AccessStatusCounts,
} from '../domain/access-status.js';
import { isOnline } from '../domain/board.js';
import { overduePlans, type PlanProgress } from '../domain/maintenance.js';
import type { Use } from '../domain/use.js';
import { AccessDirectory, type MachineLabel, type UserLabel } from './access-directory.service.js';
import { ACCESS_STATUS_CHANGED, type AccessStatusChangedEvent } from './access-events.js';
import { MaintenanceRepository, UseRepository } from './access.ports.js';

export interface MachineAccessStatus {
  machine: MachineLabel;
  status: AccessStatus;
  /** Who uses the machine (IN_USE). */
  user: UserLabel | null;
  /** Since when (IN_USE): the start of the open use. */
  since: Date | null;
  blocked: boolean;
  maintenanceDue: boolean;
  /** The LCD message of the first overdue plan, else "". */
  maintenanceMessage: string;
  online: boolean;
  lastSeenAt: Date | null;
}

export interface AccessStatusOverview {
  at: Date;
  counts: AccessStatusCounts;
  machines: MachineAccessStatus[];
}

/** A machine silent for 90 s turns OFFLINE without any event: this often, every status is checked again. */
export const STATUS_CHECK_INTERVAL_MS = 10_000;
/**
 * Changes announced within this long are checked together, in one round of queries: a
 * busy plant announces dozens a second, and each would otherwise cost its own queries on
 * the connections that boards' requests wait for.
 */
const CHANGE_COALESCING_MS = 50;

/**
 * The live status board: IN_USE > BLOCKED > MAINTENANCE > OFFLINE > FREE per machine.
 *
 * A machine's status is recomputed when the board protocol or the API announce a change of
 * its uses, board or maintenance (ACCESS_STATUS_CHANGED; those of the next 50 ms together),
 * every machine's when the registry
 * changes (MACHINES_CHANGED: blocking a machine through updateMachine), and every machine's
 * every STATUS_CHECK_INTERVAL_MS (the OFFLINE transition has no event). A status that
 * differs from the last one this replica saw is built once and delivered to this replica's
 * subscribers only: each replica hears every event (through Redis), so each tells its own
 * subscribers, and nobody gets a change twice.
 */
@Injectable()
export class AccessStatusService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AccessStatusService.name);
  private readonly known = new Map<number, string>();
  private readonly local: PubSub;
  private readonly listeners: AsyncIterableIterator<unknown>[] = [];
  private timer?: NodeJS.Timeout;
  private queue: Promise<void> = Promise.resolve();
  private fullCheckQueued?: Promise<void>;
  /** Machines announced changed and not checked yet. */
  private readonly changed = new Set<number>();
  private changedTimer?: NodeJS.Timeout;

  constructor(
    private readonly directory: AccessDirectory,
    private readonly machines: MachinesService,
    private readonly uses: UseRepository,
    private readonly maintenance: MaintenanceRepository,
    private readonly pubsub: PubSub,
  ) {
    const emitter = new EventEmitter();
    emitter.setMaxListeners(20_000);
    this.local = new PubSub(new MemoryEngine({ eventEmitter: emitter }));
  }

  onModuleInit(): void {
    const statusEvents = this.pubsub.subscribe<AccessStatusChangedEvent>(ACCESS_STATUS_CHANGED);
    const machineEvents = this.pubsub.subscribe<MachinesChangedEvent>(MACHINES_CHANGED);
    this.listeners.push(statusEvents, machineEvents);
    void this.follow(statusEvents, ({ machineId }) => this.machineChanged(machineId));
    void this.follow(machineEvents, () => void this.checkAll());
    // The first pass only learns the statuses: nobody is subscribed yet.
    void this.enqueue(() => this.checkEvery(false));
    this.timer = setInterval(() => void this.checkAll(), STATUS_CHECK_INTERVAL_MS).unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.changedTimer);
    await Promise.all(this.listeners.map((l) => l.return?.()));
    await this.queue;
  }

  /** The machines with a numeric code (those boards can address), or the given ones. */
  async overview(machineCodes?: readonly string[] | null, now = new Date()): Promise<AccessStatusOverview> {
    const wanted = machineCodes?.length
      ? new Set(this.machines.requireByCodes(machineCodes).map((m) => m.id))
      : undefined;
    const machines = (await this.machines.summaries()).filter((m) => (wanted ? wanted.has(m.id) : isBoardCode(m.code)));
    const statuses = await this.statusesOf(machines, now);
    return { at: now, counts: countByStatus(statuses.map((s) => s.status)), machines: statuses };
  }

  /** Status changes of this replica's view, as they are found. */
  changes(): AsyncIterableIterator<MachineAccessStatus> {
    return this.local.subscribe<MachineAccessStatus>(LOCAL_STATUS_CHANGED);
  }

  /** Checks every machine now (also what the timer does); resolves once done. */
  checkAll(): Promise<void> {
    this.fullCheckQueued ??= this.enqueue(async () => {
      this.fullCheckQueued = undefined;
      await this.checkEvery(true);
    });
    return this.fullCheckQueued;
  }

  private async checkEvery(announce: boolean): Promise<void> {
    const machines = await this.machines.summaries();
    const ids = new Set(machines.map((m) => m.id));
    for (const id of this.known.keys()) if (!ids.has(id)) this.known.delete(id);
    for (const status of await this.statusesOf(machines, new Date())) await this.remember(status, announce);
  }

  private machineChanged(machineId: number): void {
    this.changed.add(machineId);
    this.changedTimer ??= setTimeout(() => {
      this.changedTimer = undefined;
      void this.enqueue(() => this.checkChanged());
    }, CHANGE_COALESCING_MS);
  }

  private async checkChanged(): Promise<void> {
    const ids = [...this.changed];
    this.changed.clear();
    if (!ids.length) return;
    const machines = await this.machines.summaries(ids);
    const found = new Set(machines.map((m) => m.id));
    for (const id of ids) if (!found.has(id)) this.known.delete(id);
    for (const status of await this.statusesOf(machines, new Date(), ids)) await this.remember(status, true);
  }

  /** `ids`: the machines to read uses and plans of; every machine's when omitted. */
  private async statusesOf(
    machines: MachineSummary[],
    now: Date,
    ids?: readonly number[],
  ): Promise<MachineAccessStatus[]> {
    // One after the other: a check takes one connection at a time from the pool that boards' requests wait on.
    const openUses = await this.uses.openUses(ids);
    const progress = await this.maintenance.progress(ids);
    const openByMachine = new Map(openUses.map((u) => [u.machineId, u]));
    const progressByMachine = new Map<number, PlanProgress[]>();
    for (const p of progress)
      progressByMachine.set(p.plan.machineId, [...(progressByMachine.get(p.plan.machineId) ?? []), p]);
    return this.withUsers(
      machines.map((m) => statusOf(m, openByMachine.get(m.id) ?? null, progressByMachine.get(m.id) ?? [], now)),
    );
  }

  private async withUsers(statuses: MachineAccessStatus[]): Promise<MachineAccessStatus[]> {
    const names = await this.directory.userNames(statuses.flatMap((s) => (s.user ? [s.user.id] : [])));
    return statuses.map((s) =>
      s.user ? { ...s, user: { id: s.user.id, displayName: names.get(s.user.id) ?? '' } } : s,
    );
  }

  private async remember(status: MachineAccessStatus, announce: boolean): Promise<void> {
    const fingerprint = JSON.stringify([
      status.status,
      status.user?.id,
      status.since,
      status.blocked,
      status.maintenanceDue,
      status.online,
    ]);
    if (this.known.get(status.machine.id) === fingerprint) return;
    this.known.set(status.machine.id, fingerprint);
    if (announce) await this.local.publish(LOCAL_STATUS_CHANGED, status);
  }

  /** One check at a time: a later status never overtakes an earlier one. */
  private enqueue(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue
      .then(work)
      .catch((err) => this.logger.error({ err }, 'Checking machine access statuses failed'));
    return this.queue;
  }

  private async follow<T>(events: AsyncIterable<T>, handle: (event: T) => void): Promise<void> {
    try {
      for await (const event of events) handle(event);
    } catch (err) {
      this.logger.error({ err }, 'Following access status events stopped');
    }
  }
}

const LOCAL_STATUS_CHANGED = 'access.machineAccessStatusChanged';

function statusOf(
  machine: MachineSummary,
  openUse: Use | null,
  progress: readonly PlanProgress[],
  now: Date,
): MachineAccessStatus {
  const [firstOverdue] = overduePlans(progress);
  const online = isOnline(machine.lastSeenAt, now);
  const facts = { inUse: openUse !== null, blocked: machine.blocked, maintenanceDue: Boolean(firstOverdue), online };
  return {
    machine: { id: machine.id, code: machine.code, name: machine.name },
    status: accessStatus(facts),
    user: openUse?.userId ? { id: openUse.userId, displayName: '' } : null,
    since: openUse?.startedAt ?? null,
    blocked: machine.blocked,
    maintenanceDue: facts.maintenanceDue,
    maintenanceMessage: firstOverdue?.plan.lcdMessage ?? '',
    online,
    lastSeenAt: machine.lastSeenAt,
  };
}
