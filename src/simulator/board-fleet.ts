import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { SeededRandom } from './seeded-random.js';
import {
  emptyBoardStats,
  FIRMWARE_TIMINGS,
  RfidBoard,
  type BoardStats,
  type BoardTimings,
  type QueryAction,
} from './rfid-board.js';
import { BoardConnection } from './rfid-board-connection.js';

/** What the service must know before the boards' requests are answered: a machine type, machines, card holders. */
export interface BoardFleetPlan {
  rootTopic: string;
  machineType: { name: string; autoLogoffMinutes: number; graceMinutes: number; needsAuthorization: false };
  /** Numeric codes: the board's machine id is the machine's code. */
  machines: { code: string; name: string }[];
  cardHolders: CardHolder[];
  /** Cards nobody holds, tapped now and then. */
  unknownCards: string[];
}

export interface CardHolder {
  /** 8 lowercase hex characters, as the board sends it. */
  cardUid: string;
  displayName: string;
  email: string;
  role: 'member';
}

export interface BoardFleetPlanInput {
  seed: number;
  codes: readonly string[];
  cardHolderCount: number;
  rootTopic?: string;
}

/** How the simulated people use the machines. */
export interface BoardBehaviour {
  /** Mean time a free machine waits for the next card (exponential). */
  idleMeanMs: number;
  /** A use lasts between these. */
  useMinMs: number;
  useMaxMs: number;
  unknownCardProbability: number;
  /** Chance that a use ends during an outage: the stop is buffered, then replayed with `"replay":true`. */
  outageProbability: number;
  outageMs: number;
  /**
   * Each board's first card comes after a uniformly random delay up to this, then the usual
   * idle time: boards started together then tap out of step, as independent people do,
   * instead of in waves that take many cycles to even out (0: no such delay).
   */
  startSpreadMs: number;
}

export const DEFAULT_BOARD_BEHAVIOUR: Readonly<BoardBehaviour> = {
  idleMeanMs: 90_000,
  useMinMs: 60_000,
  useMaxMs: 300_000,
  unknownCardProbability: 0.1,
  outageProbability: 0.1,
  outageMs: 5_000,
  startSpreadMs: 0,
};

const FIRST_NAMES = [
  'Ada',
  'Ugo',
  'Lina',
  'Marco',
  'Giulia',
  'Paolo',
  'Sara',
  'Luca',
  'Elena',
  'Dario',
  'Irene',
  'Nico',
];
const SURNAMES = ['Rossi', 'Bianchi', 'Colombo', 'Ferrari', 'Greco', 'Russo', 'Galli', 'Conti'];
const UNKNOWN_CARDS = 4;

/** The same seed and codes give the same machines, card uids and names. */
export function planBoardFleet({
  seed,
  codes,
  cardHolderCount,
  rootTopic = 'machine',
}: BoardFleetPlanInput): BoardFleetPlan {
  const random = SeededRandom.derive(seed, 'rfid/cards');
  const uids = new Set<string>();
  while (uids.size < cardHolderCount + UNKNOWN_CARDS) uids.add(random.int(0, 0xffffffff).toString(16).padStart(8, '0'));
  const [holders, unknown] = [[...uids].slice(0, cardHolderCount), [...uids].slice(cardHolderCount)];
  return {
    rootTopic,
    machineType: { name: 'Simulated RFID machine', autoLogoffMinutes: 0, graceMinutes: 1, needsAuthorization: false },
    machines: codes.map((code) => ({ code, name: `Lab machine ${code}` })),
    cardHolders: holders.map((cardUid, i) => ({
      cardUid,
      displayName: `${FIRST_NAMES[i % FIRST_NAMES.length]} ${SURNAMES[Math.floor(i / FIRST_NAMES.length) % SURNAMES.length]}`,
      email: `card-${cardUid}@simulator.plantgraph.local`,
      role: 'member',
    })),
    unknownCards: unknown,
  };
}

export interface BoardFleetOptions {
  url: string;
  seed: number;
  timings?: Partial<BoardTimings>;
  behaviour?: Partial<BoardBehaviour>;
  /** `BOARD<n>` numbers start here (default: each board's machine id). */
  clientNumberBase?: number;
  connectTimeoutMs?: number;
  noDelay?: boolean;
  /** Boards connecting at once. */
  connectConcurrency?: number;
  onReply?: (action: QueryAction, latencyMs: number) => void;
}

export interface BoardFleetStats extends BoardStats {
  boards: number;
  connected: number;
  inUse: number;
  /** Timed-out requests never answered (late replies excluded). */
  missing: number;
  /** Requests waiting in the boards' replay queues. */
  queued: number;
  taps: number;
}

/**
 * The boards of a plan on a broker, each driven by seeded people: a card now and then (an
 * unknown one sometimes), a use with inuse heartbeats, the same card to stop, and now and
 * then an outage during which the stop's reply is lost, so that it is replayed later.
 */
export class BoardFleet {
  private readonly behaviour: BoardBehaviour;
  private readonly boards: RfidBoard[];
  private readonly connections: BoardConnection[] = [];
  private readonly loops: Promise<void>[] = [];
  private readonly stopping = new AbortController();
  private taps = 0;

  constructor(
    readonly plan: BoardFleetPlan,
    private readonly options: BoardFleetOptions,
  ) {
    this.behaviour = { ...DEFAULT_BOARD_BEHAVIOUR, ...options.behaviour };
    // Every board's people wait on this signal.
    setMaxListeners(0, this.stopping.signal);
    const phases = SeededRandom.derive(options.seed, 'rfid/phases');
    const refreshMs = options.timings?.refreshMs ?? FIRMWARE_TIMINGS.refreshMs;
    const aliveMs = options.timings?.aliveMs ?? FIRMWARE_TIMINGS.aliveMs;
    this.boards = plan.machines.map(
      ({ code }, i) =>
        new RfidBoard({
          refreshPhaseMs: phases.uniform(0, refreshMs),
          alivePhaseMs: phases.uniform(0, aliveMs),
          machineId: code,
          clientNumber: options.clientNumberBase === undefined ? undefined : options.clientNumberBase + i,
          rootTopic: plan.rootTopic,
          timings: options.timings,
          identity: { ip: `10.0.${Math.floor(i / 250)}.${(i % 250) + 2}`, serial: `sim${code.padStart(9, '0')}` },
          onReply: options.onReply,
        }),
    );
  }

  /** Connects every board (rejecting if one cannot), then starts the people. */
  async start(): Promise<void> {
    const concurrency = this.options.connectConcurrency ?? 50;
    for (let i = 0; i < this.boards.length; i += concurrency)
      this.connections.push(
        ...(await Promise.all(
          this.boards.slice(i, i + concurrency).map((board) =>
            BoardConnection.open(board, this.options.url, {
              connectTimeoutMs: this.options.connectTimeoutMs,
              noDelay: this.options.noDelay,
            }),
          ),
        )),
      );
    for (const board of this.boards)
      this.loops.push(this.drive(board, SeededRandom.derive(this.options.seed, `rfid/board/${board.machineId}`)));
  }

  /** Stops the people, lets each board finish its request in flight, and disconnects. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.loops);
    await Promise.all(this.connections.map((connection) => connection.close()));
  }

  stats(): BoardFleetStats {
    const total: BoardFleetStats = {
      ...emptyBoardStats(),
      boards: this.boards.length,
      connected: this.connections.filter((c) => c.connected).length,
      inUse: this.boards.filter((b) => b.activeUser).length,
      missing: 0,
      queued: 0,
      taps: this.taps,
    };
    for (const board of this.boards) {
      const stats = board.stats();
      for (const [key, value] of Object.entries(stats) as [keyof BoardStats, BoardStats[keyof BoardStats]][])
        if (typeof value === 'number') (total[key] as number) += value;
      for (const action of Object.keys(stats.sent) as (keyof BoardStats['sent'])[])
        total.sent[action] += stats.sent[action];
      total.missing += board.missing;
      total.queued += board.bufferedCount;
    }
    return total;
  }

  private async drive(board: RfidBoard, random: SeededRandom): Promise<void> {
    const { idleMeanMs, useMinMs, useMaxMs, unknownCardProbability, outageProbability, outageMs, startSpreadMs } =
      this.behaviour;
    const { cardHolders, unknownCards } = this.plan;
    try {
      if (startSpreadMs > 0) await this.wait(random.uniform(0, startSpreadMs));
      for (;;) {
        await this.wait(random.exponential(idleMeanMs));
        const uid =
          random.chance(unknownCardProbability) || !cardHolders.length
            ? random.pick(unknownCards)
            : random.pick(cardHolders).cardUid;
        const useMs = random.uniform(useMinMs, useMaxMs);
        const outage = random.chance(outageProbability);
        this.taps++;
        if ((await board.tap(uid)) !== 'started') continue;
        await this.wait(useMs);
        if (outage) board.loseMessagesFor(outageMs);
        this.taps++;
        await board.tap(uid);
      }
    } catch (error) {
      if (!this.stopping.signal.aborted) throw error;
    }
  }

  private wait(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.stopping.signal });
  }
}
