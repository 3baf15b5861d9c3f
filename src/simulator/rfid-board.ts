/**
 * A FAB-O-MATIC RFID board as its firmware behaves on the wire (PROTOCOLS.md section B,
 * reference/fabomatic.md §1.3–1.7), without I/O: it publishes through a BoardLink and is
 * handed what arrives on its two topics. One request at a time, one "waiting for reply"
 * flag, no correlation id: whatever arrives next on the reply topic is the answer.
 */

export type BoardAction = 'checkuser' | 'checkmachine' | 'startuse' | 'inuse' | 'stopuse' | 'maintenance' | 'alive';
/** Requests that wait for a reply. */
export type QueryAction = Exclude<BoardAction, 'alive'>;

export interface BoardTimings {
  /** How long the board waits for a reply (TIMEOUT_REPLY_SERVER). */
  replyTimeoutMs: number;
  /** After a missed reply the backend counts as down this long (FAIL_FAST_PERIOD). */
  failFastMs: number;
  /** `checkmachine`, and `inuse` while in use (MQTT_REFRESH_PERIOD). */
  refreshMs: number;
  /** `alive` after each connection and this often. */
  aliveMs: number;
}

export const FIRMWARE_TIMINGS: Readonly<BoardTimings> = {
  replyTimeoutMs: 2_000,
  failFastMs: 45_000,
  refreshMs: 30_000,
  aliveMs: 120_000,
};

/** The firmware's replay queue (oldest dropped beyond it) and its cache of recently accepted cards. */
export const BUFFER_CAPACITY = 40;
const CACHE_CAPACITY = 10;

/** What the board publishes through: an MQTT client, or a fake in unit tests. */
export interface BoardLink {
  publish(topic: string, payload: string): void;
  readonly connected: boolean;
}

export interface BoardIdentity {
  /** `<PlatformIO env>,<git describe>` */
  version: string;
  ip: string;
  serial: string;
  /** Free heap; the firmware sends it as a string of digits. */
  heap: number;
}

export interface RfidBoardOptions {
  /** The machine's numeric code: the `{id}` of `machine/{id}`. */
  machineId: string;
  /** The `<n>` of the client id `BOARD<n>` (the firmware picks 0…999 at random); default the machine id. */
  clientNumber?: number;
  /** The firmware hard-codes `machine`. */
  rootTopic?: string;
  timings?: Partial<BoardTimings>;
  identity?: Partial<BoardIdentity>;
  /**
   * When the first periodic refresh comes after connecting (default: one refresh period).
   * Boards boot at different times, so their 30 s cycles are not in step.
   */
  refreshPhaseMs?: number;
  /**
   * When the first periodic `alive` comes after connecting (default: one alive period). The
   * firmware's alive task runs on its own 2-minute clock, not in step with other boards'.
   */
  alivePhaseMs?: number;
  /** Called for every reply taken as the answer to a request, with its round trip. */
  onReply?: (action: QueryAction, latencyMs: number) => void;
}

export interface BoardStats {
  /** Requests published (replays included), per action; `alive` too, which expects no reply. */
  sent: Record<BoardAction, number>;
  replayed: number;
  /** Messages on the reply topic taken as the answer to the request that waited. */
  replies: number;
  /** Answers whose shape is not the reply type of the request (a late reply taken for the next one). */
  mismatched: number;
  /** Requests that got no reply within the timeout. */
  timeouts: number;
  /** Replies that came after their request timed out (nothing was waiting, one had timed out). */
  late: number;
  /** Replies when nothing was waiting and nothing had timed out: answers to no request. */
  extra: number;
  /** Messages lost on purpose during a simulated outage. */
  lost: number;
  /** Requests put in the replay queue, and those dropped from it because it was full. */
  buffered: number;
  bufferDropped: number;
  /** Requests not sent nor buffered because the backend counted as down (checkuser, checkmachine, inuse). */
  failed: number;
  commands: number;
}

export type TapOutcome =
  /** A user was logged in (startuse sent or buffered). */
  | 'started'
  /** The user on the machine tapped again (stopuse sent or buffered). */
  | 'stopped'
  /** Unknown or unauthorised card (or no answer and not in the cache). */
  | 'refused'
  /** checkmachine said the machine is blocked. */
  | 'blocked'
  /** Maintenance is due and the card's level is below 2. */
  | 'maintenance'
  /** Another card while a user is logged in: the firmware ignores it. */
  | 'busy'
  | 'closed';

/** What the board remembers from the last `checkmachine` answer. */
interface MachineStatus {
  allowed: boolean;
  maintenance: boolean;
}

interface BufferedRequest {
  action: QueryAction;
  payload: string;
}

interface Waiting {
  action: QueryAction;
  sentAt: number;
  resolve(reply: Record<string, unknown> | undefined): void;
  timer: NodeJS.Timeout;
}

/** The fields that tell the reply types apart (field names and JSON types are fixed by firmware). */
const REPLY_SHAPE: Record<QueryAction, string[]> = {
  checkuser: ['request_ok', 'is_valid', 'level'],
  checkmachine: ['request_ok', 'is_valid', 'maintenance', 'allowed'],
  startuse: ['request_ok', 'message'],
  inuse: ['request_ok', 'message'],
  stopuse: ['request_ok', 'message'],
  maintenance: ['request_ok', 'message'],
};
const BUFFERED_ACTIONS: ReadonlySet<QueryAction> = new Set(['startuse', 'stopuse', 'maintenance']);

const DEFAULT_IDENTITY: BoardIdentity = {
  version: 'hardware-rev0-it_IT,1.0.1',
  ip: '192.168.1.50',
  serial: 'dcda0c419794',
  heap: 123_456,
};

export function emptyBoardStats(): BoardStats {
  return {
    sent: { checkuser: 0, checkmachine: 0, startuse: 0, inuse: 0, stopuse: 0, maintenance: 0, alive: 0 },
    replayed: 0,
    replies: 0,
    mismatched: 0,
    timeouts: 0,
    late: 0,
    extra: 0,
    lost: 0,
    buffered: 0,
    bufferDropped: 0,
    failed: 0,
    commands: 0,
  };
}

/** `, "replay":true` before the final `}`, as the firmware does (only once). */
export function withReplayFlag(payload: string): string {
  return payload.includes('replay') ? payload : payload.replace(/}\s*$/, ', "replay":true}');
}

export class RfidBoard {
  readonly machineId: string;
  readonly clientId: string;
  readonly topics: { request: string; reply: string; command: string };
  readonly timings: Readonly<BoardTimings>;
  private readonly identity: BoardIdentity;
  private readonly onReply?: RfidBoardOptions['onReply'];
  private readonly counters = emptyBoardStats();
  private readonly buffer: BufferedRequest[] = [];
  private readonly cache = new Map<string, number>();
  private link?: BoardLink;
  private work: Promise<unknown> = Promise.resolve();
  private waiting?: Waiting;
  /** Timed-out requests whose reply may still come. */
  private unanswered = 0;
  private backendDownUntil = 0;
  private deafUntil = 0;
  private machine?: MachineStatus;
  private user?: { uid: string; level: number; since: number };
  private readonly refreshPhaseMs: number;
  private readonly alivePhaseMs: number;
  private refreshTimer?: NodeJS.Timeout;
  private aliveTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(options: RfidBoardOptions) {
    if (!/^\d{1,5}$/.test(options.machineId) || Number(options.machineId) > 65_535)
      throw new Error(`A board's machine id is a number 0…65535, got ${JSON.stringify(options.machineId)}`);
    this.machineId = options.machineId;
    this.clientId = `BOARD${options.clientNumber ?? Number(options.machineId)}`;
    const root = options.rootTopic ?? 'machine';
    const request = `${root}/${options.machineId}`;
    this.topics = { request, reply: `${request}/reply`, command: `${request}/request` };
    this.timings = { ...FIRMWARE_TIMINGS, ...options.timings };
    this.identity = { ...DEFAULT_IDENTITY, ...options.identity };
    this.onReply = options.onReply;
    this.refreshPhaseMs = options.refreshPhaseMs ?? this.timings.refreshMs;
    this.alivePhaseMs = options.alivePhaseMs ?? this.timings.aliveMs;
  }

  /** The card logged in on the machine, if any. */
  get activeUser(): string | undefined {
    return this.user?.uid;
  }

  get bufferedCount(): number {
    return this.buffer.length;
  }

  /** Whether the board would send a query now (connected, and not within a fail-fast window). */
  get online(): boolean {
    return (this.link?.connected ?? false) && Date.now() >= this.backendDownUntil;
  }

  stats(): BoardStats {
    return { ...this.counters, sent: { ...this.counters.sent } };
  }

  /** Replies that never came: requests timed out and not answered late. */
  get missing(): number {
    return this.unanswered;
  }

  attach(link: BoardLink): void {
    this.link = link;
  }

  /** The transport calls this after each (re)connection, once both topics are subscribed. */
  connected(): void {
    if (this.closed) return;
    void this.enqueue(() => this.alive());
    this.refreshTimer ??= setTimeout(() => {
      const refresh = () => void this.enqueue(() => this.refresh());
      this.refreshTimer = setInterval(refresh, this.timings.refreshMs);
      refresh();
    }, this.refreshPhaseMs);
    this.aliveTimer ??= setTimeout(() => {
      const alive = () => void this.enqueue(() => this.alive());
      this.aliveTimer = setInterval(alive, this.timings.aliveMs);
      alive();
    }, this.alivePhaseMs);
  }

  /** Stops the periodic tasks and lets the request in flight finish (reply or timeout). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.refreshTimer);
    clearInterval(this.refreshTimer);
    clearTimeout(this.aliveTimer);
    clearInterval(this.aliveTimer);
    await this.work;
  }

  /** A simulated outage: what arrives on the board's topics in the next `ms` is lost. */
  loseMessagesFor(ms: number): void {
    this.deafUntil = Date.now() + ms;
  }

  /** A card on the reader; `long` keeps it there 10 s (a staff member confirming maintenance). */
  tap(uid: string, { long = false } = {}): Promise<TapOutcome> {
    return this.enqueue(async () => {
      let outcome: TapOutcome;
      if (!this.user) outcome = await this.login(uid, long);
      else if (this.user.uid !== uid) outcome = 'busy';
      else {
        await this.logout();
        outcome = 'stopped';
      }
      await this.checkMachine();
      return outcome;
    });
  }

  /** What the transport received on one of the board's topics. */
  receive(topic: string, payload: string): void {
    if (Date.now() < this.deafUntil) {
      this.counters.lost++;
      return;
    }
    if (topic === this.topics.reply) this.takeReply(payload);
    else if (topic === this.topics.command) this.takeCommand(payload);
  }

  private takeReply(payload: string): void {
    const waiting = this.waiting;
    if (!waiting) {
      if (this.unanswered > 0) {
        this.unanswered--;
        this.counters.late++;
      } else this.counters.extra++;
      return;
    }
    this.waiting = undefined;
    clearTimeout(waiting.timer);
    this.counters.replies++;
    const reply = parseObject(payload);
    if (!reply || !REPLY_SHAPE[waiting.action].every((field) => field in reply)) this.counters.mismatched++;
    this.onReply?.(waiting.action, performance.now() - waiting.sentAt);
    waiting.resolve(reply);
  }

  private takeCommand(payload: string): void {
    const command = parseObject(payload);
    const uid = typeof command?.uid === 'string' ? command.uid.toLowerCase() : undefined;
    if (command?.request_type === 'start' && uid) {
      this.counters.commands++;
      void this.enqueue(async () => {
        if (this.user) await this.logout();
        await this.login(uid, false);
      });
    } else if (command?.request_type === 'stop') {
      this.counters.commands++;
      void this.enqueue(async () => {
        if (this.user) await this.logout();
      });
    }
  }

  /** The firmware is one loop: taps, commands and periodic tasks never overlap. */
  private enqueue<T>(job: () => Promise<T>): Promise<T | 'closed'> {
    const run = this.work.then((): Promise<T | 'closed'> | 'closed' => (this.closed ? 'closed' : job()));
    this.work = run.catch(() => undefined);
    return run;
  }

  private async login(uid: string, long: boolean): Promise<TapOutcome> {
    const reply = await this.query('checkuser', `{"action":"checkuser", "uid":"${uid}"}`);
    let level: number;
    if (reply?.request_ok === true) {
      level = reply.is_valid === true && typeof reply.level === 'number' ? reply.level : 0;
      this.remember(uid, level);
    } else level = this.cache.get(uid) ?? 0;
    if (level <= 0) return 'refused';
    if (this.machine && !this.machine.allowed) return 'blocked';
    if (this.machine?.maintenance) {
      if (level < 2) return 'maintenance';
      if (long) {
        await this.query('maintenance', `{"action":"maintenance", "uid":"${uid}"}`);
        this.machine.maintenance = false;
      }
    }
    // The user is logged in whatever the answer (or its absence).
    await this.query('startuse', `{"action":"startuse", "uid":"${uid}"}`);
    this.user = { uid, level, since: Date.now() };
    return 'started';
  }

  private async logout(): Promise<void> {
    const { uid } = this.user!;
    await this.query('stopuse', `{"action":"stopuse", "uid":"${uid}","duration":${this.secondsInUse()}}`);
    this.user = undefined;
  }

  private async refresh(): Promise<void> {
    await this.checkMachine();
    if (this.user)
      await this.query('inuse', `{"action":"inuse", "uid":"${this.user.uid}","duration":${this.secondsInUse()}}`);
  }

  private async checkMachine(): Promise<void> {
    const reply = await this.query('checkmachine', '{"action":"checkmachine"}');
    if (reply?.request_ok === true && reply.is_valid === true)
      this.machine = { allowed: reply.allowed === true, maintenance: reply.maintenance === true };
  }

  private async alive(): Promise<void> {
    if (!this.online) return;
    const { version, ip, serial, heap } = this.identity;
    this.send('alive', `{"action":"alive","version":"${version}","ip":"${ip}","serial":"${serial}","heap":"${heap}"}`);
  }

  /**
   * One query as the firmware sends it: offline, a bufferable one is queued and the others
   * fail; online, the replay queue goes first, in order, each waiting for its reply.
   */
  private async query(action: QueryAction, payload: string): Promise<Record<string, unknown> | undefined> {
    const bufferable = BUFFERED_ACTIONS.has(action);
    if (!this.online || !(await this.drainBuffer())) {
      if (bufferable) this.bufferPush({ action, payload });
      else this.counters.failed++;
      return undefined;
    }
    const reply = await this.exchange(action, payload);
    if (reply === undefined && bufferable) this.bufferPush({ action, payload });
    return reply;
  }

  /** True once the queue is empty; false when a replay got no reply (it stays first in the queue). */
  private async drainBuffer(): Promise<boolean> {
    while (this.buffer.length) {
      const head = this.buffer[0];
      this.counters.replayed++;
      if ((await this.exchange(head.action, withReplayFlag(head.payload))) === undefined) return false;
      this.buffer.shift();
    }
    return true;
  }

  /** Publishes and waits for the next message on the reply topic, or for the timeout (the backend is then down). */
  private exchange(action: QueryAction, payload: string): Promise<Record<string, unknown> | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        this.counters.timeouts++;
        this.unanswered++;
        this.backendDownUntil = Date.now() + this.timings.failFastMs;
        resolve(undefined);
      }, this.timings.replyTimeoutMs);
      this.waiting = { action, sentAt: performance.now(), resolve, timer };
      this.send(action, payload);
    });
  }

  private send(action: BoardAction, payload: string): void {
    this.counters.sent[action]++;
    this.link!.publish(this.topics.request, payload);
  }

  private bufferPush(request: BufferedRequest): void {
    if (this.buffer.length >= BUFFER_CAPACITY) {
      this.buffer.shift();
      this.counters.bufferDropped++;
    }
    this.buffer.push(request);
    this.counters.buffered++;
  }

  /** The 10 most recent cards the backend accepted, for logins while it does not answer. */
  private remember(uid: string, level: number): void {
    this.cache.delete(uid);
    if (level <= 0) return;
    this.cache.set(uid, level);
    if (this.cache.size > CACHE_CAPACITY) this.cache.delete(this.cache.keys().next().value!);
  }

  private secondsInUse(): number {
    return Math.max(0, Math.round((Date.now() - this.user!.since) / 1000));
  }
}

function parseObject(payload: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(payload);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
