import { Socket } from 'node:net';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import { connect, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import { AppConfig } from '../../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import { DeferredAcks } from './deferred-acks.js';
import type { InboundMessage, MqttHandler } from './inbound-message.js';
import { LogThrottle } from '../observability/log-throttle.js';
import { RouteDispatcher } from './route-dispatcher.js';
import { compileTopicPattern, subscriptionFilter, TopicRouter } from './topic-pattern.js';

interface Route {
  name: string;
  /** The filter as subscribed, `$share/<group>/…` included. */
  subscription: string;
  /** Subscribed as `$share/<group>/…` (MQTT_SHARED_GROUP set): replicas split its messages. */
  shared: boolean;
  dispatcher: RouteDispatcher;
  /** The route's received counter, labelled once: every message counts, hashing labels each time costs. */
  received: { inc(): void };
}

export interface RouteOptions {
  /** The metric label and log name; the pattern by default. */
  name?: string;
  /** Split the route's messages between replicas when MQTT_SHARED_GROUP is set (default true). */
  shared?: boolean;
  /**
   * Handle the messages of one key (e.g. `(m) => m.params.id`) one at a time in arrival
   * order, retries after a failure included, so that a message never overtakes an earlier
   * one of its key; keys run in parallel. Without it, every message runs at once.
   */
  serialBy?: (message: InboundMessage) => string;
}

export interface PublishOptions {
  qos?: 0 | 1;
  retain?: boolean;
}

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 30_000;
/** Boot waits this long for the first subscription, so the service starts ready when the broker is up. */
const FIRST_SUBSCRIPTION_WAIT_MS = 5_000;
const DRAIN_TIMEOUT_MS = 5_000;
const DISCONNECT_TIMEOUT_MS = 2_000;
/**
 * After leaving the shared subscriptions, messages the broker had already routed to this
 * replica's session keep coming (those beyond its in-flight window are sent as earlier ones
 * are acknowledged): they are taken until none came for this long, bounded by DRAIN_TIMEOUT_MS.
 */
const SHARED_DRAIN_QUIET_MS = 300;
const LOG_INTERVAL_MS = 60_000;
const UNROUTED = 'unrouted';

/**
 * The service's one MQTT connection: a persistent session (fixed client id, clean session
 * off) whose QoS 1 messages are acknowledged only after their handler resolved, many at a
 * time (see deferred-acks.ts). Contexts register routes in onModuleInit; the connection
 * opens in onApplicationBootstrap, once every route is known.
 */
@Injectable()
export class MqttService implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger(MqttService.name);
  private readonly router = new TopicRouter<Route>();
  private readonly routes: Route[] = [];
  private readonly stopping = new AbortController();
  private readonly rejectLog = new LogThrottle(LOG_INTERVAL_MS);
  private readonly failureLog = new LogThrottle(LOG_INTERVAL_MS);
  private readonly connectionLog = new LogThrottle(LOG_INTERVAL_MS);
  private readonly metrics: ReturnType<typeof declareMetrics>;
  private client?: MqttClient;
  private acks?: DeferredAcks;
  private firstSubscription?: () => void;
  /** Set once this replica leaves its shared subscriptions (shutting down): they are not made again. */
  private leftSharedSubscriptions = false;
  /** When a message of a shared route last arrived (the drain after leaving them waits for quiet). */
  private lastSharedDeliveryAt = 0;
  private quiesced?: Promise<void>;

  constructor(
    private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.metrics = declareMetrics(metrics);
  }

  /**
   * Registers a handler for a topic pattern like 'plant/machines/+code/electrical' ('+name'
   * captures a level into params, '#' or '#name' the rest). Call from onModuleInit: every
   * route is subscribed (QoS 1) on each connect.
   */
  route(pattern: string, handler: MqttHandler, options: RouteOptions = {}): void {
    const compiled = compileTopicPattern(pattern);
    const name = options.name ?? pattern;
    const route: Route = {
      name,
      subscription: subscriptionFilter(compiled.filter, this.config.MQTT_SHARED_GROUP, options.shared ?? true),
      shared: Boolean(this.config.MQTT_SHARED_GROUP) && (options.shared ?? true),
      dispatcher: new RouteDispatcher(
        handler,
        {
          rejected: (error, message) => this.reject(name, error.reason, error.source ?? message.topic, error.message),
          failed: (error, message, attempt, delay) => this.handlerFailed(name, message, error, attempt, delay),
        },
        this.stopping.signal,
        { serialBy: options.serialBy },
      ),
      received: this.metrics.received.labels({ route: name }),
    };
    this.router.add(compiled, route);
    this.routes.push(route);
    if (this.client?.connected) this.subscribe([route]);
  }

  /** QoS 0 by default. QoS 0 fails at once while disconnected; QoS 1 is sent once the connection is back. */
  async publish(topic: string, payload: string | Buffer, options: PublishOptions = {}): Promise<void> {
    if (!this.client) throw new Error('MqttService.publish() called before the application bootstrapped');
    await this.client.publishAsync(topic, payload, { qos: options.qos ?? 0, retain: options.retain ?? false });
  }

  isConnected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Count + rate-limited log (at most once per source per minute) of a rejected payload. */
  reject(route: string, reason: string, source: string, detail?: string): void {
    this.metrics.rejected.inc({ route, reason });
    const suppressed = this.rejectLog.take(source);
    if (suppressed === undefined) return;
    this.logger.warn(
      `Rejected a message of ${route} from ${clip(source)}: ${reason}${detail ? ` (${clip(detail)})` : ''}` +
        (suppressed ? `; ${suppressed} more rejections from this source not logged` : ''),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    const url = this.config.MQTT_URL;
    if (!url) throw new Error('MQTT_URL is not set: the embedded broker fills it in when none is configured');
    const client = connect(url, {
      clientId: this.config.MQTT_CLIENT_ID,
      clean: false,
      // aedes (the embedded broker) and the FAB-O-MATIC boards speak MQTT 3.1.1 only.
      protocolVersion: 4,
      username: this.config.MQTT_USERNAME,
      password: this.config.MQTT_PASSWORD,
      manualConnect: true,
      connectTimeout: 10_000,
      reconnectPeriod: RECONNECT_MIN_MS,
      reconnectOnConnackError: true,
      // Subscriptions are made on every connect (below), whether or not the broker kept the session.
      resubscribe: false,
      // A board takes whatever arrives next on its reply topic as the answer: a reply held over a reconnect would answer the wrong request.
      queueQoSZero: false,
    });
    this.client = client;
    this.acks = new DeferredAcks(client, {
      maxInFlight: this.config.MQTT_MAX_IN_FLIGHT,
      deliver: (packet, abandoned) => this.deliver(packet, abandoned),
      onAcked: (count) => this.metrics.acked.inc(count),
      onInFlightChanged: (count) => this.metrics.inFlight.set(count),
    });
    this.watchConnection(client, redactUrl(url));
    const subscribed = new Promise<void>((resolve) => (this.firstSubscription = resolve));
    client.connect();
    let timer: NodeJS.Timeout | undefined;
    const ready = await Promise.race([
      subscribed.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), FIRST_SUBSCRIPTION_WAIT_MS))),
    ]);
    clearTimeout(timer);
    if (!ready) this.logger.warn(`MQTT broker ${redactUrl(url)} not reachable yet; connecting in the background`);
  }

  /**
   * First thing when the service stops: `quiesce`. The connection itself is closed last
   * (onApplicationShutdown), once nothing needs it.
   */
  onModuleDestroy(): Promise<void> {
    return this.quiesce();
  }

  /**
   * Stops taking messages and lets running handlers finish (bounded) so that their PUBACKs
   * go out; whatever is left unacknowledged stays in the broker's session. It first leaves
   * the shared subscriptions, so that the broker gives this replica's share of new messages
   * to the others: without that, Mosquitto keeps routing it into this replica's persistent
   * session, where it waits for a restart that a scaled-down replica never makes; and it keeps
   * taking what the broker had routed here before that until none comes for a moment. Idempotent;
   * callers that must run after the last message of this replica was handled (the hand-over
   * of derived-state leases) await it too.
   */
  quiesce(): Promise<void> {
    this.quiesced ??= this.stopTaking();
    return this.quiesced;
  }

  async onApplicationShutdown(): Promise<void> {
    const client = this.client;
    if (!client) return;
    await this.quiesce();
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      new Promise<true>((resolve) => client.end(!client.connected, () => resolve(true))),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), DISCONNECT_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    if (!ended) client.stream?.destroy();
    this.metrics.connected.set(0);
  }

  private async stopTaking(): Promise<void> {
    const left = await this.leaveSharedSubscriptions();
    if (!this.client) return;
    // What the broker had routed here already is still ours to take: left in this replica's
    // persistent session, it would wait for a restart that a scaled-down replica never makes.
    if (left) await this.sharedDeliveriesQuiet();
    this.stopping.abort();
    this.acks!.stop();
    await this.acks!.whenIdle(DRAIN_TIMEOUT_MS);
  }

  /** True when it left some (connected, with shared routes). */
  private async leaveSharedSubscriptions(): Promise<boolean> {
    const shared = this.routes.filter((route) => route.shared).map((route) => route.subscription);
    this.leftSharedSubscriptions = true;
    const client = this.client;
    if (!client?.connected || !shared.length) return false;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      client
        .unsubscribeAsync(shared)
        .catch((error: Error) => this.logger.warn(`Leaving the shared subscriptions failed: ${error.message}`)),
      new Promise((resolve) => (timer = setTimeout(resolve, DISCONNECT_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    return true;
  }

  /** Resolves once no message of a shared route came for SHARED_DRAIN_QUIET_MS (at most DRAIN_TIMEOUT_MS). */
  private async sharedDeliveriesQuiet(): Promise<void> {
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    this.lastSharedDeliveryAt = Math.max(this.lastSharedDeliveryAt, Date.now());
    while (Date.now() - this.lastSharedDeliveryAt < SHARED_DRAIN_QUIET_MS && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
  }

  private watchConnection(client: MqttClient, url: string): void {
    client.on('connect', (connack: IConnackPacket) => {
      if (this.stopping.signal.aborted) return;
      client.options.reconnectPeriod = RECONNECT_MIN_MS;
      // Replies to RFID boards are small and must leave at once: Nagle's algorithm would hold
      // one back until the previous packet's ACK (up to ~40 ms with delayed ACKs).
      if (client.stream instanceof Socket) client.stream.setNoDelay(true);
      this.metrics.connected.set(1);
      this.logger.log(
        `Connected to ${url} as ${this.config.MQTT_CLIENT_ID} (${connack.sessionPresent ? 'session resumed' : 'new session'})`,
      );
      this.subscribe(this.routes);
    });
    // mqtt.js reconnects at a fixed period, read from options each time a connection is lost: doubling it here gives the backoff.
    client.on('reconnect', () => {
      client.options.reconnectPeriod = Math.min(
        (client.options.reconnectPeriod ?? RECONNECT_MIN_MS) * 2,
        RECONNECT_MAX_MS,
      );
    });
    client.on('close', () => this.metrics.connected.set(0));
    client.on('offline', () => this.logger.warn(`Not connected to ${url}; reconnecting with backoff`));
    client.on('error', (error) => {
      const suppressed = this.connectionLog.take('error');
      if (suppressed !== undefined)
        this.logger.warn(
          `MQTT connection error: ${error.message}${suppressed ? ` (${suppressed} more not logged)` : ''}`,
        );
    });
  }

  private subscribe(all: readonly Route[]): void {
    const routes = this.leftSharedSubscriptions ? all.filter((route) => !route.shared) : all;
    if (!routes.length) return this.firstSubscription?.();
    const filters = Object.fromEntries(routes.map((r) => [r.subscription, { qos: 1 as const }]));
    this.client!.subscribe(filters, (error, granted) => {
      // A connection lost meanwhile is not an error here: the next connect subscribes again.
      if (error) return this.logger.warn(`Subscribing failed: ${error.message}`);
      const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
      if (refused.length) this.logger.error(`The broker refused the subscriptions ${refused.join(', ')}`);
      this.firstSubscription?.();
    });
  }

  /** Routes one message; resolves true when it may be acknowledged. */
  private async deliver(packet: IPublishPacket, abandoned: () => boolean): Promise<boolean> {
    const { topic } = packet;
    const match = this.router.match(topic);
    if (!match) {
      this.metrics.received.inc({ route: UNROUTED });
      this.reject(UNROUTED, 'no_route', topic);
      return true;
    }
    const route = match.value;
    route.received.inc();
    if (route.shared) this.lastSharedDeliveryAt = Date.now();
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    if (payload.length > this.config.MQTT_MAX_PAYLOAD_BYTES) {
      this.reject(route.name, 'too_large', topic, `${payload.length} bytes`);
      return true;
    }
    return route.dispatcher.dispatch(
      { topic, payload, params: match.params, receivedAt: new Date(), redelivered: packet.dup, attempt: 1 },
      abandoned,
    );
  }

  private handlerFailed(route: string, message: InboundMessage, error: unknown, attempt: number, delay: number): void {
    this.metrics.failures.inc({ route });
    const suppressed = this.failureLog.take(route);
    if (suppressed === undefined) return;
    this.logger.error(
      `Handler of ${route} failed on ${clip(message.topic)} (attempt ${attempt}), retrying in ${delay} ms: ` +
        `${error instanceof Error ? error.message : String(error)}` +
        (suppressed ? `; ${suppressed} more failures of this route not logged` : ''),
      error instanceof Error ? error.stack : undefined,
    );
  }
}

function declareMetrics(metrics: MetricsService) {
  return {
    received: metrics.counter('plantgraph_mqtt_messages_received_total', 'MQTT messages received, by route', ['route']),
    rejected: metrics.counter(
      'plantgraph_mqtt_messages_rejected_total',
      'MQTT messages rejected, by route and reason',
      ['route', 'reason'],
    ),
    acked: metrics.counter('plantgraph_mqtt_messages_acked_total', 'QoS 1 messages acknowledged after handling'),
    failures: metrics.counter('plantgraph_mqtt_handler_failures_total', 'Handler failures (retried), by route', [
      'route',
    ]),
    inFlight: metrics.gauge('plantgraph_mqtt_in_flight', 'MQTT messages received and not yet acknowledged'),
    connected: metrics.gauge('plantgraph_mqtt_connected', '1 while connected to the MQTT broker'),
  };
}

function redactUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = parsed.password = '';
  return parsed.toString();
}

/** Topics and details come from devices: keep log lines short whatever they send. */
function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
