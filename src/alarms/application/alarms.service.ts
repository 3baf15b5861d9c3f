import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { UsersService } from '../../identity/application/users.service.js';
import { Transactions } from '../../shared/database/transactions.js';
import { InvalidInputError, NotFoundError, ConflictError } from '../../shared/errors/domain-errors.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import {
  ALARM_SEVERITIES,
  ALARM_SOURCE_KINDS,
  ALARM_STATES,
  type AlarmSeverity,
  type AlarmState,
  type AlarmTransitionKind,
} from '../domain/alarm.js';
import { alarmHealth, type AlarmHealth } from '../domain/alarm-health.js';
import { acknowledgedState, checkShelve, checkUnshelve, optionalNote, requireOpen } from '../domain/alarm-lifecycle.js';
import { AlarmSignals, AlarmTransitionHooks, type AlarmCondition } from './alarm-signals.js';
import {
  AfterCommit,
  AlarmRepository,
  type AlarmChanges,
  type AlarmFilter,
  type OutOfServiceSource,
  type SourceRef,
  type StoredAlarm,
  type StoredTransition,
} from './alarms.ports.js';

/** Published after a transition committed. */
export const ALARM_CHANGED = 'alarms.alarmChanged';

export interface AlarmChangedEvent {
  alarm: StoredAlarm;
  transition: StoredTransition;
  /** The display name of the user who made the transition (null for the service). */
  byUserName: string | null;
}

export interface AlarmSummary {
  open: number;
  suppressed: number;
  byState: Array<{ state: AlarmState; count: number }>;
  bySeverity: Array<{ severity: AlarmSeverity; count: number }>;
}

export interface SourceServiceState {
  kind: SourceRef['kind'];
  key: string;
  outOfService: boolean;
  since: Date | null;
  byUserId: string | null;
  note: string | null;
  /** Open alarms of the source whose suppression changed. */
  alarmsAffected: number;
}

type Page = { offset: number; limit: number };

/** How often every replica looks for shelves that ran out. */
const SHELF_CHECK_MS = 1_000;
/** The health figures' longest window: a year of transitions is what one query may read. */
const MAX_HEALTH_WINDOW_MS = 366 * 86_400_000;

/**
 * The alarm lifecycle (ISA-18.2, domain/alarm-lifecycle.ts). Every transition is one
 * transaction (joined when the caller is in one: a source may raise inside its own) that
 * writes the alarm, its alarm_transitions row and whatever the notification rules enqueue
 * (AlarmTransitionHooks); alarmChanged goes out once it committed. Raise and clear are
 * single statements, so that replicas raising the same condition at once make one alarm.
 * Shelves run out on a timer on every replica: an atomic UPDATE hands each to one replica.
 */
@Injectable()
export class AlarmsService extends AlarmSignals implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AlarmsService.name);
  private shelfTimer?: NodeJS.Timeout;
  private shelfCheck?: Promise<void>;

  constructor(
    private readonly alarms: AlarmRepository,
    private readonly transactions: Transactions,
    private readonly hooks: AlarmTransitionHooks,
    private readonly afterCommit: AfterCommit,
    private readonly pubsub: PubSub,
    private readonly users: UsersService,
  ) {
    super();
  }

  onModuleInit(): void {
    this.shelfTimer = setInterval(() => {
      this.shelfCheck ??= this.runOutShelves().finally(() => (this.shelfCheck = undefined));
    }, SHELF_CHECK_MS);
    this.shelfTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.shelfTimer);
    await this.shelfCheck;
  }

  async raise(condition: AlarmCondition): Promise<void> {
    checkCondition(condition);
    await this.transactions.run(async () => {
      const raised = await this.alarms.raise(condition);
      if (raised) await this.record(raised.alarm, raised.kind, condition.at, null, null);
    });
  }

  async clear(source: SourceRef, type: string, at: Date, message?: string): Promise<void> {
    await this.transactions.run(async () => {
      const cleared = await this.alarms.clear(source, type, at);
      if (cleared) await this.record(cleared.alarm, cleared.kind, at, null, message?.trim() || null);
    });
  }

  acknowledge(id: number, byUserId: string, note?: string | null): Promise<StoredAlarm> {
    const text = optionalNote(note);
    return this.transition(id, 'ACKNOWLEDGED', byUserId, text, (alarm) => ({ state: acknowledgedState(alarm.state) }));
  }

  async assign(id: number, assigneeId: string | null, byUserId: string): Promise<StoredAlarm> {
    const assignee = assigneeId ? await this.users.get(assigneeId) : null;
    const note = assignee ? `to ${assignee.displayName}` : 'unassigned';
    return this.transition(id, 'ASSIGNED', byUserId, note, (alarm) => {
      requireOpen(alarm.state, 'assigned');
      return { assigneeId };
    });
  }

  shelve(id: number, until: Date, note: string, byUserId: string): Promise<StoredAlarm> {
    let reason = '';
    return this.transition(
      id,
      'SHELVED',
      byUserId,
      () => reason,
      (alarm) => {
        reason = checkShelve(alarm, until, note, new Date());
        return { suppression: 'SHELVED', shelvedUntil: until, shelvedBy: byUserId, shelveNote: reason };
      },
    );
  }

  unshelve(id: number, byUserId: string, note?: string | null): Promise<StoredAlarm> {
    const text = optionalNote(note);
    return this.transition(id, 'UNSHELVED', byUserId, text, (alarm) => {
      checkUnshelve(alarm);
      return UNSHELVED;
    });
  }

  /**
   * A source out of service: its open alarms are suppressed (a shelf gives way), and so are
   * the alarms it raises meanwhile, which are still recorded. Back in service, they are not.
   */
  async setOutOfService(
    source: SourceRef,
    outOfService: boolean,
    note: string | null | undefined,
    byUserId: string,
  ): Promise<SourceServiceState> {
    if (!ALARM_SOURCE_KINDS.includes(source.kind) || !source.key.trim() || source.key.length > 200)
      throw new InvalidInputError('Unknown alarm source', { key: 'must be 1 to 200 characters' });
    const text = optionalNote(note);
    return this.transactions.run(async () => {
      const changed = outOfService
        ? await this.alarms.putOutOfService(source, byUserId, text)
        : await this.alarms.putInService(source);
      if (!changed)
        throw new ConflictError(`The source is ${outOfService ? 'out of' : 'in'} service already`, { ...source });
      const now = new Date();
      let affected = 0;
      for (const alarm of await this.alarms.lockOpenOf(source)) {
        if (!outOfService && alarm.suppression !== 'OUT_OF_SERVICE') continue;
        const changes: AlarmChanges = outOfService ? { ...UNSHELVED, suppression: 'OUT_OF_SERVICE' } : UNSHELVED;
        const updated = await this.alarms.update(alarm.id, changes, now);
        await this.record(updated, outOfService ? 'OUT_OF_SERVICE' : 'IN_SERVICE', now, byUserId, text);
        affected++;
      }
      const state: OutOfServiceSource | null = outOfService ? await this.alarms.outOfService(source) : null;
      return {
        kind: source.kind,
        key: source.key,
        outOfService,
        since: state?.since ?? null,
        byUserId: state?.byUserId ?? null,
        note: state?.note ?? text,
        alarmsAffected: affected,
      };
    });
  }

  async get(id: number): Promise<StoredAlarm> {
    const alarm = await this.alarms.find(id);
    if (!alarm) throw new NotFoundError('Alarm', id);
    return alarm;
  }

  list(filter: AlarmFilter, page: Page): Promise<PageResult<StoredAlarm>> {
    checkWindow(filter.from, filter.to, false);
    return this.alarms.list(filter, page);
  }

  async history(alarmId: number, page: Page): Promise<PageResult<StoredTransition>> {
    await this.get(alarmId);
    return this.alarms.history(alarmId, page);
  }

  /** Display names of the users a page of records points at. */
  userNames(ids: ReadonlyArray<string | null>): Promise<Map<string, string>> {
    return this.users.displayNames(ids.filter((id): id is string => id !== null));
  }

  async summary(): Promise<AlarmSummary> {
    const counts = await this.alarms.openCounts();
    const byState = ALARM_STATES.filter((s) => s !== 'NORMAL').map((state) => ({
      state,
      count: counts.byState.get(state) ?? 0,
    }));
    return {
      open: byState.reduce((sum, s) => sum + s.count, 0),
      suppressed: counts.suppressed,
      byState,
      bySeverity: ALARM_SEVERITIES.map((severity) => ({ severity, count: counts.bySeverity.get(severity) ?? 0 })),
    };
  }

  async health(from: Date, to: Date): Promise<AlarmHealth> {
    checkWindow(from, to, true);
    return alarmHealth(await this.alarms.healthTransitions(from, to), from, to);
  }

  /** Changes as they commit, matching the filter (the list's, without the time window). */
  async *changes(filter: AlarmFilter): AsyncGenerator<AlarmChangedEvent> {
    const events = this.pubsub.subscribe<AlarmChangedEvent>(ALARM_CHANGED);
    try {
      for await (const event of events) {
        const revived = revive(event);
        if (matches(filter, revived.alarm)) yield revived;
      }
    } finally {
      await events.return?.();
    }
  }

  /** Every replica's timer: the atomic UPDATE hands each alarm whose shelf ran out to one of them. */
  private async runOutShelves(): Promise<void> {
    try {
      await this.transactions.run(async () => {
        for (const alarm of await this.alarms.takeRunOutShelves(new Date()))
          await this.record(alarm, 'UNSHELVED', alarm.lastChangedAt, null, 'the shelf ran out');
      });
    } catch (err) {
      this.logger.warn({ err }, 'Un-shelving alarms whose shelf ran out failed; trying again');
    }
  }

  private transition(
    id: number,
    kind: AlarmTransitionKind,
    byUserId: string,
    note: string | null | (() => string | null),
    change: (alarm: StoredAlarm) => AlarmChanges,
  ): Promise<StoredAlarm> {
    return this.transactions.run(async () => {
      const alarm = await this.alarms.lock(id);
      if (!alarm) throw new NotFoundError('Alarm', id);
      const at = new Date();
      const updated = await this.alarms.update(id, change(alarm), at);
      await this.record(updated, kind, at, byUserId, typeof note === 'function' ? note() : note);
      return updated;
    });
  }

  private async record(
    alarm: StoredAlarm,
    kind: AlarmTransitionKind,
    at: Date,
    byUserId: string | null,
    note: string | null,
  ): Promise<void> {
    const transition = await this.alarms.addTransition(alarm, { kind, at, byUserId, note });
    await this.hooks.withinTransaction(alarm, transition);
    this.afterCommit.run(() => void this.publish(alarm, transition));
  }

  /** Once per event, not per subscriber: the name of who did it goes with it. */
  private async publish(alarm: StoredAlarm, transition: StoredTransition): Promise<void> {
    try {
      const byUserName = transition.byUserId
        ? ((await this.users.displayNames([transition.byUserId])).get(transition.byUserId) ?? null)
        : null;
      await this.pubsub.publish<AlarmChangedEvent>(ALARM_CHANGED, { alarm, transition, byUserName });
    } catch (err) {
      this.logger.warn({ err, alarmId: alarm.id }, 'alarmChanged was not published');
    }
  }
}

const UNSHELVED: AlarmChanges = { suppression: null, shelvedUntil: null, shelvedBy: null, shelveNote: null };

/** Sources are code, but a wrong condition must fail loudly at the source, not as a database error. */
function checkCondition(c: AlarmCondition): void {
  const problems: Record<string, string> = {};
  if (!ALARM_SOURCE_KINDS.includes(c.source.kind)) problems['source.kind'] = 'is not an alarm source kind';
  if (!c.source.key || c.source.key.length > 200) problems['source.key'] = 'must be 1 to 200 characters';
  if (!c.source.name || c.source.name.length > 200) problems['source.name'] = 'must be 1 to 200 characters';
  if ((c.source.experiment?.length ?? 0) > 200) problems['source.experiment'] = 'must be at most 200 characters';
  if (!c.type || c.type.length > 100) problems.type = 'must be 1 to 100 characters';
  if (!ALARM_SEVERITIES.includes(c.severity)) problems.severity = 'is not a severity';
  if (!c.message) problems.message = 'is required';
  if (!(c.at instanceof Date) || Number.isNaN(c.at.getTime())) problems.at = 'must be a time';
  if (c.value !== undefined && c.value !== null && !Number.isFinite(c.value)) problems.value = 'must be finite';
  if (Object.keys(problems).length) throw new InvalidInputError('Not an alarm condition', problems);
}

function checkWindow(from: Date | null | undefined, to: Date | null | undefined, required: boolean): void {
  if (!from || !to) {
    if (required) throw new InvalidInputError('A window is required', { from: 'is required', to: 'is required' });
    return;
  }
  if (from >= to) throw new InvalidInputError('The window ends before it starts', { to: 'must be after from' });
  if (required && to.getTime() - from.getTime() > MAX_HEALTH_WINDOW_MS)
    throw new InvalidInputError('The window is too long', { to: 'must be at most 366 days after from' });
}

function matches(filter: AlarmFilter, alarm: StoredAlarm): boolean {
  const among = <T>(list: readonly T[] | null | undefined, value: T) => !list?.length || list.includes(value);
  return (
    among(filter.states, alarm.state) &&
    among(filter.severities, alarm.severity) &&
    among(filter.sourceKinds, alarm.source.kind) &&
    among(filter.sourceKeys, alarm.source.key) &&
    among(filter.types, alarm.type) &&
    (filter.suppressed === undefined ||
      filter.suppressed === null ||
      filter.suppressed === (alarm.suppression !== null))
  );
}

/** Events through Redis arrive as JSON: times are strings again. */
function revive({ alarm, transition, byUserName }: AlarmChangedEvent): AlarmChangedEvent {
  const date = (d: Date | string | null) => (d === null ? null : new Date(d));
  return {
    alarm: {
      ...alarm,
      shelvedUntil: date(alarm.shelvedUntil),
      firstRaisedAt: date(alarm.firstRaisedAt)!,
      lastRaisedAt: date(alarm.lastRaisedAt)!,
      lastChangedAt: date(alarm.lastChangedAt)!,
      closedAt: date(alarm.closedAt),
    },
    transition: { ...transition, at: date(transition.at)! },
    byUserName,
  };
}
