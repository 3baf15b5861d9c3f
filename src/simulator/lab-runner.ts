import { connectAsync, type MqttClient } from 'mqtt';
import { labPvOfSetTopic, labValueTopic, LAB_EXPERIMENT, SimulatedLab } from './simulated-lab.js';
import type { SimulatorLogger } from './simulator-runner.js';

export interface LabRunnerOptions {
  url: string;
  clientId: string;
  /** Values go out on `{rootTopic}/pv/Lab1/…`. */
  rootTopic: string;
  /** Sets come in on `{pvSetPrefix}/Lab1/…`. */
  pvSetPrefix: string;
  /** Milliseconds between two readings of every lab PV. */
  intervalMs: number;
  seed: number;
  logger: SimulatorLogger;
}

const CONNECT_TIMEOUT_MS = 10_000;
const RECONNECT_PERIOD_MS = 1_000;

/**
 * Puts the simulated lab (simulated-lab.ts) on the broker as its own device: one connection
 * that subscribes to the lab's set topics (QoS 1, so a set sent while the device reconnects is
 * not lost with a persistent broker session) and publishes every PV's reading each interval
 * on a fixed time grid (timer jitter does not accumulate).
 */
export class LabRunner {
  readonly lab: SimulatedLab;
  private client?: MqttClient;
  private timer?: NodeJS.Timeout;
  private startedAt = 0;
  private n = 0;
  private stopped = false;

  constructor(private readonly options: LabRunnerOptions) {
    this.lab = new SimulatedLab(options.seed);
  }

  async start(): Promise<void> {
    const { url, clientId, pvSetPrefix } = this.options;
    // The embedded aedes broker speaks MQTT 3.1.1 only.
    const client = await connectAsync(
      url,
      {
        protocolVersion: 4,
        clientId,
        clean: true,
        reconnectPeriod: RECONNECT_PERIOD_MS,
        connectTimeout: CONNECT_TIMEOUT_MS,
      },
      false,
    );
    this.client = client;
    client.on('error', (error) => this.options.logger.warn(`lab: MQTT error: ${error.message}`));
    client.on('message', (topic, payload) => this.onSet(topic, payload.toString('utf8')));
    // Subscribed again on each reconnect: a clean session forgets subscriptions.
    client.on('connect', () => void this.subscribe());
    await this.subscribe();
    this.startedAt = Date.now();
    this.schedule();
    this.options.logger.info(
      `lab ${LAB_EXPERIMENT}: values on ${this.options.rootTopic}/pv/${LAB_EXPERIMENT}/… every ${this.options.intervalMs} ms, ` +
        `sets from ${pvSetPrefix}/${LAB_EXPERIMENT}/…`,
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.client?.endAsync();
  }

  private async subscribe(): Promise<void> {
    await this.client
      ?.subscribeAsync(`${this.options.pvSetPrefix}/${LAB_EXPERIMENT}/#`, { qos: 1 })
      .catch((error: Error) => this.options.logger.warn(`lab: subscribing to sets failed: ${error.message}`));
  }

  private onSet(topic: string, text: string): void {
    const pvName = labPvOfSetTopic(this.options.pvSetPrefix, topic);
    if (!pvName) return;
    if (!this.lab.applySet(pvName, text))
      this.options.logger.warn(`lab: ignored a set of ${pvName} to ${JSON.stringify(text.slice(0, 50))}`);
  }

  private schedule(): void {
    if (this.stopped) return;
    const due = this.startedAt + this.n * this.options.intervalMs;
    this.timer = setTimeout(() => this.tick(due), Math.max(0, due - Date.now()));
  }

  private tick(ts: number): void {
    this.n++;
    // Far behind (a suspended laptop): resume from now rather than flood the broker.
    if (Date.now() - ts > 10 * this.options.intervalMs) {
      this.startedAt = Date.now();
      this.n = 1;
    }
    const client = this.client;
    if (client?.connected)
      for (const { pvName, value } of this.lab.sample(ts))
        client.publish(labValueTopic(this.options.rootTopic, pvName), JSON.stringify({ ts, value }), { qos: 0 });
    this.schedule();
  }
}
