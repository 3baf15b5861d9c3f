import { PV_TYPES, type PvType } from './experiments.js';
import {
  ConfigFileError,
  sortedConfig,
  type ConfigAssignment,
  type ConfigExperiment,
  type ConfigPv,
  type ConfigSubscription,
  type ExperimentsConfig,
} from './config-transfer.js';
import { experimentOfPv } from './pv-name.js';

/**
 * The original Realtimeplot's `.rtpdb` export file (reference/realtimeplot.md section 9): a
 * banner, then one `[EXPERIMENT];key=value;…` line per experiment followed by its PVs'
 * indented `[PROCESS_VARIABLE];…` lines.
 *
 * The original wrote values as Python printed them: absent as `None`, booleans `True`/`False`,
 * a `;` inside a value as the placeholder `&SMKL&`, and values HTML-escaped (`&amp;`) as its
 * sanitiser had stored them; its import then escaped again and could not restore `;`. Our
 * writer keeps the layout and key names (the original could still read the experiments and
 * PVs) but escapes losslessly, and says so in a `# format: plantgraph-rtpdb 1` line:
 *
 *   - `%`, `;`, `&`, `=`, every control character (newlines, tabs…) and a space at either end
 *     of a value are written `%XX` (upper-case hex); everything else (non-ASCII too) as is;
 *   - an absent value is `None`, an empty one is nothing after `=`; a text that is exactly
 *     `None` is written `%4Eone`, so it stays a text;
 *   - booleans `True`/`False`, numbers as JavaScript prints them (shortest exact form).
 *
 * Files without that line are read as the original wrote them: `&SMKL&` → `;`, HTML entities
 * decoded once, `None` → absent, `true`/`false` in any case. Either way an unknown key is an
 * error (a typo would silently drop a value), and every error names its line.
 *
 * Our additions, each with its own line: `unit`, `type`, `set_min`, `set_max` on PVs;
 * `[ASSIGNMENT]` under an experiment and `[SUBSCRIPTION]` under a PV (when exported).
 */

export const RTPDB_FORMAT_LINE = '# format: plantgraph-rtpdb 1';
const FORMAT_PREFIX = '# format: plantgraph-rtpdb ';

const RULE = '#'.repeat(48);
const HEADER = [
  RULE,
  '#               rtpserver-export               #',
  RULE,
  '',
  '# This file contains importable experiment and process variable entries.',
  '# It is read by machines: changing its format can break the import.',
  RTPDB_FORMAT_LINE,
  '# Values: %XX escapes for % ; & = control characters and spaces at either end; None = absent.',
  '',
];

const EXPERIMENT = '[EXPERIMENT]';
const PV = '[PROCESS_VARIABLE]';
const ASSIGNMENT = '[ASSIGNMENT]';
const SUBSCRIPTION = '[SUBSCRIPTION]';

// Writing.

/** The configuration as `.rtpdb` text, sorted by name: the same configuration gives the same bytes. */
export function writeRtpdb(config: ExperimentsConfig): string {
  const sorted = sortedConfig(config);
  const lines = [...HEADER];
  for (const experiment of sorted.experiments) {
    lines.push(
      record(EXPERIMENT, [
        ['short_id', text(experiment.name)],
        ['human_readable_name', nullableText(experiment.displayName ?? null)],
      ]),
    );
    for (const a of sorted.assignments.filter((a) => a.experimentName === experiment.name))
      lines.push(
        `    ${record(ASSIGNMENT, [
          ['short_id', text(a.experimentName)],
          ['username', text(a.username)],
        ])}`,
      );
    for (const pv of sorted.pvs.filter((pv) => experimentOfPv(pv.name) === experiment.name)) {
      lines.push(
        `    ${record(PV, [
          ['pv_string', text(pv.name)],
          ['human_readable_name', nullableText(pv.displayName ?? null)],
          ['experiment_short_id', text(experiment.name)],
          ['available_for_mqtt_publish', pv.writable ? 'True' : 'False'],
          ['default_threshold_min', numberText(pv.thresholdMin ?? null)],
          ['default_threshold_max', numberText(pv.thresholdMax ?? null)],
          ['unit', text(pv.unit ?? '')],
          ['type', pv.type ?? 'NUMBER'],
          ['set_min', numberText(pv.setMin ?? null)],
          ['set_max', numberText(pv.setMax ?? null)],
        ])}`,
      );
      for (const s of sorted.subscriptions.filter((s) => s.pvName === pv.name))
        lines.push(
          `        ${record(SUBSCRIPTION, [
            ['pv_string', text(s.pvName)],
            ['username', text(s.username)],
            ['email', text(s.email)],
            ['min', numberText(s.min)],
            ['max', numberText(s.max)],
          ])}`,
        );
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

function record(tag: string, pairs: Array<[string, string]>): string {
  return [tag, ...pairs.map(([key, value]) => `${key}=${value}`)].join(';');
}

/** Escapes a value so that it survives splitting on `;`, `=`, lines, and trimming. */
export function escapeRtpdbValue(value: string): string {
  if (value === 'None') return '%4Eone';
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    const code = ch.charCodeAt(0);
    const edgeSpace = ch === ' ' && (i === 0 || i === value.length - 1);
    if (ch === '%' || ch === ';' || ch === '&' || ch === '=' || code < 0x20 || code === 0x7f || edgeSpace)
      out += `%${code.toString(16).toUpperCase().padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

const text = escapeRtpdbValue;

function nullableText(value: string | null): string {
  return value === null ? 'None' : escapeRtpdbValue(value);
}

function numberText(value: number | null): string {
  return value === null ? 'None' : String(value);
}

// Reading.

type Dialect = 'plantgraph' | 'original';

interface Pairs {
  line: number;
  values: Map<string, string | null>;
}

/** Reads `.rtpdb` text: ours or the original's (see above). */
export function readRtpdb(content: string): ExperimentsConfig {
  const config: ExperimentsConfig = { experiments: [], pvs: [], assignments: [], subscriptions: [] };
  let dialect: Dialect = 'original';
  const lines = content.split('\n');
  lines.forEach((raw, index) => {
    const line = index + 1;
    // Only the indentation and a CR of CRLF: a value's own edge spaces are escaped, and trim()
    // would also eat Unicode spaces at the end of the last value of an original file.
    const trimmed = raw.replace(/^[ \t]+/, '').replace(/\r$/, '');
    if (trimmed.startsWith(FORMAT_PREFIX)) {
      if (trimmed !== RTPDB_FORMAT_LINE)
        throw new ConfigFileError(line, `unknown format ${JSON.stringify(trimmed.slice(FORMAT_PREFIX.length))}`);
      dialect = 'plantgraph';
      return;
    }
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const semicolon = trimmed.indexOf(';');
    const tag = semicolon < 0 ? trimmed : trimmed.slice(0, semicolon);
    const body = semicolon < 0 ? '' : trimmed.slice(semicolon + 1);
    switch (tag) {
      case EXPERIMENT:
        config.experiments.push(experimentOf(pairsOf(body, line, dialect)));
        break;
      case PV:
        config.pvs.push(pvOf(pairsOf(body, line, dialect)));
        break;
      case ASSIGNMENT:
        config.assignments.push(assignmentOf(pairsOf(body, line, dialect)));
        break;
      case SUBSCRIPTION:
        config.subscriptions.push(subscriptionOf(pairsOf(body, line, dialect)));
        break;
      default:
        throw new ConfigFileError(
          line,
          `expected ${EXPERIMENT}, ${PV}, ${ASSIGNMENT}, ${SUBSCRIPTION}, a comment (#) or an empty line`,
        );
    }
  });
  return config;
}

function pairsOf(body: string, line: number, dialect: Dialect): Pairs {
  const values = new Map<string, string | null>();
  if (body === '') return { line, values };
  // The original wrote `;` as &SMKL&, entities included (`&amp&SMKL&`); a raw `;` of a
  // hand-written entity (`&amp;`) is not followed by a key, so only `;key=` splits there.
  for (const piece of body.split(dialect === 'plantgraph' ? ';' : /;(?=[A-Za-z_]+=)/)) {
    const equals = piece.indexOf('=');
    if (equals <= 0) throw new ConfigFileError(line, `${JSON.stringify(piece)} is not key=value`);
    const key = piece.slice(0, equals);
    if (values.has(key)) throw new ConfigFileError(line, `${key} is given twice`);
    const raw = piece.slice(equals + 1);
    values.set(key, raw === 'None' ? null : dialect === 'plantgraph' ? unescape(raw, line) : originalValue(raw));
  }
  return { line, values };
}

function unescape(raw: string, line: number): string {
  return raw.replace(/%(..)?/gs, (match, hex: string | undefined) => {
    if (!hex || !/^[0-9A-Fa-f]{2}$/.test(hex))
      throw new ConfigFileError(line, `${JSON.stringify(match)} is not an escape (%XX; a % itself is %25)`);
    return String.fromCharCode(parseInt(hex, 16));
  });
}

/** The original's `&SMKL&` placeholder back to `;`, then its sanitiser's HTML escaping undone once. */
function originalValue(raw: string): string {
  return decodeEntities(raw.replaceAll('&SMKL&', ';'));
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (match, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X')) return codePoint(parseInt(entity.slice(2), 16), match);
    if (entity.startsWith('#')) return codePoint(parseInt(entity.slice(1), 10), match);
    return NAMED_ENTITIES[entity] ?? match;
  });
}

function codePoint(code: number, fallback: string): string {
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : fallback;
}

class Reader {
  private readonly used = new Set<string>();
  constructor(
    private readonly pairs: Pairs,
    private readonly what: string,
  ) {}

  get line(): number {
    return this.pairs.line;
  }

  has(key: string): boolean {
    return this.pairs.values.has(key);
  }

  /** A text that must be there and not None. */
  required(key: string): string {
    this.used.add(key);
    const value = this.pairs.values.get(key);
    if (value === undefined) throw new ConfigFileError(this.line, `${this.what} needs ${key}`);
    if (value === null) throw new ConfigFileError(this.line, `${key} of a ${this.what} cannot be None`);
    return value;
  }

  /** undefined when the key is missing, null for None. */
  nullableText(key: string): string | null | undefined {
    this.used.add(key);
    return this.pairs.values.get(key);
  }

  text(key: string): string | undefined {
    const value = this.nullableText(key);
    if (value === null) throw new ConfigFileError(this.line, `${key} cannot be None`);
    return value;
  }

  nullableNumber(key: string): number | null | undefined {
    const value = this.nullableText(key);
    if (value === undefined || value === null) return value;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value.trim()))
      throw new ConfigFileError(this.line, `${key}=${value} is not a number (or None)`);
    return Number(value);
  }

  number(key: string): number {
    const value = this.nullableNumber(key);
    if (value === undefined || value === null)
      throw new ConfigFileError(this.line, `${this.what} needs a number ${key}`);
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.nullableText(key);
    if (value === undefined) return undefined;
    const lower = value?.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw new ConfigFileError(this.line, `${key}=${value ?? 'None'} must be True or False`);
  }

  pvType(key: string): PvType | undefined {
    const value = this.text(key);
    if (value === undefined) return undefined;
    if (!(PV_TYPES as readonly string[]).includes(value))
      throw new ConfigFileError(this.line, `${key}=${value} must be one of ${PV_TYPES.join(', ')}`);
    return value as PvType;
  }

  /** Every key was read: an unknown one is a typo that would silently drop a value. */
  done(): void {
    for (const key of this.pairs.values.keys())
      if (!this.used.has(key)) throw new ConfigFileError(this.line, `unknown key ${key} on a ${this.what} line`);
  }
}

function experimentOf(pairs: Pairs): ConfigExperiment {
  const r = new Reader(pairs, 'experiment');
  const name = r.required('short_id');
  const displayName = r.nullableText('human_readable_name');
  r.done();
  return { name, ...(displayName !== undefined ? { displayName } : {}), line: r.line };
}

function pvOf(pairs: Pairs): ConfigPv {
  const r = new Reader(pairs, 'process variable');
  const name = r.required('pv_string');
  const experiment = r.nullableText('experiment_short_id');
  // The original ignored it and went by the name; a file that disagrees with itself is refused.
  if (experiment !== undefined && experiment !== null && experiment !== experimentOfPv(name))
    throw new ConfigFileError(
      r.line,
      `experiment_short_id=${experiment}, but PV ${name} belongs to experiment ${experimentOfPv(name)}`,
    );
  const pv: ConfigPv = {
    name,
    displayName: r.nullableText('human_readable_name'),
    writable: r.boolean('available_for_mqtt_publish'),
    thresholdMin: r.nullableNumber('default_threshold_min'),
    thresholdMax: r.nullableNumber('default_threshold_max'),
    unit: r.text('unit'),
    type: r.pvType('type'),
    setMin: r.nullableNumber('set_min'),
    setMax: r.nullableNumber('set_max'),
    line: r.line,
  };
  r.done();
  return Object.fromEntries(Object.entries(pv).filter(([, v]) => v !== undefined)) as unknown as ConfigPv;
}

function assignmentOf(pairs: Pairs): ConfigAssignment {
  const r = new Reader(pairs, 'assignment');
  const assignment = { experimentName: r.required('short_id'), username: r.required('username'), line: r.line };
  r.done();
  return assignment;
}

function subscriptionOf(pairs: Pairs): ConfigSubscription {
  const r = new Reader(pairs, 'subscription');
  const subscription = {
    pvName: r.required('pv_string'),
    username: r.required('username'),
    email: r.required('email'),
    min: r.number('min'),
    max: r.number('max'),
    line: r.line,
  };
  r.done();
  return subscription;
}
