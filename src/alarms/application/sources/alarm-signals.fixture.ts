import { PubSub } from '../../../shared/pubsub/pub-sub.js';
import { CONDITION_SPECS, type AlarmConditionData } from '../../domain/alarm-conditions.js';
import { AlarmConditionRepository, type StoredAlarmCondition } from '../alarm-conditions.ports.js';
import { AlarmConditionsService } from '../alarm-conditions.service.js';
import { AlarmSignals, type AlarmCondition, type AlarmSource } from '../alarm-signals.js';

/** A raise or clear as the lifecycle received it. */
export type Signal =
  | {
      op: 'raise';
      type: string;
      key: string;
      at: string;
      severity: string;
      message: string;
      value: number | null;
      experiment?: string | null;
    }
  | { op: 'clear'; type: string; key: string; at: string };

/** Records what the sources signal; `failing` makes the next calls throw (the database is down). */
export class RecordingAlarmSignals extends AlarmSignals {
  readonly signals: Signal[] = [];
  failing = false;

  raise(c: AlarmCondition): Promise<void> {
    if (this.failing) return Promise.reject(new Error('database down'));
    this.signals.push({
      op: 'raise',
      type: c.type,
      key: `${c.source.kind}:${c.source.key}`,
      at: c.at.toISOString(),
      severity: c.severity,
      message: c.message,
      value: c.value ?? null,
      ...(c.source.kind === 'PV' ? { experiment: c.source.experiment } : {}),
    });
    return Promise.resolve();
  }

  clear(source: Pick<AlarmSource, 'kind' | 'key'>, type: string, at: Date): Promise<void> {
    if (this.failing) return Promise.reject(new Error('database down'));
    this.signals.push({ op: 'clear', type, key: `${source.kind}:${source.key}`, at: at.toISOString() });
    return Promise.resolve();
  }
}

/** The seeded defaults' shape: every type on, with a template naming all its placeholders. */
export class MemoryAlarmConditions extends AlarmConditionRepository {
  readonly rows = new Map<string, StoredAlarmCondition>(
    Object.entries(CONDITION_SPECS).map(([type, spec]) => [
      type,
      {
        type,
        kind: spec.kind,
        enabled: true,
        severity: 'MAJOR',
        parameters: Object.fromEntries(Object.entries(spec.parameters).map(([name, p]) => [name, p.min])),
        messageTemplate: `${type} ${spec.placeholders.map((p) => `${p}={${p}}`).join(' ')}`,
        updatedAt: new Date(0),
        updatedBy: null,
      },
    ]),
  );

  all(): Promise<StoredAlarmCondition[]> {
    return Promise.resolve([...this.rows.values()].map((r) => ({ ...r, parameters: { ...r.parameters } })));
  }

  update(c: AlarmConditionData, byUserId: string): Promise<StoredAlarmCondition | null> {
    if (!this.rows.has(c.type)) return Promise.resolve(null);
    const row = { ...c, updatedAt: new Date(), updatedBy: byUserId };
    this.rows.set(c.type, row);
    return Promise.resolve(row);
  }
}

/** Conditions over the memory rows, signalling to a recorder; nothing is published. */
export async function recordingConditions(): Promise<{
  conditions: AlarmConditionsService;
  signals: RecordingAlarmSignals;
  rows: MemoryAlarmConditions;
}> {
  const signals = new RecordingAlarmSignals();
  const rows = new MemoryAlarmConditions();
  const pubsub = { publish: () => Promise.resolve() } as unknown as PubSub;
  const conditions = new AlarmConditionsService(rows, signals, pubsub);
  await conditions.ready();
  return { conditions, signals, rows };
}
