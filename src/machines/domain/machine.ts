import {
  applyRules,
  boolean,
  calendarDate,
  checkFields,
  integer,
  nullable,
  number,
  oneOf,
  pattern,
  requireFields,
  text,
  throwIfProblems,
  withoutUndefined,
  type Rules,
} from '../../shared/validation/field-rules.js';

/** The axes a CNC machine may have (PROTOCOLS.md section A). */
export const AXIS_NAMES = ['X', 'Y', 'Z', 'A', 'C'] as const;
export type AxisName = (typeof AXIS_NAMES)[number];

export function isAxisName(value: string): value is AxisName {
  return (AXIS_NAMES as readonly string[]).includes(value);
}

/**
 * What the ingestion path needs to know about a machine, kept in memory: resolving a
 * topic's code to a machine must not cost a query per message.
 */
export interface MachineRef {
  id: number;
  code: string;
  name: string;
  axes: ReadonlySet<AxisName>;
}

/**
 * A machine as the in-memory directory holds it: its ref, its type and its blocked flag,
 * so that an RFID board's request is answered without reading the registry each time.
 */
export interface MachineProfile extends MachineRef {
  blocked: boolean;
  machineType: MachineType | null;
}

export interface MachineType {
  id: number;
  name: string;
  /** RFID boards end a use after this many minutes without activity (0: never). */
  autoLogoffMinutes: number;
  /** RFID boards warn this many minutes before the auto-logoff. */
  graceMinutes: number;
  /** Card holders need an explicit authorisation for machines of this type. */
  needsAuthorization: boolean;
  createdAt: Date;
}

export interface Axis {
  id: number;
  machineId: number;
  name: AxisName;
  maxVelocity: number;
  maxAcceleration: number;
}

export interface Tool {
  id: number;
  machineId: number;
  /** The tool's place in the magazine (1…). */
  number: number;
  toolOffset: number;
  feedRate: number;
}

export interface Machine {
  id: number;
  code: string;
  name: string;
  model: string;
  maker: string;
  capacityAmps: number | null;
  /** Calendar date, YYYY-MM-DD. */
  dateOfPurchase: string | null;
  machineType: MachineType | null;
  blocked: boolean;
  /** Cumulative use in whole seconds (RFID uses add their duration). */
  usageSeconds: number;
  lastSeenAt: Date | null;
  axes: Axis[];
  tools: Tool[];
  createdAt: Date;
  updatedAt: Date;
}

/** A machine without its axes and tools: one query, for callers on a hot path (RFID boards). */
export type MachineSummary = Omit<Machine, 'axes' | 'tools'>;

/** What a client may set on a machine. */
export interface MachineFields {
  code: string;
  name: string;
  model: string;
  maker: string;
  capacityAmps: number | null;
  dateOfPurchase: string | null;
  machineTypeId: number | null;
  blocked: boolean;
}

export interface AxisFields {
  name: AxisName;
  maxVelocity: number;
  maxAcceleration: number;
}

export interface ToolFields {
  number: number;
  toolOffset: number;
  feedRate: number;
}

export interface MachineTypeFields {
  name: string;
  autoLogoffMinutes: number;
  graceMinutes: number;
  needsAuthorization: boolean;
}

/** Devices put the code in MQTT topics: no separators, no wildcards, no spaces. */
export const MACHINE_CODE = /^[A-Za-z0-9_-]{1,64}$/;

export const MACHINE_RULES: Rules<MachineFields> = {
  code: pattern(MACHINE_CODE, 'must be 1 to 64 characters: letters, digits, "_" or "-"'),
  name: text(1, 200),
  model: text(0, 200),
  maker: text(0, 200),
  capacityAmps: nullable(number({ min: 0 })),
  dateOfPurchase: nullable(calendarDate),
  machineTypeId: nullable(integer(1)),
  blocked: boolean,
};

export const AXIS_RULES: Rules<AxisFields> = {
  name: oneOf(AXIS_NAMES),
  maxVelocity: number({ above: 0 }),
  maxAcceleration: number({ above: 0 }),
};

export const TOOL_RULES: Rules<ToolFields> = {
  number: integer(1),
  toolOffset: number(),
  feedRate: number({ min: 0 }),
};

export const MACHINE_TYPE_RULES: Rules<MachineTypeFields> = {
  name: text(1, 100),
  autoLogoffMinutes: integer(0),
  graceMinutes: integer(0),
  needsAuthorization: boolean,
};

const MACHINE_DEFAULTS = {
  model: '',
  maker: '',
  capacityAmps: null,
  dateOfPurchase: null,
  machineTypeId: null,
  blocked: false,
};
const AXIS_REQUIRED = ['name', 'maxVelocity', 'maxAcceleration'];
const TOOL_DEFAULTS = { toolOffset: 0, feedRate: 0 };
const MACHINE_TYPE_DEFAULTS = { autoLogoffMinutes: 0, graceMinutes: 0, needsAuthorization: false };

export type NewMachineInput = { [K in keyof MachineFields]?: unknown } & {
  axes?: { [K in keyof AxisFields]?: unknown }[];
  tools?: { [K in keyof ToolFields]?: unknown }[];
};

/**
 * A new machine with its axes and tools, checked as a whole: every offending field is
 * named (`axes.1.maxVelocity`), and an axis or a tool number given twice is refused.
 */
export function newMachine(input: NewMachineInput): {
  machine: MachineFields;
  axes: AxisFields[];
  tools: ToolFields[];
} {
  const machine = applyRules<MachineFields>({ ...MACHINE_DEFAULTS, ...withoutUndefined(input) }, MACHINE_RULES);
  const axes = (input.axes ?? []).map((axis, i) => checkPart(`axes.${i}.`, axis, AXIS_RULES, AXIS_REQUIRED));
  const tools = (input.tools ?? []).map((tool, i) =>
    checkPart(`tools.${i}.`, { ...TOOL_DEFAULTS, ...withoutUndefined(tool) }, TOOL_RULES, ['number']),
  );
  const axisNames = axes.map((axis) => axis.fields.name);
  const toolNumbers = tools.map((tool) => tool.fields.number);
  throwIfProblems(
    'machine',
    Object.assign(
      {},
      machine.problems,
      requireFields(input, ['code', 'name']),
      ...axes.map((axis) => axis.problems),
      ...tools.map((tool) => tool.problems),
      repeated('axes', 'name', axisNames),
      repeated('tools', 'number', toolNumbers),
    ),
  );
  return {
    machine: machine.fields as MachineFields,
    axes: axes.map((axis) => axis.fields as AxisFields),
    tools: tools.map((tool) => tool.fields as ToolFields),
  };
}

export function machineChanges(input: { [K in keyof MachineFields]?: unknown }): Partial<MachineFields> {
  return checkFields('machine', input, MACHINE_RULES);
}

export function newAxis(input: { [K in keyof AxisFields]?: unknown }): AxisFields {
  throwIfProblems('axis', requireFields(input, AXIS_REQUIRED));
  return checkFields('axis', input, AXIS_RULES) as AxisFields;
}

export function axisChanges(input: { [K in keyof AxisFields]?: unknown }): Partial<AxisFields> {
  return checkFields('axis', input, AXIS_RULES);
}

export function newTool(input: { [K in keyof ToolFields]?: unknown }): ToolFields {
  throwIfProblems('tool', requireFields(input, ['number']));
  return checkFields('tool', { ...TOOL_DEFAULTS, ...withoutUndefined(input) }, TOOL_RULES) as ToolFields;
}

export function toolChanges(input: { [K in keyof ToolFields]?: unknown }): Partial<ToolFields> {
  return checkFields('tool', input, TOOL_RULES);
}

export function newMachineType(input: { [K in keyof MachineTypeFields]?: unknown }): MachineTypeFields {
  throwIfProblems('machine type', requireFields(input, ['name']));
  const fields = { ...MACHINE_TYPE_DEFAULTS, ...withoutUndefined(input) };
  return checkFields('machine type', fields, MACHINE_TYPE_RULES) as MachineTypeFields;
}

export function machineTypeChanges(input: { [K in keyof MachineTypeFields]?: unknown }): Partial<MachineTypeFields> {
  return checkFields('machine type', input, MACHINE_TYPE_RULES);
}

/** Hours of use as shown to people; the registry counts whole seconds. */
export function hoursOf(usageSeconds: number): number {
  return usageSeconds / 3600;
}

function checkPart<T>(prefix: string, input: { [K in keyof T]?: unknown }, rules: Rules<T>, required: string[]) {
  const { fields, problems } = applyRules(input, rules, prefix);
  return { fields, problems: { ...problems, ...requireFields(input, required, prefix) } };
}

/** Problems for the values that appeared earlier in the list (`axes.2.name: X is given twice`). */
function repeated(list: string, field: string, values: unknown[]): Record<string, string> {
  const problems: Record<string, string> = {};
  values.forEach((value, i) => {
    if (value !== undefined && values.indexOf(value) !== i)
      problems[`${list}.${i}.${field}`] = `${String(value)} is given twice`;
  });
  return problems;
}

/**
 * RFID uses add their duration in whole seconds; a correction (a use deleted or shortened)
 * subtracts. The stored total never goes below zero.
 */
export function usageIncrement(seconds: number): number {
  return checkFields<{ seconds: number }>('usage', { seconds }, { seconds: integer(-2_147_483_647) }).seconds!;
}
