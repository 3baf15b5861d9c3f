import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { USER_CHANGED, UsersService, type UserChangedEvent } from '../../identity/application/users.service.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import { Transactions } from '../../shared/database/transactions.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../shared/errors/domain-errors.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import { UnregisteredSources } from '../../shared/ingestion/unregistered-sources.service.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import { applyRules, throwIfProblems, withoutUndefined } from '../../shared/validation/field-rules.js';
import {
  DEFAULT_PV_FIELDS,
  EXPERIMENT_NAME_FIELD,
  EXPERIMENT_RULES,
  PV_NAME_FIELD,
  PV_RULES,
  pvProblems,
  type Experiment,
  type ExperimentFields,
  type Pv,
  type PvFields,
  type PvRef,
} from '../domain/experiments.js';
import { experimentOfPv } from '../domain/pv-name.js';
import {
  AssignmentRepository,
  ExperimentRepository,
  PvRepository,
  PvSetRepository,
  type Assignment,
  type PvFilter,
} from './experiments.ports.js';

/** Published after every change of experiments, PVs or assignments, so that every replica reloads its directory. */
export const EXPERIMENTS_CHANGED = 'experiments.changed';

/**
 * Who looks: an experiments administrator (experiments:write) sees every experiment; anyone
 * else only the experiments they are assigned to. Everything else is NOT_FOUND, exactly as
 * for an experiment that does not exist, so that nobody learns what they may not see.
 */
export interface Viewer {
  userId: string;
  administers: boolean;
}

export function viewerOf(principal: Principal): Viewer {
  return { userId: principal.id, administers: principal.permissions.has(PERMISSIONS.EXPERIMENTS_WRITE) };
}

/** What other parts of the context hold per PV (values): counted for the deletion report, deleted in its transaction. */
export interface PvDeletionParticipant {
  what: string;
  count(pvIds: readonly number[]): Promise<number>;
  delete(pvIds: readonly number[]): Promise<void>;
}

export interface DeletionReport {
  deleted: string;
  removed: { what: string; count: number }[];
}

export interface AssignedUser extends Assignment {
  displayName: string;
}

export type CreatePvCommand = Partial<PvFields>;
type Page = { offset: number; limit: number };

/**
 * The experiments registry: experiments, PVs, assignments. Keeps the in-memory directory
 * (PV name → PV, experiment → assigned users) that the ingestion path resolves
 * `plant/pv/…` with and that every access check reads, current on every replica; listeners
 * hear of each reload (live streams end when their user lost the experiment).
 */
@Injectable()
export class ExperimentsRegistryService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ExperimentsRegistryService.name);
  private experimentsByName = new Map<string, Experiment>();
  private experimentsById = new Map<number, Experiment>();
  private pvsByName = new Map<string, PvRef>();
  private pvsById = new Map<number, PvRef>();
  private assigned = new Map<number, Set<string>>();
  private readonly participants: PvDeletionParticipant[] = [];
  private readonly reloadListeners: Array<() => void> = [];
  private readonly origin = randomUUID();
  private changes?: AsyncIterableIterator<{ origin: string }>;
  private userChanges?: AsyncIterableIterator<UserChangedEvent>;
  private loading: Promise<void> = Promise.resolve();

  constructor(
    private readonly experiments: ExperimentRepository,
    private readonly pvs: PvRepository,
    private readonly assignments: AssignmentRepository,
    private readonly sets: PvSetRepository,
    private readonly users: UsersService,
    private readonly transactions: Transactions,
    private readonly pubsub: PubSub,
    private readonly unregistered: UnregisteredSources,
  ) {}

  async onModuleInit(): Promise<void> {
    this.changes = this.pubsub.subscribe<{ origin: string }>(EXPERIMENTS_CHANGED);
    void this.followChanges(this.changes);
    this.userChanges = this.pubsub.subscribe<UserChangedEvent>(USER_CHANGED);
    void this.followUserChanges(this.userChanges);
    await this.reload();
  }

  async onModuleDestroy(): Promise<void> {
    await this.changes?.return?.();
    await this.userChanges?.return?.();
  }

  registerDeletionParticipant(participant: PvDeletionParticipant): void {
    this.participants.push(participant);
  }

  /** Called after every reload of the directory (on this replica). */
  onReload(listener: () => void): void {
    this.reloadListeners.push(listener);
  }

  // The hot path and the access checks: from memory.

  findPvByName(name: string): PvRef | undefined {
    return this.pvsByName.get(name);
  }

  findPvById(id: number): PvRef | undefined {
    return this.pvsById.get(id);
  }

  allPvs(): PvRef[] {
    return [...this.pvsById.values()];
  }

  maySee(viewer: Viewer, experimentId: number): boolean {
    if (!this.experimentsById.has(experimentId)) return false;
    return viewer.administers || (this.assigned.get(experimentId)?.has(viewer.userId) ?? false);
  }

  /** The experiment, if the viewer may see it; NOT_FOUND otherwise, whether or not it exists. */
  visibleExperiment(viewer: Viewer, name: string): Experiment {
    const experiment = this.experimentsByName.get(name);
    if (!experiment || !this.maySee(viewer, experiment.id)) throw new NotFoundError('Experiment', name);
    return experiment;
  }

  /** The PV, if the viewer may see its experiment; NOT_FOUND otherwise. */
  visiblePv(viewer: Viewer, name: string): PvRef {
    const pv = this.pvsByName.get(name);
    if (!pv || !this.maySee(viewer, pv.experimentId)) throw new NotFoundError('PV', name);
    return pv;
  }

  /** Several PVs of a list argument; the first the viewer may not see is NOT_FOUND. */
  visiblePvs(viewer: Viewer, names: readonly string[]): PvRef[] {
    return [...new Set(names)].map((name) => this.visiblePv(viewer, name));
  }

  // Experiments.

  listExperiments(viewer: Viewer, text: string | undefined, page: Page): Promise<PageResult<Experiment>> {
    return this.experiments.list({ ids: this.visibleIds(viewer), text }, page);
  }

  async createExperiment(name: string, fields: Partial<ExperimentFields>): Promise<Experiment> {
    const { fields: checked, problems } = applyRules(withoutUndefined(fields), EXPERIMENT_RULES);
    const nameOutcome = EXPERIMENT_NAME_FIELD(name);
    if ('problem' in nameOutcome) problems.name = nameOutcome.problem;
    throwIfProblems('experiment', problems);
    const created = await this.experiments.create(name, { displayName: null, ...checked });
    await this.announceChange();
    return created;
  }

  async updateExperiment(name: string, changes: Partial<ExperimentFields>): Promise<Experiment> {
    const experiment = this.requireExperiment(name);
    const { fields, problems } = applyRules(withoutUndefined(changes), EXPERIMENT_RULES);
    throwIfProblems('experiment', problems);
    const updated = await this.experiments.update(experiment.id, fields);
    await this.announceChange();
    return updated;
  }

  async deleteExperiment(name: string): Promise<DeletionReport> {
    const experiment = this.requireExperiment(name);
    const pvIds = this.allPvs()
      .filter((pv) => pv.experimentId === experiment.id)
      .map((pv) => pv.id);
    const assignments = this.assigned.get(experiment.id)?.size ?? 0;
    const removed = await this.transactions.run(async () => {
      const report = await this.deletePvData(pvIds);
      await this.experiments.delete(experiment.id);
      return report;
    });
    await this.announceChange();
    return {
      deleted: `experiment ${experiment.name}`,
      removed: [{ what: 'pvs', count: pvIds.length }, { what: 'assignments', count: assignments }, ...removed],
    };
  }

  // Assignments.

  async assignUser(experimentName: string, userId: string): Promise<Experiment> {
    const experiment = this.requireExperiment(experimentName);
    await this.users.get(userId);
    await this.assignments.assign(experiment.id, userId);
    await this.announceChange();
    return experiment;
  }

  /** The user's live streams of the experiment end (NOT_FOUND) on every replica once the change is announced. */
  async unassignUser(experimentName: string, userId: string): Promise<Experiment> {
    const experiment = this.requireExperiment(experimentName);
    await this.assignments.unassign(experiment.id, userId);
    await this.announceChange();
    return experiment;
  }

  async assignedUsers(experimentName: string, page: Page): Promise<PageResult<AssignedUser>> {
    const experiment = this.requireExperiment(experimentName);
    const result = await this.assignments.list(experiment.id, page);
    const names = await this.users.displayNames(result.items.map((a) => a.userId));
    return {
      ...result,
      items: result.items.map((a) => ({ ...a, displayName: names.get(a.userId) ?? '' })),
    };
  }

  // PVs.

  async listPvs(
    viewer: Viewer,
    filter: Omit<PvFilter, 'experimentIds'> & { experimentName?: string },
    page: Page,
  ): Promise<PageResult<PvRef>> {
    const { experimentName, ...rest } = filter;
    const experimentIds = experimentName
      ? [this.visibleExperiment(viewer, experimentName).id]
      : this.visibleIds(viewer);
    const result = await this.pvs.list({ ...rest, experimentIds }, page);
    return { ...result, items: result.items.map((pv) => this.withExperimentName(pv)) };
  }

  /** Creates the PV, and its experiment (named by the PV's prefix) when there is none yet. */
  async createPv(name: string, command: CreatePvCommand): Promise<PvRef> {
    const { fields, problems } = applyRules(withoutUndefined(command), PV_RULES);
    const nameOutcome = PV_NAME_FIELD(name);
    if ('problem' in nameOutcome) problems.name = nameOutcome.problem;
    const pv: PvFields = { ...DEFAULT_PV_FIELDS, ...fields };
    throwIfProblems('PV', { ...problems, ...pvProblems(pv) });
    const experiment = await this.experimentFor(name);
    const created = await this.pvs.create(experiment.id, name, pv);
    await this.announceChange();
    return this.withExperimentName(created);
  }

  /**
   * Creates the PV an unregistered topic names (its name from the topic), and clears the
   * topic from the list. A PV created meanwhile is kept as it is.
   */
  async registerUnregisteredPv(topic: string, command: CreatePvCommand): Promise<PvRef> {
    const source = await this.unregistered.find(topic, null);
    if (!source) throw new NotFoundError('Unregistered source', topic);
    if (source.kind !== 'pv')
      throw new InvalidInputError(`${topic} is not a PV's topic`, { topic: `a ${source.kind} topic` });
    const pv = this.pvsByName.get(source.sourceKey) ?? (await this.createPv(source.sourceKey, command));
    await this.unregistered.forget('pv', source.sourceKey);
    return pv;
  }

  async updatePv(name: string, changes: Partial<PvFields>): Promise<PvRef> {
    const pv = this.requirePv(name);
    const { fields, problems } = applyRules(withoutUndefined(changes), PV_RULES);
    throwIfProblems('PV', { ...problems, ...pvProblems({ ...pv, ...fields }) });
    const updated = await this.pvs.update(pv.id, fields);
    await this.announceChange();
    return this.withExperimentName(updated);
  }

  async deletePv(name: string): Promise<DeletionReport> {
    const pv = this.requirePv(name);
    const removed = await this.transactions.run(async () => {
      const report = await this.deletePvData([pv.id]);
      await this.pvs.delete(pv.id);
      return report;
    });
    await this.announceChange();
    return { deleted: `PV ${pv.name}`, removed };
  }

  /** For administrators' operations: an unknown name is NOT_FOUND. */
  private requireExperiment(name: string): Experiment {
    const experiment = this.experimentsByName.get(name);
    if (!experiment) throw new NotFoundError('Experiment', name);
    return experiment;
  }

  private requirePv(name: string): PvRef {
    const pv = this.pvsByName.get(name);
    if (!pv) throw new NotFoundError('PV', name);
    return pv;
  }

  /** The ids of the experiments the viewer may see; undefined for every one (an administrator). */
  visibleIds(viewer: Viewer): number[] | undefined {
    if (viewer.administers) return undefined;
    return [...this.assigned].filter(([, users]) => users.has(viewer.userId)).map(([id]) => id);
  }

  private withExperimentName(pv: Pv): PvRef {
    return { ...pv, experimentName: this.experimentsById.get(pv.experimentId)?.name ?? experimentOfPv(pv.name) };
  }

  private async experimentFor(pvName: string): Promise<Experiment> {
    const name = experimentOfPv(pvName);
    const known = this.experimentsByName.get(name);
    if (known) return known;
    try {
      return await this.experiments.create(name, { displayName: null });
    } catch (error) {
      // Created meanwhile (another request, another replica): use that one.
      if (!(error instanceof ConflictError)) throw error;
      await this.reload();
      return this.requireExperiment(name);
    }
  }

  private async deletePvData(pvIds: readonly number[]): Promise<{ what: string; count: number }[]> {
    const counts: { what: string; count: number }[] = [];
    for (const { what, count } of this.participants)
      counts.push({ what, count: pvIds.length ? await count(pvIds) : 0 });
    counts.push({ what: 'sets', count: pvIds.length ? await this.sets.countOf(pvIds) : 0 });
    if (pvIds.length) for (const participant of this.participants) await participant.delete(pvIds);
    return counts;
  }

  /**
   * After a change of experiments, PVs or assignments (here, or stored by an import): this
   * replica reloads before answering (a device may publish for a new PV at once, the caller's
   * next request must see it); the others on the event.
   */
  async announceChange(): Promise<void> {
    await this.reload();
    await this.pubsub.publish(EXPERIMENTS_CHANGED, { origin: this.origin });
  }

  /** Reloads run one after another, so that the last one started leaves the newest directory. */
  private reload(): Promise<void> {
    const next = this.loading.catch(() => undefined).then(() => this.load());
    this.loading = next;
    return next;
  }

  private async load(): Promise<void> {
    const [experiments, pvs, assignments] = await Promise.all([
      this.experiments.loadAll(),
      this.pvs.loadRefs(),
      this.assignments.loadAll(),
    ]);
    this.experimentsByName = new Map(experiments.map((e) => [e.name, e]));
    this.experimentsById = new Map(experiments.map((e) => [e.id, e]));
    this.pvsByName = new Map(pvs.map((pv) => [pv.name, pv]));
    this.pvsById = new Map(pvs.map((pv) => [pv.id, pv]));
    const assigned = new Map<number, Set<string>>();
    for (const { experimentId, userId } of assignments) {
      let users = assigned.get(experimentId);
      if (!users) assigned.set(experimentId, (users = new Set()));
      users.add(userId);
    }
    this.assigned = assigned;
    for (const listener of this.reloadListeners) listener();
  }

  /**
   * A deleted user's assignments go (users are soft-deleted: no foreign key cascades). Every
   * replica hears the event and deletes: idempotent.
   */
  private async followUserChanges(changes: AsyncIterableIterator<UserChangedEvent>): Promise<void> {
    try {
      for await (const { kind, user } of changes)
        if (kind === 'DELETED')
          await this.assignments
            .removeUser(user.id)
            .then((removed) => (removed ? this.announceChange() : undefined))
            .catch((err) => this.logger.error({ err }, "Removing a deleted user's assignments failed"));
    } catch (err) {
      this.logger.error({ err }, 'Following user changes stopped');
    }
  }

  private async followChanges(changes: AsyncIterableIterator<{ origin: string }>): Promise<void> {
    try {
      for await (const change of changes)
        if (change.origin !== this.origin)
          await this.reload().catch((err) => this.logger.error({ err }, 'Reloading the experiments directory failed'));
    } catch (err) {
      this.logger.error({ err }, 'Following experiment changes stopped');
    }
  }
}
