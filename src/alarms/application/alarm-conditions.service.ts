import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { NotFoundError } from '../../shared/errors/domain-errors.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import { ReplicatedState } from '../../shared/pubsub/replicated-state.js';
import {
  changedCondition,
  renderMessage,
  type AlarmConditionChange,
  type AlarmConditionData,
} from '../domain/alarm-conditions.js';
import { AlarmConditionRepository, type StoredAlarmCondition } from './alarm-conditions.ports.js';
import { AlarmSignals, type AlarmSource } from './alarm-signals.js';

/** Published after a condition changed, so that every replica's sources use the new one. */
export const ALARM_CONDITIONS_CHANGED = 'alarms.conditions-changed';

/** What a source knows about one occurrence: fills the message template. */
export interface ConditionFacts {
  /** The value that raised it (also the alarm's peak candidate). */
  value?: number | null;
  [placeholder: string]: string | number | null | undefined;
}

/**
 * The alarm conditions (thresholds and messages as data), kept in memory for the sources,
 * which call `raise` / `clear` here rather than AlarmSignals directly: a disabled condition
 * raises nothing (clearing always goes through, so turning one off never strands an alarm),
 * and severity and message come from the condition.
 */
@Injectable()
export class AlarmConditionsService implements OnModuleInit, OnModuleDestroy {
  private readonly conditions: ReplicatedState<Map<string, StoredAlarmCondition>>;

  constructor(
    private readonly repository: AlarmConditionRepository,
    private readonly signals: AlarmSignals,
    pubsub: PubSub,
  ) {
    this.conditions = new ReplicatedState(
      pubsub,
      ALARM_CONDITIONS_CHANGED,
      async () => new Map((await repository.all()).map((c) => [c.type, c])),
      new Map(),
      new Logger(AlarmConditionsService.name),
      'the alarm conditions',
    );
  }

  onModuleInit(): Promise<void> {
    return this.conditions.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.conditions.stop();
  }

  /** Resolves once the conditions are in memory (the first load). */
  ready(): Promise<void> {
    return this.conditions.ready();
  }

  list(): StoredAlarmCondition[] {
    return [...this.conditions.value.values()];
  }

  /** The condition of a type; unknown types (none seeded) read as disabled. */
  condition(type: string): StoredAlarmCondition | undefined {
    return this.conditions.value.get(type);
  }

  /** A numeric parameter of the condition, or `fallback` when the row lacks it. */
  parameter(type: string, name: string, fallback: number): number {
    const value = this.conditions.value.get(type)?.parameters[name];
    return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
  }

  async update(type: string, change: AlarmConditionChange, byUserId: string): Promise<StoredAlarmCondition> {
    await this.ready();
    const current = this.conditions.value.get(type);
    if (!current) throw new NotFoundError('Alarm condition', type);
    const saved = await this.repository.update(changedCondition(current, change), byUserId);
    if (!saved) throw new NotFoundError('Alarm condition', type);
    await this.conditions.changed();
    return saved;
  }

  /** The condition holds for `source` since `at`: raises (or re-raises) its alarm unless the condition is off. */
  async raise(type: string, source: AlarmSource, at: Date, facts: ConditionFacts = {}): Promise<void> {
    const condition = this.conditions.value.get(type);
    if (!condition?.enabled) return;
    await this.signals.raise({
      source,
      type,
      severity: condition.severity,
      message: messageOf(condition, source, facts),
      value: facts.value ?? null,
      at,
    });
  }

  /** The condition ended at `at`: its open alarm on `source`, if any, returns to normal. */
  clear(type: string, source: Pick<AlarmSource, 'kind' | 'key'>, at: Date, message?: string): Promise<void> {
    return this.signals.clear(source, type, at, message);
  }
}

function messageOf(condition: AlarmConditionData, source: AlarmSource, facts: ConditionFacts): string {
  return renderMessage(condition.messageTemplate, { experiment: source.experiment, ...facts, source: source.name });
}
