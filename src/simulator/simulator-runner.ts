import { randomBytes } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { BoardFleet, DEFAULT_BOARD_BEHAVIOUR, type BoardFleetStats } from './board-fleet.js';
import type { PlantSimulator } from './plant-simulator.js';
import type { MessageKind, SimulatorMessage } from './simulator-messages.js';
import { withoutUndefined } from './simulator-options.js';
import type { WeldingState } from './welding-machine.js';

export interface SimulatorLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface SimulatorRunnerOptions {
  /** mqtt://host:port (credentials may be in the URL: mqtt://user:pass@host). */
  url: string;
  qos?: 0 | 1;
  clientId?: string;
  /** How often progress is reported; 0 turns the reports off. */
  progressIntervalMs?: number;
  /** Falling further behind than this (a suspended laptop, a blocked event loop) skips ahead instead of flooding. */
  maxCatchUpMs?: number;
  /** Messages handed to the client but not yet written (QoS 0) or acknowledged (QoS 1); beyond it, messages are dropped. */
  maxPending?: number;
  connectTimeoutMs?: number;
  /** Puts the simulator's RFID boards on the broker too (default true when it has any). */
  boards?: boolean;
  logger?: SimulatorLogger;
  onProgress?: (progress: SimulatorProgress) => void;
}

export interface SimulatorStats {
  /** Messages handed to the MQTT client, per kind. */
  published: Record<MessageKind, number>;
  /** Messages not sent: disconnected, or too many pending. */
  dropped: number;
  /** Publishes that failed after being handed over. */
  failed: number;
  pending: number;
  /** Simulated time skipped because the runner fell too far behind. */
  skippedMs: number;
}

export interface SimulatorProgress extends SimulatorStats {
  intervalMs: number;
  /** Published per second over the last interval, in total and per kind. */
  messagesPerSecond: number;
  ratePerKind: Record<MessageKind, number>;
  connected: boolean;
  welding: Record<WeldingState, number>;
  boards?: BoardFleetStats;
}

const DEFAULTS = {
  qos: 0 as 0 | 1,
  progressIntervalMs: 5_000,
  maxCatchUpMs: 10_000,
  maxPending: 10_000,
  connectTimeoutMs: 10_000,
  boards: true,
};
const RECONNECT_PERIOD_MS = 1_000;
const END_TIMEOUT_MS = 5_000;

const consoleLogger: SimulatorLogger = {
  info: (message) => console.log(`[simulator] ${message}`),
  warn: (message) => console.warn(`[simulator] ${message}`),
};

/**
 * Drives a PlantSimulator against a broker: wakes up when the next message is due (on the
 * simulator's absolute time grid, so timer jitter never accumulates into drift), publishes
 * what is due, reports progress, and stops cleanly.
 */
export class SimulatorRunner {
  private readonly options: Required<Omit<SimulatorRunnerOptions, 'onProgress'>> &
    Pick<SimulatorRunnerOptions, 'onProgress'>;
  private client?: MqttClient;
  private fleet?: BoardFleet;
  private timer?: NodeJS.Timeout;
  private progressTimer?: NodeJS.Timeout;
  private stopping?: Promise<void>;
  private connectionLost = false;
  private onDrained?: () => void;
  private readonly counters: SimulatorStats = {
    published: { axes: 0, tool: 0, electrical: 0, ppmv: 0 },
    dropped: 0,
    failed: 0,
    pending: 0,
    skippedMs: 0,
  };
  private lastReport = { at: 0, published: { axes: 0, tool: 0, electrical: 0, ppmv: 0 } };

  constructor(
    readonly simulator: PlantSimulator,
    options: SimulatorRunnerOptions,
  ) {
    this.options = {
      ...DEFAULTS,
      clientId: `plantgraph-sim-${randomBytes(4).toString('hex')}`,
      logger: consoleLogger,
      ...withoutUndefined(options),
      url: options.url,
    };
  }

  get isConnected(): boolean {
    return this.client?.connected ?? false;
  }

  stats(): SimulatorStats {
    return { ...this.counters, published: { ...this.counters.published } };
  }

  /** The RFID boards' counters, when they run. */
  boardStats(): BoardFleetStats | undefined {
    return this.fleet?.stats();
  }

  /** Connects (rejecting with the broker's error if that fails) and starts publishing. */
  async start(): Promise<void> {
    if (this.client || this.stopping) throw new Error('SimulatorRunner: start() can only be called once');
    const { url, clientId, connectTimeoutMs } = this.options;
    // The embedded aedes broker speaks MQTT 3.1.1 only.
    const client = await connectAsync(
      url,
      {
        protocolVersion: 4,
        clientId,
        clean: true,
        reconnectPeriod: RECONNECT_PERIOD_MS,
        connectTimeout: connectTimeoutMs,
      },
      false,
    );
    this.client = client;
    if (this.stopping) {
      await client.endAsync(true);
      return;
    }
    this.watchConnection(client);
    this.lastReport = { at: Date.now(), published: { ...this.counters.published } };
    if (this.options.progressIntervalMs > 0)
      this.progressTimer = setInterval(() => this.report(), this.options.progressIntervalMs);
    this.options.logger.info(
      `connected to ${redact(url)} as ${clientId}; ${this.simulator.machines.length} machines, QoS ${this.options.qos}`,
    );
    this.schedule();
    await this.startBoards();
  }

  private async startBoards(): Promise<void> {
    const { boards: plan, options } = this.simulator;
    if (!this.options.boards || !plan.machines.length) return;
    const speed = options.boardSpeed;
    const fleet = new BoardFleet(plan, {
      url: this.options.url,
      seed: options.seed,
      connectTimeoutMs: this.options.connectTimeoutMs,
      behaviour: {
        idleMeanMs: DEFAULT_BOARD_BEHAVIOUR.idleMeanMs / speed,
        useMinMs: DEFAULT_BOARD_BEHAVIOUR.useMinMs / speed,
        useMaxMs: DEFAULT_BOARD_BEHAVIOUR.useMaxMs / speed,
      },
    });
    this.fleet = fleet;
    await fleet.start();
    // Stopped while the boards were connecting: the shutdown did not see them all.
    if (this.stopping) return fleet.stop();
    this.options.logger.info(
      `${plan.machines.length} RFID boards on ${plan.rootTopic}/{${plan.machines[0].code}…${plan.machines.at(-1)!.code}}, ` +
        `${plan.cardHolders.length} card holders`,
    );
  }

  /** Stops publishing and closes the connection once what was handed over is sent (QoS 1: acknowledged), 5 s at most. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    clearTimeout(this.timer);
    clearInterval(this.progressTimer);
    await this.fleet?.stop();
    const client = this.client;
    if (!client) return;
    const drained = await this.drain(END_TIMEOUT_MS);
    if (!drained)
      this.options.logger.warn(`the broker did not take ${this.counters.pending} messages in time; closing anyway`);
    // A graceful end sends DISCONNECT; forcing it drops what is still unacknowledged.
    await client.endAsync(!drained);
  }

  /** Resolves true once every publish has been written (QoS 0) or acknowledged (QoS 1), false after the timeout. */
  private drain(timeoutMs: number): Promise<boolean> {
    if (this.counters.pending === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timeout = setTimeout(() => {
        this.onDrained = undefined;
        resolve(false);
      }, timeoutMs);
      this.onDrained = () => {
        clearTimeout(timeout);
        resolve(true);
      };
    });
  }

  private schedule(): void {
    if (this.stopping || this.simulator.nextDueTime() === Infinity) return;
    const delay = Math.max(0, this.simulator.nextDueTime() - Date.now());
    this.timer = setTimeout(() => this.tick(), delay);
  }

  private tick(): void {
    if (this.stopping) return;
    const now = Date.now();
    const behind = now - this.simulator.nextDueTime();
    if (behind > this.options.maxCatchUpMs) {
      this.options.logger.warn(`fell ${Math.round(behind)} ms behind; skipping ahead`);
      this.counters.skippedMs += behind;
      this.simulator.skipTo(now);
    }
    for (const message of this.simulator.advanceTo(now)) this.publish(message);
    this.schedule();
  }

  private publish(message: SimulatorMessage): void {
    const client = this.client!;
    if (!client.connected || this.counters.pending >= this.options.maxPending) {
      this.counters.dropped++;
      return;
    }
    this.counters.pending++;
    this.counters.published[message.kind]++;
    client.publish(message.topic, JSON.stringify(message.payload), { qos: this.options.qos }, (error) => {
      if (error) this.counters.failed++;
      if (--this.counters.pending === 0) this.onDrained?.();
    });
  }

  private watchConnection(client: MqttClient): void {
    // Without a listener an 'error' event would crash the process; mqtt.js reconnects by itself.
    client.on('error', (error) => {
      if (!this.connectionLost) this.options.logger.warn(`MQTT error: ${error.message}`);
    });
    client.on('offline', () => {
      if (this.stopping || this.connectionLost) return;
      this.connectionLost = true;
      this.options.logger.warn('connection to the broker lost; dropping messages until it is back');
    });
    client.on('connect', () => {
      if (!this.connectionLost) return;
      this.connectionLost = false;
      this.options.logger.info('reconnected to the broker');
    });
  }

  private report(): void {
    const now = Date.now();
    const intervalMs = Math.max(1, now - this.lastReport.at);
    const published = this.counters.published;
    const perSecond = (kind: MessageKind) => ((published[kind] - this.lastReport.published[kind]) * 1000) / intervalMs;
    const ratePerKind = {
      axes: perSecond('axes'),
      tool: perSecond('tool'),
      electrical: perSecond('electrical'),
      ppmv: perSecond('ppmv'),
    };
    const welding: Record<WeldingState, number> = { OFF: 0, IDLE: 0, PRODUCTION: 0 };
    for (const status of this.simulator.weldingStatus()) welding[status.state]++;
    const progress: SimulatorProgress = {
      ...this.stats(),
      intervalMs,
      messagesPerSecond: ratePerKind.axes + ratePerKind.tool + ratePerKind.electrical + ratePerKind.ppmv,
      ratePerKind,
      connected: this.isConnected,
      welding,
      boards: this.fleet?.stats(),
    };
    this.lastReport = { at: now, published: { ...published } };
    this.options.onProgress?.(progress);
    this.options.logger.info(formatProgress(progress));
  }
}

export function formatProgress(p: SimulatorProgress): string {
  const total = p.published.axes + p.published.tool + p.published.electrical + p.published.ppmv;
  const rate = (n: number) => (n >= 100 ? Math.round(n) : Math.round(n * 10) / 10).toLocaleString('en-US');
  const kinds = (['axes', 'tool', 'electrical', 'ppmv'] as const)
    .filter((k) => k !== 'ppmv' || p.published.ppmv > 0)
    .map((k) => `${k} ${rate(p.ratePerKind[k])}/s`)
    .join(', ');
  const welding = `welding OFF ${p.welding.OFF} / IDLE ${p.welding.IDLE} / PRODUCTION ${p.welding.PRODUCTION}`;
  const trouble = [
    p.dropped ? `dropped ${p.dropped.toLocaleString('en-US')}` : '',
    p.failed ? `failed ${p.failed.toLocaleString('en-US')}` : '',
    p.connected ? '' : 'DISCONNECTED',
  ].filter(Boolean);
  return `${rate(p.messagesPerSecond)} msg/s (${kinds}); total ${total.toLocaleString('en-US')}; ${welding}${p.boards ? `; ${formatBoards(p.boards)}` : ''}${trouble.length ? `; ${trouble.join('; ')}` : ''}`;
}

function formatBoards(b: BoardFleetStats): string {
  const requests = Object.values(b.sent).reduce((sum, n) => sum + n, 0);
  return (
    `boards ${b.connected}/${b.boards} connected, ${b.inUse} in use, ${requests} requests, ${b.replies} replies, ` +
    `${b.timeouts} timeouts, ${b.replayed} replayed, ${b.extra} extra`
  );
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
