import { parseArgs } from 'node:util';
import { AXIS_NAMES, type AxisName } from './simulator-messages.js';
import { resolveSimulatorOptions, SimulatorOptionsError, type PlantSimulatorOptions } from './simulator-options.js';

export const USAGE = `Usage: node dist/src/simulator/cli.js [options]

Publishes simulated plant telemetry (CNC axes and tools, welding current and voltage) to an
MQTT broker, per PROTOCOLS.md section A, and runs FAB-O-MATIC RFID boards (section B) whose
card holders start and stop uses. Stops on Ctrl-C / SIGTERM or after --duration.

  --url <url>             broker (default mqtt://127.0.0.1:1883; credentials as mqtt://user:pass@host)
  --cnc <n>               CNC machines (default 20)
  --axes <list>           axes per CNC machine, e.g. XYZAC or X,Y,Z (default XYZAC)
  --axes-hz <hz>          axis samples per second per machine (default 10)
  --tool-interval <s>     seconds between tool samples (default 5)
  --welding <n>           welding machines (default 8: 7G … 27E)
  --welding-hz <hz>       electrical samples per second per machine (default 1)
  --speed <factor>        run the welding state cycle this many times faster (default 1)
  --cnc-prefix <text>     prefix of generated CNC codes (default cnc-, giving cnc-01 …)
  --cnc-codes <a,b,…>     explicit CNC codes (e.g. 81258856,81258857); overrides --cnc
  --welding-codes <a,b,…> explicit welding codes; overrides --welding
  --root <topic>          root topic (default plant)
  --boards <n>            RFID boards, one per machine with a numeric code (default 6: 101 … 106; 0 for none)
  --board-codes <a,b,…>   explicit board machine codes (numbers 0…65535); overrides --boards
  --board-root <topic>    the boards' root topic (default machine, as the firmware has it)
  --card-holders <n>      card holders tapping on the boards (default 12)
  --board-speed <factor>  tap and use this many times faster; the firmware's periods stay (default 1)
  --leak-sites <n>        leak-detection sites with gas sensors and a planted leak on {root}/sensors/{name}/ppmv
                          (default 0, at most 3; register their sensors, or they are listed as unregistered)
  --leak-interval <ms>    milliseconds between gas readings (default 1000; real sensors: 600000)
  --qos <0|1>             publish QoS (default 0)
  --seed <n>              PRNG seed: the same seed gives the same readings (default 1)
  --duration <s>          stop after this many seconds (default: run until stopped)
  --progress <s>          seconds between progress lines, 0 for none (default 5)
  --client-id <id>        MQTT client id (default plantgraph-sim-<random>)
  --print-registry        print the simulated machines as JSON (for registering them) and exit
  -h, --help              this text
`;

export interface RunCommand {
  command: 'run';
  simulator: Partial<PlantSimulatorOptions>;
  url: string;
  qos: 0 | 1;
  clientId?: string;
  progressIntervalMs: number;
  durationMs?: number;
}

export type CliCommand =
  { command: 'help' } | { command: 'print-registry'; simulator: Partial<PlantSimulatorOptions> } | RunCommand;

export class CliUsageError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'CliUsageError';
  }
}

/** Option names of the core, as the flags that set them, so that its errors read as CLI errors. */
const FLAG_OF: Record<string, string> = {
  seed: '--seed',
  rootTopic: '--root',
  cncCount: '--cnc',
  weldingCount: '--welding',
  axes: '--axes',
  axesHz: '--axes-hz',
  weldingHz: '--welding-hz',
  weldingSpeed: '--speed',
  boardCount: '--boards',
  boardCodes: '--board-codes',
  boardRootTopic: '--board-root',
  cardHolderCount: '--card-holders',
  boardSpeed: '--board-speed',
  leakSiteCount: '--leak-sites',
  leakReadingIntervalMs: '--leak-interval',
  codes: '--cnc-codes/--welding-codes/--board-codes/--cnc-prefix',
};

const BROKER_PROTOCOLS = ['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:'];

/** Parses and validates the command line; throws CliUsageError naming every bad argument. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const { values } = (() => {
    try {
      return parseArgs({
        args: [...argv],
        strict: true,
        allowPositionals: false,
        options: {
          url: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
          cnc: { type: 'string' },
          axes: { type: 'string' },
          'axes-hz': { type: 'string' },
          'tool-interval': { type: 'string' },
          welding: { type: 'string' },
          'welding-hz': { type: 'string' },
          speed: { type: 'string' },
          'cnc-prefix': { type: 'string' },
          'cnc-codes': { type: 'string' },
          'welding-codes': { type: 'string' },
          root: { type: 'string' },
          boards: { type: 'string' },
          'board-codes': { type: 'string' },
          'board-root': { type: 'string' },
          'card-holders': { type: 'string' },
          'board-speed': { type: 'string' },
          'leak-sites': { type: 'string' },
          'leak-interval': { type: 'string' },
          qos: { type: 'string', default: '0' },
          seed: { type: 'string' },
          duration: { type: 'string' },
          progress: { type: 'string', default: '5' },
          'client-id': { type: 'string' },
          'print-registry': { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
      });
    } catch (e) {
      throw new CliUsageError([(e as Error).message]);
    }
  })();
  if (values.help) return { command: 'help' };

  const problems: string[] = [];
  const number = (flag: string, raw: string | undefined, { integer = false, min = 0 } = {}): number | undefined => {
    if (raw === undefined) return undefined;
    const parsed = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
    if (Number.isNaN(parsed) || (integer && !Number.isInteger(parsed)) || parsed < min) {
      problems.push(`--${flag}: expected ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${JSON.stringify(raw)}`);
      return undefined;
    }
    return parsed;
  };

  const toolInterval = number('tool-interval', values['tool-interval'], { min: 0.01 });
  const simulator: Partial<PlantSimulatorOptions> = {
    seed: number('seed', values.seed, { integer: true }),
    rootTopic: values.root,
    cncCount: number('cnc', values.cnc, { integer: true }),
    cncCodes: list(values['cnc-codes']),
    cncCodePrefix: values['cnc-prefix'],
    axes: axes(values.axes, problems),
    axesHz: number('axes-hz', values['axes-hz'], { min: 0.001 }),
    toolSampleIntervalMs: toolInterval === undefined ? undefined : Math.round(toolInterval * 1000),
    weldingCount: number('welding', values.welding, { integer: true }),
    weldingCodes: list(values['welding-codes']),
    weldingHz: number('welding-hz', values['welding-hz'], { min: 0.001 }),
    weldingSpeed: number('speed', values.speed, { min: 0.001 }),
    boardCount: number('boards', values.boards, { integer: true }),
    boardCodes: list(values['board-codes']),
    boardRootTopic: values['board-root'],
    cardHolderCount: number('card-holders', values['card-holders'], { integer: true }),
    boardSpeed: number('board-speed', values['board-speed'], { min: 0.001 }),
    leakSiteCount: number('leak-sites', values['leak-sites'], { integer: true }),
    leakReadingIntervalMs: number('leak-interval', values['leak-interval'], { integer: true }),
  };

  const qos = values.qos === '0' ? 0 : values.qos === '1' ? 1 : undefined;
  if (qos === undefined) problems.push(`--qos: expected 0 or 1, got ${JSON.stringify(values.qos)}`);
  const duration = number('duration', values.duration, { min: 0.001 });
  const progress = number('progress', values.progress);
  if (!isBrokerUrl(values.url)) problems.push(`--url: expected mqtt://host:port, got ${JSON.stringify(values.url)}`);
  if (values['client-id'] !== undefined && !/^[A-Za-z0-9_-]{1,23}$/.test(values['client-id']))
    problems.push('--client-id: 1–23 letters, digits, "_" or "-" (the limit every MQTT 3.1.1 broker accepts)');

  if (!problems.length) {
    try {
      resolveSimulatorOptions({ ...simulator, startTime: 0 });
    } catch (e) {
      if (!(e instanceof SimulatorOptionsError)) throw e;
      problems.push(...e.problems.map(asFlagProblem));
    }
  }
  if (problems.length) throw new CliUsageError(problems);

  if (values['print-registry']) return { command: 'print-registry', simulator };
  return {
    command: 'run',
    simulator,
    url: values.url,
    qos: qos!,
    clientId: values['client-id'],
    progressIntervalMs: Math.round(progress! * 1000),
    durationMs: duration === undefined ? undefined : Math.round(duration * 1000),
  };
}

function list(raw: string | undefined): string[] | undefined {
  return raw === undefined ? undefined : raw.split(',').map((code) => code.trim());
}

/** `XYZAC`, `X,Y,Z` or `x y z`. */
function axes(raw: string | undefined, problems: string[]): AxisName[] | undefined {
  if (raw === undefined) return undefined;
  const names = raw
    .toUpperCase()
    .replace(/[\s,]+/g, '')
    .split('');
  const unknown = names.filter((n) => !(AXIS_NAMES as readonly string[]).includes(n));
  if (unknown.length || !names.length) {
    problems.push(`--axes: expected letters among ${AXIS_NAMES.join('')}, got ${JSON.stringify(raw)}`);
    return undefined;
  }
  return names as AxisName[];
}

function isBrokerUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return BROKER_PROTOCOLS.includes(url.protocol) && url.hostname.length > 0;
  } catch {
    return false;
  }
}

function asFlagProblem(problem: string): string {
  const [name, ...rest] = problem.split(':');
  const flag = FLAG_OF[name];
  return flag ? `${flag}:${rest.join(':')}` : problem;
}
