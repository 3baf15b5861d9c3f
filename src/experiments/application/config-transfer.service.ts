import { Injectable, type OnModuleInit } from '@nestjs/common';
import { UsersService } from '../../identity/application/users.service.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import { Transactions } from '../../shared/database/transactions.js';
import { JobService, type JobContext } from '../../shared/jobs/job.service.js';
import type { Job } from '../../shared/jobs/jobs.js';
import { applyRules, withoutUndefined } from '../../shared/validation/field-rules.js';
import {
  checkedConfig,
  ConfigFileError,
  readConfigJson,
  writeConfigJson,
  type ConfigFormat,
  type ExperimentsConfig,
} from '../domain/config-transfer.js';
import {
  DEFAULT_PV_FIELDS,
  EXPERIMENT_RULES,
  PV_RULES,
  pvProblems,
  type ExperimentFields,
  type PvFields,
} from '../domain/experiments.js';
import { experimentOfPv } from '../domain/pv-name.js';
import { readRtpdb, writeRtpdb } from '../domain/rtpdb.js';
import { thresholdProblems } from '../domain/threshold-episodes.js';
import { ConfigTransferRepository, type StoredSubscription } from './config-transfer.ports.js';
import { ExperimentsRegistryService } from './experiments-registry.service.js';

export const IMPORT_CONFIG_JOB = 'experiments.importConfig';

/** Files with more lines than this are imported as a long job (JobService); smaller ones answer at once. */
export const INLINE_IMPORT_MAX_LINES = 1_000;

export interface ExportInclude {
  assignments: boolean;
  subscriptions: boolean;
}

export const IMPORT_ITEM_KINDS = ['EXPERIMENT', 'PV', 'ASSIGNMENT', 'SUBSCRIPTION'] as const;
export type ImportItemKind = (typeof IMPORT_ITEM_KINDS)[number];
export const IMPORT_CHANGES = ['CREATED', 'UPDATED', 'UNCHANGED', 'NOT_IN_FILE'] as const;
export type ImportChange = (typeof IMPORT_CHANGES)[number];

export interface ImportItem {
  kind: ImportItemKind;
  /** The experiment's or PV's name; `experiment/username`, `pv/username` for assignments and subscriptions. */
  key: string;
  /** Where the file has it (null: not in the file). */
  line: number | null;
  change: ImportChange;
  /** The fields an update changes (would change, on a dry run). */
  fields: string[];
}

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
  /** In the database but not in the file: kept (an import never deletes). */
  notInFile: number;
}

/** What an import did, or (dryRun) would do. Also the result of an import job (JSON). */
export interface ImportReport {
  dryRun: boolean;
  format: ConfigFormat;
  experiments: ImportCounts;
  pvs: ImportCounts;
  assignments: ImportCounts;
  subscriptions: ImportCounts;
  items: ImportItem[];
}

export type ImportOutcome = { report: ImportReport } | { job: Job };

interface ImportInput {
  content: string;
  format: ConfigFormat;
  dryRun: boolean;
}

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/**
 * Export and import of the experiments configuration (experiments, PVs, flags, default
 * thresholds; optionally assignments and threshold subscriptions, users named by username,
 * i.e. their e-mail) as `.rtpdb` text or JSON (domain/rtpdb.ts, domain/config-transfer.ts).
 *
 * An import matches experiments and PVs by name and updates them instead of adding copies;
 * it never deletes (what the database has and the file has not is reported NOT_IN_FILE). It
 * runs in one transaction: one bad item and nothing is stored, with an error naming its line.
 * A dry run goes through the same checks and reports what would change, storing nothing.
 * Files of more than INLINE_IMPORT_MAX_LINES lines run as a job with progress.
 *
 * Imported subscriptions are stored as they are: no message goes to the legacy alarm topic
 * (PV_ALARM_TOPIC), which announces subscriptions made by their users.
 */
@Injectable()
export class ConfigTransferService implements OnModuleInit {
  constructor(
    private readonly store: ConfigTransferRepository,
    private readonly registry: ExperimentsRegistryService,
    private readonly users: UsersService,
    private readonly transactions: Transactions,
    private readonly jobs: JobService,
  ) {}

  onModuleInit(): void {
    this.jobs.register<ImportInput, ImportReport>({
      name: IMPORT_CONFIG_JOB,
      permission: PERMISSIONS.EXPERIMENTS_WRITE,
      run: (input, job) => this.runJob(input, job),
    });
  }

  async export(format: ConfigFormat, include: ExportInclude): Promise<string> {
    const config = await this.transactions.run(() => this.current(include));
    return format === 'JSON' ? writeConfigJson(config) : writeRtpdb(config);
  }

  /** Small files inline (the report), large ones as a job (its result is the report). */
  async import(content: string, format: ConfigFormat, dryRun: boolean, user: Principal): Promise<ImportOutcome> {
    if (!content.trim()) throw new ConfigFileError(null, 'the file is empty: nothing to import');
    const lines = content.split('\n').length;
    if (lines > INLINE_IMPORT_MAX_LINES)
      return { job: await this.jobs.start(IMPORT_CONFIG_JOB, { content, format, dryRun }, user) };
    const report = await this.transactions.run(() => this.apply(content, format, dryRun, () => undefined));
    if (!dryRun) await this.announce(report);
    return { report };
  }

  private async runJob({ content, format, dryRun }: ImportInput, job: JobContext): Promise<ImportReport> {
    job.progress(0, 'reading');
    const progress = (fraction: number) => job.progress(fraction, dryRun ? 'checking' : 'importing');
    const report = dryRun
      ? await this.transactions.run(() => this.apply(content, format, true, progress))
      : await job.commit(() => this.apply(content, format, false, progress));
    if (!dryRun) await this.announce(report);
    return report;
  }

  /** Everything the export holds, read in the running transaction. */
  private async current(include: ExportInclude): Promise<ExperimentsConfig> {
    const [experiments, pvs] = await Promise.all([this.store.experiments(), this.store.pvs()]);
    const experimentNames = new Map(experiments.map((e) => [e.id, e.name]));
    const pvNames = new Map(pvs.map((pv) => [pv.id, pv.name]));
    const assignments = include.assignments ? await this.store.assignments() : [];
    const subscriptions = include.subscriptions ? await this.store.subscriptions() : [];
    const usernames = await this.usernamesOf([...assignments, ...subscriptions].map((a) => a.userId));
    return {
      experiments: experiments.map(({ name, displayName }) => ({ name, displayName })),
      pvs: pvs.map(({ id: _id, experimentId: _experimentId, ...pv }) => pv),
      // A deleted user's rows (soft-deleted users keep theirs until the cleanup) are left out.
      assignments: assignments.flatMap(({ experimentId, userId }) =>
        usernames.has(userId)
          ? [{ experimentName: experimentNames.get(experimentId)!, username: usernames.get(userId)! }]
          : [],
      ),
      subscriptions: subscriptions.flatMap((s) =>
        usernames.has(s.userId)
          ? [
              {
                pvName: pvNames.get(s.pvId)!,
                username: usernames.get(s.userId)!,
                email: s.email,
                min: s.min,
                max: s.max,
              },
            ]
          : [],
      ),
    };
  }

  private async usernamesOf(ids: string[]): Promise<Map<string, string>> {
    const usernames = new Map<string, string>();
    for (const id of new Set(ids)) {
      const user = await this.users.get(id).catch(() => null);
      if (user && !user.deletedAt) usernames.set(id, user.email);
    }
    return usernames;
  }

  /** Username (e-mail, any case) → user id; an unknown one is an error naming the line. */
  private async userIdsOf(config: ExperimentsConfig): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (const { username, line } of [...config.assignments, ...config.subscriptions]) {
      const key = username.toLowerCase();
      if (ids.has(key)) continue;
      const found = await this.users.list({ text: username }, { offset: 0, limit: 100 });
      const user = found.items.find((u) => u.email.toLowerCase() === key);
      if (!user) throw new ConfigFileError(line ?? null, `no user has the username ${username}`);
      ids.set(key, user.id);
    }
    return ids;
  }

  /**
   * Reads, checks and (unless dryRun) stores the file; runs in the caller's transaction, so
   * that an error anywhere stores nothing.
   */
  private async apply(
    content: string,
    format: ConfigFormat,
    dryRun: boolean,
    progress: (fraction: number) => void,
  ): Promise<ImportReport> {
    const config = checkedConfig(format === 'JSON' ? readConfigJson(content) : readRtpdb(content));
    const userIds = await this.userIdsOf(config);
    await this.store.lockForImport();
    const [experiments, pvs, assignments, subscriptions] = await Promise.all([
      this.store.experiments(),
      this.store.pvs(),
      this.store.assignments(),
      this.store.subscriptions(),
    ]);
    const report: ImportReport = {
      dryRun,
      format,
      experiments: counts(),
      pvs: counts(),
      assignments: counts(),
      subscriptions: counts(),
      items: [],
    };
    const record = (item: ImportItem) => {
      report.items.push(item);
      const bucket = {
        EXPERIMENT: report.experiments,
        PV: report.pvs,
        ASSIGNMENT: report.assignments,
        SUBSCRIPTION: report.subscriptions,
      }[item.kind];
      bucket[
        ({ CREATED: 'created', UPDATED: 'updated', UNCHANGED: 'unchanged', NOT_IN_FILE: 'notInFile' } as const)[
          item.change
        ]
      ]++;
    };
    const total =
      config.experiments.length + config.pvs.length + config.assignments.length + config.subscriptions.length;
    let done = 0;
    const step = () => progress(++done / Math.max(1, total));

    // Experiments. A dry run gives new ones a negative id so that their PVs can point at them.
    const experimentIds = new Map(experiments.map((e) => [e.name, e.id]));
    let planned = 0;
    for (const item of config.experiments) {
      const existing = experiments.find((e) => e.name === item.name);
      const wanted: Partial<ExperimentFields> = withoutUndefined({ displayName: item.displayName });
      const { fields, problems } = applyRules(wanted, EXPERIMENT_RULES);
      throwIfLineProblems(item.line, `experiment ${item.name}`, problems);
      if (!existing) {
        const created: ExperimentFields = { displayName: null, ...fields };
        experimentIds.set(item.name, dryRun ? --planned : await this.store.createExperiment(item.name, created));
        record({ kind: 'EXPERIMENT', key: item.name, line: item.line ?? null, change: 'CREATED', fields: [] });
      } else {
        const merged: ExperimentFields = { displayName: existing.displayName, ...fields };
        const changed = changedFields(existing, merged);
        if (changed.length && !dryRun) await this.store.updateExperiment(existing.id, merged);
        record({
          kind: 'EXPERIMENT',
          key: item.name,
          line: item.line ?? null,
          change: changed.length ? 'UPDATED' : 'UNCHANGED',
          fields: changed,
        });
      }
      step();
    }

    // PVs, each in its experiment (by the prefix of its name).
    const pvIds = new Map(pvs.map((pv) => [pv.name, pv.id]));
    const pvTypes = new Map(pvs.map((pv) => [pv.name, pv.type]));
    for (const item of config.pvs) {
      const existing = pvs.find((pv) => pv.name === item.name);
      const { name: _name, line, ...given } = item;
      const { fields, problems } = applyRules(withoutUndefined(given), PV_RULES);
      const base: PvFields = existing ?? DEFAULT_PV_FIELDS;
      const merged: PvFields = {
        displayName: base.displayName,
        unit: base.unit,
        writable: base.writable,
        type: base.type,
        thresholdMin: base.thresholdMin,
        thresholdMax: base.thresholdMax,
        setMin: base.setMin,
        setMax: base.setMax,
        ...fields,
      };
      throwIfLineProblems(line, `PV ${item.name}`, { ...problems, ...pvProblems(merged) });
      pvTypes.set(item.name, merged.type);
      if (!existing) {
        const experimentId = experimentIds.get(experimentOfPv(item.name))!;
        pvIds.set(item.name, dryRun ? --planned : await this.store.createPv(experimentId, item.name, merged));
        record({ kind: 'PV', key: item.name, line: line ?? null, change: 'CREATED', fields: [] });
      } else {
        const changed = changedFields(existing, merged);
        if (changed.length && !dryRun) await this.store.updatePv(existing.id, merged);
        record({
          kind: 'PV',
          key: item.name,
          line: line ?? null,
          change: changed.length ? 'UPDATED' : 'UNCHANGED',
          fields: changed,
        });
      }
      step();
    }

    // Assignments: added when missing (an import never unassigns).
    const assigned = new Set(assignments.map((a) => `${a.experimentId}/${a.userId}`));
    const assignmentsInFile = new Set<string>();
    for (const item of config.assignments) {
      const experimentId = experimentIds.get(item.experimentName)!;
      const userId = userIds.get(item.username.toLowerCase())!;
      const key = `${experimentId}/${userId}`;
      assignmentsInFile.add(key);
      const present = assigned.has(key);
      if (!present && !dryRun) await this.store.assign(experimentId, userId);
      record({
        kind: 'ASSIGNMENT',
        key: `${item.experimentName}/${item.username}`,
        line: item.line ?? null,
        change: present ? 'UNCHANGED' : 'CREATED',
        fields: [],
      });
      step();
    }

    // Threshold subscriptions: one per user per PV, matched by both.
    const subscriptionsInFile = new Set<number>();
    for (const item of config.subscriptions) {
      const pvId = pvIds.get(item.pvName)!;
      const userId = userIds.get(item.username.toLowerCase())!;
      const problems = thresholdProblems(item.min, item.max);
      const email = item.email.trim();
      if (!EMAIL.test(email) || email.length > 254) problems.email = 'is not an e-mail address';
      if (pvTypes.get(item.pvName) !== 'NUMBER') problems.pvName = 'is a TEXT PV: thresholds apply to NUMBER PVs only';
      throwIfLineProblems(item.line, `subscription of ${item.username} to ${item.pvName}`, problems);
      const existing = subscriptions.find((s) => s.pvId === pvId && s.userId === userId);
      const wanted = { email, min: item.min, max: item.max };
      const key = `${item.pvName}/${item.username}`;
      if (!existing) {
        if (!dryRun) await this.store.createSubscription({ userId, pvId, ...wanted });
        record({ kind: 'SUBSCRIPTION', key, line: item.line ?? null, change: 'CREATED', fields: [] });
      } else {
        subscriptionsInFile.add(existing.id);
        const changed = changedFields(existing, wanted as Partial<StoredSubscription>);
        if (changed.length && !dryRun) await this.store.updateSubscription(existing.id, wanted);
        record({
          kind: 'SUBSCRIPTION',
          key,
          line: item.line ?? null,
          change: changed.length ? 'UPDATED' : 'UNCHANGED',
          fields: changed,
        });
      }
      step();
    }

    // What the database has and the file has not: kept, and said so.
    const experimentsInFile = new Set(config.experiments.map((e) => e.name));
    for (const e of experiments)
      if (!experimentsInFile.has(e.name))
        record({ kind: 'EXPERIMENT', key: e.name, line: null, change: 'NOT_IN_FILE', fields: [] });
    const pvsInFile = new Set(config.pvs.map((pv) => pv.name));
    for (const pv of pvs)
      if (!pvsInFile.has(pv.name)) record({ kind: 'PV', key: pv.name, line: null, change: 'NOT_IN_FILE', fields: [] });
    report.assignments.notInFile = assignments.filter(
      (a) => !assignmentsInFile.has(`${a.experimentId}/${a.userId}`),
    ).length;
    report.subscriptions.notInFile = subscriptions.filter((s) => !subscriptionsInFile.has(s.id)).length;
    return report;
  }

  /**
   * Once the import committed: this replica's directory reloads (so that the caller's next
   * request sees what was imported), and the other replicas hear of it.
   */
  private async announce(report: ImportReport): Promise<void> {
    const changed = [report.experiments, report.pvs, report.assignments, report.subscriptions].some(
      (c) => c.created + c.updated > 0,
    );
    if (changed) await this.registry.announceChange();
  }
}

function counts(): ImportCounts {
  return { created: 0, updated: 0, unchanged: 0, notInFile: 0 };
}

/** The keys of `wanted` whose value differs from `current`'s, in `wanted`'s order. */
function changedFields<T extends object>(current: T, wanted: Partial<T>): string[] {
  return (Object.keys(wanted) as Array<keyof T>).filter((key) => wanted[key] !== current[key]).map(String);
}

function throwIfLineProblems(line: number | undefined, what: string, problems: Record<string, string>): void {
  const entries = Object.entries(problems);
  if (!entries.length) return;
  throw new ConfigFileError(
    line ?? null,
    `${what}: ${entries.map(([field, problem]) => `${field} ${problem}`).join('; ')}`,
  );
}
