import { randomUUID } from 'node:crypto';
import {
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { Transactions } from '../../shared/database/transactions.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../shared/errors/domain-errors.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import {
  elementTypeChanges,
  newElementType,
  type ElementType,
  type ElementTypeFields,
} from '../domain/element-type.js';
import {
  axisChanges,
  machineChanges,
  machineTypeChanges,
  newAxis,
  newMachine,
  newMachineType,
  newTool,
  toolChanges,
  usageIncrement,
  type Axis,
  type AxisFields,
  type Machine,
  type MachineFields,
  type MachineProfile,
  type MachineSummary,
  type MachineType,
  type MachineTypeFields,
  type Tool,
  type ToolFields,
} from '../domain/machine.js';
import { LastSeenWriter } from './last-seen-writer.js';
import { MachineDirectory, MachineRefSource } from './machine-directory.js';
import {
  ElementTypeRepository,
  MachinePartRepository,
  MachineRepository,
  MachineTypeRepository,
  type MachineFilter,
} from './machines.ports.js';

/** Published after every change of machines or axes, so that every replica reloads its directory. */
export const MACHINES_CHANGED = 'machines.changed';
export interface MachinesChangedEvent {
  /** The replica that made the change (it has reloaded already). */
  origin: string;
}

/**
 * Another context's data about a machine (samples, shifts, uses …): counted and deleted
 * before the machine itself, so that deleteMachine can say what it took with it. Both run
 * inside the deletion's one transaction (Transactions): a participant's queries must join
 * it (repositories query through `transactionalManager`), so that a failure anywhere leaves
 * the machine and everything about it as it was. Keep in-memory state of the machine until
 * the deletion committed (machines.changed tells when the machine is gone).
 */
export interface MachineDeletionParticipant {
  /** What is removed, as people read it in the report ("electrical samples"). */
  what: string;
  count(machineId: number): Promise<number>;
  delete(machineId: number): Promise<void>;
}

/** A machine's last seen is written at most this often (see markSeen). */
const LAST_SEEN_WRITE_INTERVAL_MS = 1_000;

export interface MachineDeletionReport {
  machine: { code: string; name: string };
  removed: { what: string; count: number }[];
}

export type CreateMachineCommand = Pick<MachineFields, 'code' | 'name'> &
  Partial<Omit<MachineFields, 'code' | 'name'>> & {
    axes?: AxisFields[];
    tools?: (Pick<ToolFields, 'number'> & Partial<ToolFields>)[];
  };
export type UpdateMachineCommand = Partial<MachineFields>;
export type CreateToolCommand = Pick<ToolFields, 'number'> & Partial<ToolFields>;
export type CreateMachineTypeCommand = Pick<MachineTypeFields, 'name'> & Partial<MachineTypeFields>;
export type CreateElementTypeCommand = Omit<ElementTypeFields, 'range' | 'description' | 'active'> &
  Partial<ElementTypeFields>;

type Page = { offset: number; limit: number };

/**
 * The machine registry: machines, their types, axes and tools, and the welding standards
 * (element types). Keeps the in-memory directory that the ingestion path resolves topics
 * with, current on every replica.
 */
@Injectable()
export class MachinesService implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger(MachinesService.name);
  private readonly directory = new MachineDirectory();
  private readonly lastSeen: LastSeenWriter;
  private readonly participants: MachineDeletionParticipant[] = [];
  private readonly origin = randomUUID();
  private changes?: AsyncIterableIterator<MachinesChangedEvent>;
  private loading?: Promise<void>;
  private queued?: Promise<void>;

  constructor(
    private readonly machines: MachineRepository,
    private readonly parts: MachinePartRepository,
    private readonly machineTypes: MachineTypeRepository,
    private readonly elementTypes: ElementTypeRepository,
    private readonly refs: MachineRefSource,
    private readonly pubsub: PubSub,
    private readonly transactions: Transactions,
  ) {
    this.lastSeen = new LastSeenWriter({
      write: (seen) => this.machines.markSeen(seen),
      intervalMs: LAST_SEEN_WRITE_INTERVAL_MS,
      onFailure: (error) =>
        this.logger.warn(`Writing machines' last seen failed, retrying every second: ${error.message}`),
      onRecovery: () => this.logger.log("Writing machines' last seen works again"),
    });
  }

  async onModuleInit(): Promise<void> {
    // Subscribed before the first load, so that a change made meanwhile elsewhere is not missed.
    this.changes = this.pubsub.subscribe<MachinesChangedEvent>(MACHINES_CHANGED);
    void this.followChanges(this.changes);
    await this.reloadDirectory();
  }

  async onModuleDestroy(): Promise<void> {
    await this.changes?.return?.();
  }

  /** Before the database closes: its module is global, and global modules shut down last. */
  async onApplicationShutdown(): Promise<void> {
    await this.lastSeen.close();
  }

  // The hot path: resolved from memory, never a query per message.

  /** With its type and blocked flag: every replica reloads its directory on each change of the registry. */
  findByCode(code: string): MachineProfile | undefined {
    return this.directory.findByCode(code);
  }

  findById(id: number): MachineProfile | undefined {
    return this.directory.findById(id);
  }

  allRefs(): MachineProfile[] {
    return this.directory.all();
  }

  /** NOT_FOUND when no machine has the code. */
  requireByCode(code: string): MachineProfile {
    const machine = this.directory.findByCode(code);
    if (!machine) throw new NotFoundError('Machine', code);
    return machine;
  }

  /** The machines of a list argument, each once, in the order given; BAD_USER_INPUT naming the unknown codes under `field`. */
  requireByCodes(codes: readonly string[], field = 'machineCodes'): MachineProfile[] {
    const unique = [...new Set(codes)];
    const found = unique.map((code) => this.directory.findByCode(code));
    const unknown = unique.filter((_, i) => !found[i]);
    if (unknown.length)
      throw new InvalidInputError(`Unknown machine(s): ${unknown.join(', ')}`, {
        [field]: `unknown: ${unknown.join(', ')}`,
      });
    return found as MachineProfile[];
  }

  /** The code of a machine; records of a machine deleted meanwhile show its id. */
  codeOf(machineId: number): string {
    return this.directory.findById(machineId)?.code ?? String(machineId);
  }

  registerDeletionParticipant(participant: MachineDeletionParticipant): void {
    this.participants.push(participant);
  }

  /**
   * The machines were heard from at `at`. Never waits for the database: marks are
   * coalesced per machine and written at most once a second in one statement (kept and
   * retried when that fails, written at shutdown). Only moves last seen forward, so late or
   * replayed messages never move it back. This replica's reads show its marks at once.
   */
  markSeen(machineIds: readonly number[], at: Date): void {
    this.lastSeen.mark(machineIds, at);
  }

  async addUsageSeconds(machineId: number, seconds: number): Promise<void> {
    if (!(await this.machines.addUsageSeconds(machineId, usageIncrement(seconds))))
      throw new NotFoundError('Machine', machineId);
  }

  // Machines.

  async get(code: string): Promise<Machine> {
    const machine = await this.machines.findByCode(code);
    if (!machine) throw new NotFoundError('Machine', code);
    return this.withLastSeen(machine);
  }

  /** Every machine (or those of `ids`) with its type, blocked flag and last seen, without axes and tools: one query. */
  async summaries(ids?: readonly number[]): Promise<MachineSummary[]> {
    return (await this.machines.summaries(ids)).map((m) => this.withLastSeen(m));
  }

  async list(filter: MachineFilter, page: Page): Promise<PageResult<Machine>> {
    const result = await this.machines.list(filter, page);
    return { ...result, items: result.items.map((m) => this.withLastSeen(m)) };
  }

  async create(command: CreateMachineCommand): Promise<Machine> {
    const { machine, axes, tools } = newMachine(command);
    await this.assertMachineTypeExists(machine.machineTypeId);
    const created = await this.machines.create(machine, axes, tools);
    await this.announceChange();
    return created;
  }

  async update(code: string, command: UpdateMachineCommand): Promise<Machine> {
    const machine = await this.get(code);
    const changes = machineChanges(command);
    await this.assertMachineTypeExists(changes.machineTypeId);
    const updated = await this.machines.update(machine.id, changes);
    await this.announceChange();
    return updated;
  }

  /**
   * Deletes the machine with its axes and tools and whatever other contexts hold about it,
   * all in one transaction: if any part fails, nothing is deleted.
   */
  async delete(code: string): Promise<MachineDeletionReport> {
    const machine = await this.get(code);
    const counted = await this.transactions.run(async () => {
      const counts: { what: string; count: number }[] = [];
      for (const { what, count } of this.participants) counts.push({ what, count: await count(machine.id) });
      for (const participant of this.participants) await participant.delete(machine.id);
      await this.machines.delete(machine.id);
      return counts;
    });
    this.lastSeen.forget(machine.id);
    await this.announceChange();
    return {
      machine: { code: machine.code, name: machine.name },
      removed: [
        { what: 'axes', count: machine.axes.length },
        { what: 'tools', count: machine.tools.length },
        ...counted,
      ],
    };
  }

  // Axes and tools.

  async createAxis(machineCode: string, command: AxisFields): Promise<Axis> {
    const machine = await this.get(machineCode);
    const axis = await this.parts.createAxis(machine.id, newAxis(command));
    await this.announceChange();
    return axis;
  }

  async updateAxis(id: number, command: Partial<AxisFields>): Promise<Axis> {
    const axis = await this.requireAxis(id);
    const updated = await this.parts.updateAxis({ ...axis, ...axisChanges(command) });
    await this.announceChange();
    return updated;
  }

  async deleteAxis(id: number): Promise<Axis> {
    const axis = await this.requireAxis(id);
    await this.parts.deleteAxis(id);
    await this.announceChange();
    return axis;
  }

  async createTool(machineCode: string, command: CreateToolCommand): Promise<Tool> {
    const machine = await this.get(machineCode);
    return this.parts.createTool(machine.id, newTool(command));
  }

  async updateTool(id: number, command: Partial<ToolFields>): Promise<Tool> {
    const tool = await this.requireTool(id);
    return this.parts.updateTool({ ...tool, ...toolChanges(command) });
  }

  async deleteTool(id: number): Promise<Tool> {
    const tool = await this.requireTool(id);
    await this.parts.deleteTool(id);
    return tool;
  }

  // Machine types.

  listMachineTypes(): Promise<MachineType[]> {
    return this.machineTypes.list();
  }

  async getMachineType(id: number): Promise<MachineType> {
    const type = await this.machineTypes.findById(id);
    if (!type) throw new NotFoundError('Machine type', id);
    return type;
  }

  createMachineType(command: CreateMachineTypeCommand): Promise<MachineType> {
    return this.machineTypes.create(newMachineType(command));
  }

  /** The directory holds each machine's type: every replica reloads it. */
  async updateMachineType(id: number, command: Partial<MachineTypeFields>): Promise<MachineType> {
    const type = await this.getMachineType(id);
    const saved = await this.machineTypes.save({ ...type, ...machineTypeChanges(command) });
    await this.announceChange();
    return saved;
  }

  /** Refused while machines use the type: clearing their type silently would change their access rules. */
  async deleteMachineType(id: number): Promise<MachineType> {
    const type = await this.getMachineType(id);
    const users = await this.machineTypes.deleteUnused(id);
    if (users)
      throw new ConflictError(`Machine type "${type.name}" is used by ${users} machine(s)`, { machines: users });
    return type;
  }

  // Element types (welding standards).

  listElementTypes(includeInactive = false): Promise<ElementType[]> {
    return this.elementTypes.list(includeInactive);
  }

  async getElementType(id: number): Promise<ElementType> {
    const type = await this.elementTypes.findById(id);
    if (!type) throw new NotFoundError('Element type', id);
    return type;
  }

  createElementType(command: CreateElementTypeCommand): Promise<ElementType> {
    return this.elementTypes.create(newElementType(command));
  }

  async updateElementType(id: number, command: Partial<ElementTypeFields>): Promise<ElementType> {
    const type = await this.getElementType(id);
    return this.elementTypes.save({ ...type, ...elementTypeChanges(type, command) });
  }

  /**
   * Always a soft delete (active = false): shifts in telemetry refer to element types, and
   * their figures must keep the standard they were measured against.
   */
  async deleteElementType(id: number): Promise<ElementType> {
    const type = await this.getElementType(id);
    return this.elementTypes.save({ ...type, active: false });
  }

  private withLastSeen<T extends { id: number; lastSeenAt: Date | null }>(machine: T): T {
    const lastSeenAt = this.lastSeen.seenAt(machine.id, machine.lastSeenAt);
    return lastSeenAt === machine.lastSeenAt ? machine : { ...machine, lastSeenAt };
  }

  private async assertMachineTypeExists(id: number | null | undefined): Promise<void> {
    if (id != null && !(await this.machineTypes.findById(id)))
      throw new InvalidInputError('Unknown machine type', { machineTypeId: `no machine type ${id}` });
  }

  private async requireAxis(id: number): Promise<Axis> {
    const axis = await this.parts.findAxis(id);
    if (!axis) throw new NotFoundError('Axis', id);
    return axis;
  }

  private async requireTool(id: number): Promise<Tool> {
    const tool = await this.parts.findTool(id);
    if (!tool) throw new NotFoundError('Tool', id);
    return tool;
  }

  /** This replica reloads before answering (a client may publish for the new code at once); others on the event. */
  private async announceChange(): Promise<void> {
    await this.reloadDirectory();
    await this.pubsub.publish<MachinesChangedEvent>(MACHINES_CHANGED, { origin: this.origin });
  }

  private async followChanges(events: AsyncIterable<MachinesChangedEvent>): Promise<void> {
    try {
      // Not awaited: a burst of changes shares one queued reload.
      for await (const event of events) {
        if (event.origin === this.origin) continue;
        this.reloadDirectory().catch((err) =>
          this.logger.error({ err }, 'Reloading the machine directory after a change elsewhere failed'),
        );
      }
    } catch (err) {
      this.logger.error({ err }, 'Following machine changes stopped');
    }
  }

  /**
   * Loads the directory from a query that starts after this call. Concurrent calls share
   * one load queued behind the running one: a slower, older load must not overwrite a newer one.
   */
  private reloadDirectory(): Promise<void> {
    if (this.queued) return this.queued;
    if (this.loading) {
      this.queued = this.loading
        .catch(() => undefined)
        .then(() => {
          this.queued = undefined;
          return this.reloadDirectory();
        });
      return this.queued;
    }
    this.loading = this.refs
      .loadAll()
      .then((refs) => this.directory.replace(refs))
      .finally(() => (this.loading = undefined));
    return this.loading;
  }
}
