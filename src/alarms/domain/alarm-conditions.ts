import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { ALARM_SEVERITIES, type AlarmSeverity, type AlarmSourceKind } from './alarm.js';

/**
 * Alarm conditions as data: for each alarm type the sources raise, whether it is on, its
 * severity, its numeric parameters (a rate threshold, a delay) and the message template.
 * The rows are seeded by the AlarmConditions migration; operators change them
 * (updateAlarmCondition). Which parameters a type has, and their bounds, is fixed here: a
 * source reads them by name, so an unknown or out-of-range one is refused at the edge.
 */

export interface ParameterSpec {
  description: string;
  min: number;
  max: number;
  integer: boolean;
}

export interface ConditionSpec {
  kind: AlarmSourceKind;
  description: string;
  /** Placeholders its source fills in ({source} always). */
  placeholders: readonly string[];
  parameters: Readonly<Record<string, ParameterSpec>>;
}

/** Every alarm type a source raises, with what it can be tuned by. */
export const CONDITION_SPECS: Readonly<Record<string, ConditionSpec>> = {
  OUT_OF_STANDARD: {
    kind: 'MACHINE',
    description: 'A welding machine reads outside the standard band of its active shift (an out-of-standard episode).',
    placeholders: ['source', 'value'],
    parameters: {},
  },
  ANOMALY_WARNING: {
    kind: 'SENSOR',
    description: "A gas sensor's anomaly level is WARNING or above; cleared when it drops back to OK.",
    placeholders: ['source', 'value', 'percent'],
    parameters: {},
  },
  ANOMALY_CRITICAL: {
    kind: 'SENSOR',
    description: "A gas sensor's anomaly level is CRITICAL; cleared when it drops below.",
    placeholders: ['source', 'value', 'percent'],
    parameters: {},
  },
  LEAK_CONFIRMED: {
    kind: 'SENSOR',
    description:
      "An investigation confirmed a leak at a sensor's CRITICAL reading; cleared when the sensor is back to OK.",
    placeholders: ['source', 'detail'],
    parameters: {},
  },
  PV_OUT_OF_BAND: {
    kind: 'PV',
    description: 'A PV is outside the band of a threshold subscription (an episode is open); cleared when none is.',
    placeholders: ['source', 'value', 'experiment', 'detail'],
    parameters: {},
  },
  MAINTENANCE_OVERDUE: {
    kind: 'MACHINE',
    description: 'A maintenance plan of an RFID machine is overdue; cleared by the intervention.',
    placeholders: ['source', 'detail'],
    parameters: {},
  },
  BOARD_OFFLINE: {
    kind: 'BOARD',
    description: "An RFID board that was seen has been silent for a while; cleared by the board's next message.",
    placeholders: ['source', 'detail'],
    parameters: {
      offlineAfterSeconds: {
        description: 'Silence before the alarm (the status board shows OFFLINE after 90 s)',
        min: 90,
        max: 86_400,
        integer: true,
      },
    },
  },
  DATABASE_DOWN: {
    kind: 'SERVICE',
    description:
      'PostgreSQL did not answer: raised when it answers again (at the outage start, nothing can be stored before), then cleared.',
    placeholders: ['source', 'detail'],
    parameters: {
      minOutageSeconds: { description: 'Shorter outages raise nothing', min: 0, max: 3_600, integer: true },
    },
  },
  BROKER_DISCONNECTED: {
    kind: 'SERVICE',
    description: 'The service lost its MQTT broker connection; cleared when it is back.',
    placeholders: ['source', 'detail'],
    parameters: {
      afterSeconds: { description: 'Disconnected this long before the alarm', min: 0, max: 3_600, integer: true },
    },
  },
  INGESTION_REJECTS: {
    kind: 'SERVICE',
    description: 'MQTT messages rejected (bad payloads, unknown sources) above a rate; cleared when below.',
    placeholders: ['source', 'value'],
    parameters: {
      maxPerMinute: {
        description: 'Rejected messages in the last minute above which it raises',
        min: 1,
        max: 1_000_000,
        integer: true,
      },
    },
  },
};

export interface AlarmConditionData {
  type: string;
  kind: AlarmSourceKind;
  enabled: boolean;
  severity: AlarmSeverity;
  parameters: Record<string, number>;
  messageTemplate: string;
}

export interface AlarmConditionChange {
  enabled?: boolean | null;
  severity?: AlarmSeverity | null;
  messageTemplate?: string | null;
  /** Only the parameters named change. */
  parameters?: ReadonlyArray<{ name: string; value: number }> | null;
}

export const MESSAGE_TEMPLATE_MAX = 500;
const PLACEHOLDER = /\{([a-zA-Z]+)\}/g;

/** The condition after `change`; InvalidInputError naming the offending field otherwise. */
export function changedCondition(current: AlarmConditionData, change: AlarmConditionChange): AlarmConditionData {
  const spec = CONDITION_SPECS[current.type];
  const next: AlarmConditionData = { ...current, parameters: { ...current.parameters } };
  if (change.enabled !== undefined && change.enabled !== null) next.enabled = change.enabled;
  if (change.severity !== undefined && change.severity !== null) {
    if (!ALARM_SEVERITIES.includes(change.severity))
      throw new InvalidInputError('Unknown severity', { severity: `must be one of ${ALARM_SEVERITIES.join(', ')}` });
    next.severity = change.severity;
  }
  if (change.messageTemplate !== undefined && change.messageTemplate !== null)
    next.messageTemplate = checkedTemplate(change.messageTemplate, spec?.placeholders ?? ['source']);
  const seen = new Set<string>();
  for (const { name, value } of change.parameters ?? []) {
    const parameter = spec?.parameters[name];
    const known = Object.keys(spec?.parameters ?? {});
    if (!parameter)
      throw new InvalidInputError(`${current.type} has no parameter ${JSON.stringify(name)}`, {
        parameters: known.length ? `known: ${known.join(', ')}` : `${current.type} has no parameters`,
      });
    if (seen.has(name)) throw new InvalidInputError(`Parameter ${name} given twice`, { parameters: `${name} twice` });
    seen.add(name);
    if (
      !Number.isFinite(value) ||
      value < parameter.min ||
      value > parameter.max ||
      (parameter.integer && !Number.isInteger(value))
    )
      throw new InvalidInputError(`Parameter ${name} is out of range`, {
        [`parameters.${name}`]: `must be ${parameter.integer ? 'an integer' : 'a number'} from ${parameter.min} to ${parameter.max}`,
      });
    next.parameters[name] = value;
  }
  return next;
}

function checkedTemplate(template: string, placeholders: readonly string[]): string {
  const trimmed = template.trim();
  if (!trimmed || trimmed.length > MESSAGE_TEMPLATE_MAX)
    throw new InvalidInputError('The message template must not be empty', {
      messageTemplate: `must be 1 to ${MESSAGE_TEMPLATE_MAX} characters`,
    });
  for (const [, name] of trimmed.matchAll(PLACEHOLDER))
    if (!placeholders.includes(name))
      throw new InvalidInputError(`Unknown placeholder {${name}}`, {
        messageTemplate: `placeholders: ${placeholders.map((p) => `{${p}}`).join(', ')}`,
      });
  return trimmed;
}

/** Fills the template's placeholders; one without a value reads "–". */
export function renderMessage(
  template: string,
  values: Readonly<Record<string, string | number | null | undefined>>,
): string {
  return template.replace(PLACEHOLDER, (_placeholder: string, name: string) => {
    const value = values[name];
    if (value === undefined || value === null || value === '') return '–';
    return typeof value === 'number' ? String(Math.round(value * 1000) / 1000) : value;
  });
}
