import { DomainError } from '../../shared/errors/domain-errors.js';
import { PV_TYPES, type PvType } from './experiments.js';
import { experimentOfPv, isExperimentName, isPvName, PV_NAME_RULE } from './pv-name.js';

/**
 * The experiments configuration as it travels in export and import files (`.rtpdb` text or
 * JSON): experiments, PVs with their flags and default thresholds, and optionally who is
 * assigned (by username, i.e. e-mail) and their threshold subscriptions.
 *
 * A field that is `undefined` was not in the file: an import leaves it as it is (or gives a new
 * item the default); `null` is an absent value and is stored as such. `line` says where an
 * item was read (1-based), so that every error can name it.
 */
export interface ConfigExperiment {
  name: string;
  displayName?: string | null;
  line?: number;
}

export interface ConfigPv {
  name: string;
  displayName?: string | null;
  unit?: string;
  writable?: boolean;
  type?: PvType;
  thresholdMin?: number | null;
  thresholdMax?: number | null;
  setMin?: number | null;
  setMax?: number | null;
  line?: number;
}

export interface ConfigAssignment {
  experimentName: string;
  username: string;
  line?: number;
}

export interface ConfigSubscription {
  pvName: string;
  username: string;
  email: string;
  min: number;
  max: number;
  line?: number;
}

export interface ExperimentsConfig {
  experiments: ConfigExperiment[];
  pvs: ConfigPv[];
  assignments: ConfigAssignment[];
  subscriptions: ConfigSubscription[];
}

export const CONFIG_FORMATS = ['RTPDB', 'JSON'] as const;
export type ConfigFormat = (typeof CONFIG_FORMATS)[number];

/**
 * A file that cannot be read or holds something that cannot be imported: BAD_USER_INPUT,
 * naming the line (or, for JSON, the path of the offending value) in the message and in
 * `extensions.line`.
 */
export class ConfigFileError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
  constructor(
    readonly line: number | null,
    problem: string,
    path?: string,
  ) {
    const where = line !== null ? `line ${line}` : (path ?? 'file');
    super(`${where}: ${problem}`, {
      line,
      ...(path ? { path } : {}),
      fields: { content: `${where}: ${problem}` },
    });
  }
}

/** Sorted by name, each list, so that the same configuration always gives the same bytes. */
export function sortedConfig(config: ExperimentsConfig): ExperimentsConfig {
  const byName = <T extends { name: string }>(a: T, b: T) => compare(a.name, b.name);
  return {
    experiments: [...config.experiments].sort(byName),
    pvs: [...config.pvs].sort(byName),
    assignments: [...config.assignments].sort(
      (a, b) => compare(a.experimentName, b.experimentName) || compare(a.username, b.username),
    ),
    subscriptions: [...config.subscriptions].sort(
      (a, b) => compare(a.pvName, b.pvName) || compare(a.username, b.username),
    ),
  };
}

/** Code-unit order: the same everywhere, unlike localeCompare. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Checks what spans items: names well-formed, nothing twice, every PV's experiment in the
 * file (added, with its human-readable name left as it is, when only its PVs are), every
 * assignment's experiment and subscription's PV in the file. Returns the completed config.
 */
export function checkedConfig(config: ExperimentsConfig): ExperimentsConfig {
  const experiments = new Map<string, ConfigExperiment>();
  for (const experiment of config.experiments) {
    if (!isExperimentName(experiment.name))
      throw new ConfigFileError(
        experiment.line ?? null,
        `experiment name ${JSON.stringify(experiment.name)} must be 1 to 100 characters: letters, digits, "_", "-" or "."`,
      );
    const before = experiments.get(experiment.name);
    if (before) throw new ConfigFileError(experiment.line ?? null, `experiment ${experiment.name} ${again(before)}`);
    experiments.set(experiment.name, experiment);
  }
  const pvs = new Map<string, ConfigPv>();
  const added: ConfigExperiment[] = [];
  for (const pv of config.pvs) {
    if (!isPvName(pv.name))
      throw new ConfigFileError(pv.line ?? null, `PV name ${JSON.stringify(pv.name)} ${PV_NAME_RULE}`);
    const before = pvs.get(pv.name);
    if (before) throw new ConfigFileError(pv.line ?? null, `PV ${pv.name} ${again(before)}`);
    pvs.set(pv.name, pv);
    const experimentName = experimentOfPv(pv.name);
    if (!experiments.has(experimentName)) {
      const implied = { name: experimentName, line: pv.line };
      experiments.set(experimentName, implied);
      added.push(implied);
    }
  }
  const assignments = new Map<string, ConfigAssignment>();
  for (const assignment of config.assignments) {
    if (!experiments.has(assignment.experimentName))
      throw new ConfigFileError(
        assignment.line ?? null,
        `assignment to experiment ${assignment.experimentName}, which is not in the file`,
      );
    const key = `${assignment.experimentName}\n${assignment.username.toLowerCase()}`;
    const before = assignments.get(key);
    if (before)
      throw new ConfigFileError(
        assignment.line ?? null,
        `assignment of ${assignment.username} to ${assignment.experimentName} ${again(before)}`,
      );
    assignments.set(key, assignment);
  }
  const subscriptions = new Map<string, ConfigSubscription>();
  for (const subscription of config.subscriptions) {
    if (!pvs.has(subscription.pvName))
      throw new ConfigFileError(
        subscription.line ?? null,
        `subscription to PV ${subscription.pvName}, which is not in the file`,
      );
    const key = `${subscription.pvName}\n${subscription.username.toLowerCase()}`;
    const before = subscriptions.get(key);
    if (before)
      throw new ConfigFileError(
        subscription.line ?? null,
        `subscription of ${subscription.username} to ${subscription.pvName} ${again(before)}`,
      );
    subscriptions.set(key, subscription);
  }
  return { ...config, experiments: [...config.experiments, ...added] };
}

function again(before: { line?: number }): string {
  return before.line !== undefined ? `is in the file already (line ${before.line})` : 'is in the file twice';
}

// JSON: the same model, pretty-printed, fields in a fixed order.

export const JSON_FORMAT_NAME = 'plantgraph-experiments-config';
export const JSON_FORMAT_VERSION = 1;

export function writeConfigJson(config: ExperimentsConfig): string {
  const sorted = sortedConfig(config);
  const document = {
    format: JSON_FORMAT_NAME,
    version: JSON_FORMAT_VERSION,
    experiments: sorted.experiments.map((e) => ({
      name: e.name,
      displayName: e.displayName ?? null,
      assignments: sorted.assignments.filter((a) => a.experimentName === e.name).map((a) => a.username),
      pvs: sorted.pvs
        .filter((pv) => experimentOfPv(pv.name) === e.name)
        .map((pv) => ({
          name: pv.name,
          displayName: pv.displayName ?? null,
          unit: pv.unit ?? '',
          type: pv.type ?? 'NUMBER',
          writable: pv.writable ?? false,
          thresholdMin: pv.thresholdMin ?? null,
          thresholdMax: pv.thresholdMax ?? null,
          setMin: pv.setMin ?? null,
          setMax: pv.setMax ?? null,
          subscriptions: sorted.subscriptions
            .filter((s) => s.pvName === pv.name)
            .map((s) => ({ username: s.username, email: s.email, min: s.min, max: s.max })),
        })),
    })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Reads a JSON configuration; errors name the line of a syntax error, else the path of the value. */
export function readConfigJson(text: string): ExperimentsConfig {
  let document: Json;
  try {
    document = JSON.parse(text) as Json;
  } catch (error) {
    // Not every Node names the position of a syntax error: find it ourselves.
    const position = jsonErrorOffset(text);
    throw new ConfigFileError(text.slice(0, position).split('\n').length, `not JSON: ${(error as Error).message}`);
  }
  const root = object(document, '$');
  if (root.format !== JSON_FORMAT_NAME)
    throw new ConfigFileError(null, `must be ${JSON.stringify(JSON_FORMAT_NAME)}`, '$.format');
  if (root.version !== JSON_FORMAT_VERSION)
    throw new ConfigFileError(
      null,
      `version ${JSON.stringify(root.version)} is not known (${JSON_FORMAT_VERSION} is)`,
      '$.version',
    );
  const config: ExperimentsConfig = { experiments: [], pvs: [], assignments: [], subscriptions: [] };
  array(root.experiments, '$.experiments').forEach((item, i) => {
    const path = `$.experiments[${i}]`;
    const e = object(item, path);
    const name = string(e.name, `${path}.name`);
    config.experiments.push({ name, ...optional(e, 'displayName', path, nullableString) });
    if (e.assignments !== undefined)
      array(e.assignments, `${path}.assignments`).forEach((username, j) =>
        config.assignments.push({ experimentName: name, username: string(username, `${path}.assignments[${j}]`) }),
      );
    if (e.pvs !== undefined)
      array(e.pvs, `${path}.pvs`).forEach((pvItem, j) => {
        const pvPath = `${path}.pvs[${j}]`;
        const pv = object(pvItem, pvPath);
        const pvName = string(pv.name, `${pvPath}.name`);
        if (experimentOfPv(pvName) !== name)
          throw new ConfigFileError(null, `PV ${pvName} does not belong to experiment ${name}`, `${pvPath}.name`);
        config.pvs.push({
          name: pvName,
          ...optional(pv, 'displayName', pvPath, nullableString),
          ...optional(pv, 'unit', pvPath, string),
          ...optional(pv, 'type', pvPath, pvType),
          ...optional(pv, 'writable', pvPath, boolean),
          ...optional(pv, 'thresholdMin', pvPath, nullableNumber),
          ...optional(pv, 'thresholdMax', pvPath, nullableNumber),
          ...optional(pv, 'setMin', pvPath, nullableNumber),
          ...optional(pv, 'setMax', pvPath, nullableNumber),
        });
        if (pv.subscriptions !== undefined)
          array(pv.subscriptions, `${pvPath}.subscriptions`).forEach((subItem, k) => {
            const subPath = `${pvPath}.subscriptions[${k}]`;
            const s = object(subItem, subPath);
            config.subscriptions.push({
              pvName,
              username: string(s.username, `${subPath}.username`),
              email: string(s.email, `${subPath}.email`),
              min: number(s.min, `${subPath}.min`),
              max: number(s.max, `${subPath}.max`),
            });
          });
      });
  });
  return config;
}

function optional<K extends string, T>(
  source: { [key: string]: Json },
  key: K,
  path: string,
  read: (value: Json, path: string) => T,
): { [P in K]?: T } {
  return source[key] === undefined ? {} : ({ [key]: read(source[key], `${path}.${key}`) } as { [P in K]?: T });
}

function object(value: Json | undefined, path: string): { [key: string]: Json } {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ConfigFileError(null, 'must be an object', path);
  return value;
}

function array(value: Json | undefined, path: string): Json[] {
  if (!Array.isArray(value)) throw new ConfigFileError(null, 'must be an array', path);
  return value;
}

function string(value: Json | undefined, path: string): string {
  if (typeof value !== 'string') throw new ConfigFileError(null, 'must be a string', path);
  return value;
}

function nullableString(value: Json, path: string): string | null {
  return value === null ? null : string(value, path);
}

function number(value: Json | undefined, path: string): number {
  if (typeof value !== 'number') throw new ConfigFileError(null, 'must be a number', path);
  return value;
}

function nullableNumber(value: Json, path: string): number | null {
  return value === null ? null : number(value, path);
}

function boolean(value: Json, path: string): boolean {
  if (typeof value !== 'boolean') throw new ConfigFileError(null, 'must be true or false', path);
  return value;
}

function pvType(value: Json, path: string): PvType {
  if (!(PV_TYPES as readonly Json[]).includes(value))
    throw new ConfigFileError(null, `must be one of ${PV_TYPES.join(', ')}`, path);
  return value as PvType;
}

/** The offset of the first syntax error of a text JSON.parse refused (a small recursive-descent scan). */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const literal = (word: string) => (text.startsWith(word, i) ? (i += word.length) : fail());
  const string = () => {
    if (text[i] !== '"') fail();
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    space();
    const ch = text[i];
    if (ch === '{') {
      i++;
      space();
      if (text[i] === '}') return void i++;
      for (;;) {
        space();
        string();
        space();
        if (text[i] !== ':') fail();
        i++;
        value();
        space();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    } else if (ch === '[') {
      i++;
      space();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        space();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    } else if (ch === '"') string();
    else if (ch === 't') literal('true');
    else if (ch === 'f') literal('false');
    else if (ch === 'n') literal('null');
    else {
      const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
      if (!match) fail();
      i += match![0].length;
    }
  };
  try {
    value();
    space();
    return i;
  } catch (offset) {
    if (typeof offset === 'number') return Math.min(offset, text.length);
    throw offset;
  }
}
